// millrace/dedup/detail/record_order.hpp — the position-order check of ordered stages, now in core
// (millrace/core/detail/position_order.hpp); dedup's stages name it here.
#pragma once

#include <millrace/core/detail/position_order.hpp>

namespace millrace::dedup::detail {

using millrace::detail::format_position;
using millrace::detail::position_order;

}  // namespace millrace::dedup::detail
