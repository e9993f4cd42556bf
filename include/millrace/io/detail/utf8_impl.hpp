// millrace/io/detail/utf8_impl.hpp — utf8_valid (io/utf8.hpp declares) on simdjson's validator.
#pragma once

#include <simdjson.h>

#include <string_view>

#include <millrace/detail/config.hpp>
#include <millrace/io/utf8.hpp>

namespace millrace::io {

MILLRACE_INLINE bool utf8_valid(std::string_view s) noexcept { return simdjson::validate_utf8(s.data(), s.size()); }

}  // namespace millrace::io
