// millrace/core/detail/error_impl.hpp — operator_error's constructors and the rethrow helpers
// (core/error.hpp declares). Cold code: compiled once in millrace::compiled, so a user's unit
// does not optimise it again for every pipeline.
#pragma once

#include <string>
#include <utility>

#include <millrace/detail/config.hpp>
#include <millrace/core/error.hpp>

namespace millrace {

MILLRACE_INLINE operator_error::operator_error(std::string op_name, std::exception_ptr original, record_origin where)
    : operator_error(std::move(op_name), original, describe(original), std::move(where)) {}

MILLRACE_INLINE operator_error::operator_error(std::string op_name, std::exception_ptr original, std::string reason,
                                               record_origin where)
    : std::runtime_error("operator '" + op_name + "': " + place(where) + reason),
      op_name_(std::move(op_name)),
      original_(std::move(original)),
      reason_(std::move(reason)),
      where_(std::move(where)) {}

MILLRACE_INLINE std::string operator_error::describe(const std::exception_ptr& e) {
  try {
    if (e) std::rethrow_exception(e);
    return "unknown error";
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "non-standard exception";
  }
}

MILLRACE_INLINE std::string operator_error::place(const record_origin& w) {
  std::string s;
  if (!w.file.empty()) {
    s = w.file;
    // (appended piece by piece: `s += ":" + std::to_string(..)` trips g++ 12's -Wrestrict at -O3)
    if (w.line) {
      s += ':';
      s += std::to_string(w.line);
    } else if (w.position) {
      s += ": byte ";
      s += std::to_string(w.position->offset);
    }
    if (w.ordinal) {
      s += " (record ";
      s += std::to_string(*w.ordinal);
      s += ')';
    }
  } else if (w.ordinal) {
    s = "record " + std::to_string(*w.ordinal);
  } else if (w.position) {
    s = "record at (input " + std::to_string(w.position->input) + ", offset " + std::to_string(w.position->offset) + ")";
  }
  return s.empty() ? s : s + ": ";
}

namespace detail {

MILLRACE_INLINE void rethrow_as_operator_error(const std::string& name) {
  try {
    throw;
  } catch (const operator_error&) {
    throw;
  } catch (...) {
    throw operator_error(name, std::current_exception());
  }
}

MILLRACE_INLINE void rethrow_with_origin(record_origin where) {
  try {
    throw;
  } catch (const operator_error& e) {
    if (!e.origin().empty() || where.empty()) throw;
    throw operator_error(e.op_name(), e.original(), std::move(where));
  }
}

MILLRACE_INLINE void rethrow_as_operator_error(const std::string& name, record_origin where) {
  try {
    throw;
  } catch (const operator_error&) {
    rethrow_with_origin(std::move(where));
  } catch (...) {
    throw operator_error(name, std::current_exception(), std::move(where));
  }
}

}  // namespace detail
}  // namespace millrace
