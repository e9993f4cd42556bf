// millrace/io/utf8.hpp — millrace::io::utf8_valid: fast UTF-8 validation (simdjson's SIMD
// validator).
//   if (!millrace::io::utf8_valid(s)) reject(s);
#pragma once

#include <string_view>

#include <millrace/detail/config.hpp>

namespace millrace::io {

/// True when s is valid UTF-8 (simdjson's validator: no overlong forms, surrogates or code points past U+10FFFF).
bool utf8_valid(std::string_view s) noexcept;

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/utf8_impl.hpp>
#endif
