// millrace/core/detail/position_order.hpp — the check behind "first occurrence = smallest position"
// in the ordered stages of dedup and augment: positioned records must reach an ordered stage in
// non-decreasing position order. Internal; used by the ordered stages of dedup and augment (and any
// subsystem with one).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <millrace/core/position.hpp>

namespace millrace::detail {

inline std::string format_position(const record_position& p) {
  return "(input " + std::to_string(p.input) + ", offset " + std::to_string(p.offset) + ")";
}

// An ordered stage decides "first" as records arrive, so it is right only if arrival order is
// position order. Records of one stream read in order arrive so; parts of a split input read in
// another order do not, and the stage then stops rather than keep the wrong record. Equal
// positions (a flat_map that made several records of one) keep their arrival order.
class position_order {
 public:
  void check(const record_position& p, std::string_view what) {
    if (any_ && p < last_)
      throw std::invalid_argument(std::string(what) + ": a record at position " + format_position(p) +
                                  " arrived after one at " + format_position(last_) +
                                  "; this stage keeps the record with the smallest position and decides as "
                                  "records arrive, so it needs its input in position order (read the parts "
                                  "of a split input in order)");
    last_ = p;
    any_ = true;
  }

 private:
  record_position last_{};
  bool any_ = false;
};

}  // namespace millrace::detail
