// millrace/core/error.hpp — the error a failed run throws.
// An exception in any operator cancels the run and is rethrown from run() wrapped in
// operator_error, which names the operator and, for a per-record operator, the failing record:
//   try { mr::run(p); } catch (const mr::operator_error& e) { fmt::print("{} failed at {}:{}\n", e.op_name(), e.file(), e.line()); }
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <millrace/core/position.hpp>
#include <millrace/detail/config.hpp>

namespace millrace {

/// Where the record an operator failed on came from, as far as the run knows it (any part may be
/// missing); operator_error's ordinal(), position(), file() and line() report it.
struct record_origin {
  std::optional<std::uint64_t> ordinal;     ///< index in the source's stream, from 0 (see operator_error::ordinal)
  std::optional<record_position> position;  ///< the record's own position, when it carries one
  std::string file;                         ///< the input file it was read from; empty: not read from a file
  std::size_t line = 0;                     ///< 1-based line in file; 0: not known
  /// True when nothing is known.
  bool empty() const noexcept { return !ordinal && !position && file.empty(); }
};

/// Thrown by run() when an operator (source, stage or sink) threw. what() is
/// "operator '<name>': <where>: <original what()>", where <where> names the failing record when a
/// per-record operator (map, filter, flat_map, inspect, sink, route) threw: "a.jsonl:7" (read from
/// a file; "a.jsonl: byte N" where the line is not known), "record 6" (its ordinal, for in-memory
/// sources), "a.jsonl:7 (record 6)" when both are known; no <where> when no record is known (a
/// source, a batch_map, a stage). original() rethrows the exception the operator threw.
class operator_error : public std::runtime_error {
 public:
  /// The error of operator `op_name` that threw `original`, on the record `where` came from.
  operator_error(std::string op_name, std::exception_ptr original, record_origin where = {});

  /// The name of the operator that threw (as given to it, e.g. mr::map(f, "parse")).
  const std::string& op_name() const noexcept { return op_name_; }
  /// The exception the operator threw (std::rethrow_exception(e.original()) to catch it by type).
  std::exception_ptr original() const noexcept { return original_; }
  /// The original exception's what() ("unknown error" / "non-standard exception" without one).
  const std::string& reason() const noexcept { return reason_; }
  /// The input file of the failing record; empty when it was not read from a file or not known.
  const std::string& file() const noexcept { return where_.file; }
  /// The failing record's 1-based line in file(); 0 when not known.
  std::size_t line() const noexcept { return where_.line; }
  /// The failing record's position (records that carry one: file readers' records, positioned types).
  std::optional<record_position> position() const noexcept { return where_.position; }
  /// The failing record's index in the source's stream, counted from 0 (in-memory sources: its
  /// index in the range); known when every operator before the failing one keeps one record for
  /// each (map, inspect), not after a filter in another stage, a batch operator, a merge or a barrier.
  std::optional<std::uint64_t> ordinal() const noexcept { return where_.ordinal; }
  /// Everything known about the failing record.
  const record_origin& origin() const noexcept { return where_; }

 private:
  operator_error(std::string op_name, std::exception_ptr original, std::string reason, record_origin where);
  // original's what() ("unknown error" / "non-standard exception" without one)
  static std::string describe(const std::exception_ptr& e);
  // "a.jsonl:7: ", "a.jsonl: byte 120: ", "record 6: ", "a.jsonl:7 (record 6): ", or "".
  static std::string place(const record_origin& w);

  std::string op_name_;
  std::exception_ptr original_;
  std::string reason_;
  record_origin where_;
};

namespace detail {
/// Rethrows the current exception as operator_error naming `name`, unless it already is one
/// (an inner operator of a fused stage already attached its own name).
[[noreturn]] void rethrow_as_operator_error(const std::string& name);

/// Rethrows the current exception (an operator_error from rethrow_as_operator_error) with the
/// failing record's origin added, unless it already names one. Called only in catch handlers, so
/// the per-record path never looks a position up.
[[noreturn]] void rethrow_with_origin(record_origin where);

/// rethrow_as_operator_error naming also the record the operator failed on.
[[noreturn]] void rethrow_as_operator_error(const std::string& name, record_origin where);
}  // namespace detail

}  // namespace millrace

#if MILLRACE_HEADER_ONLY
#include <millrace/core/detail/error_impl.hpp>
#endif
