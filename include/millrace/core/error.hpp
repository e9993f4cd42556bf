// millrace/core/error.hpp — the error a failed run throws.
// An exception in any operator cancels the run and is rethrown from run() wrapped in
// operator_error, which names the operator:
//   try { mr::run(p); } catch (const mr::operator_error& e) { fmt::print("{} failed\n", e.op_name()); }
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace millrace {

/// Thrown by run() when an operator (source, stage or sink) threw. what() is
/// "operator '<name>': <original what()>"; original() rethrows the exception the operator threw.
class operator_error : public std::runtime_error {
 public:
  operator_error(std::string op_name, std::exception_ptr original)
      : std::runtime_error(make_message(op_name, original)),
        op_name_(std::move(op_name)),
        original_(std::move(original)) {}

  const std::string& op_name() const noexcept { return op_name_; }
  std::exception_ptr original() const noexcept { return original_; }

 private:
  static std::string make_message(const std::string& name, const std::exception_ptr& e) {
    std::string msg = "operator '" + name + "': ";
    try {
      if (e) std::rethrow_exception(e);
      msg += "unknown error";
    } catch (const std::exception& ex) {
      msg += ex.what();
    } catch (...) {
      msg += "non-standard exception";
    }
    return msg;
  }

  std::string op_name_;
  std::exception_ptr original_;
};

namespace detail {
/// Rethrows the current exception as operator_error naming `name`, unless it already is one
/// (an inner operator of a fused stage already attached its own name).
[[noreturn]] inline void rethrow_as_operator_error(const std::string& name) {
  try {
    throw;
  } catch (const operator_error&) {
    throw;
  } catch (...) {
    throw operator_error(name, std::current_exception());
  }
}
}  // namespace detail

}  // namespace millrace
