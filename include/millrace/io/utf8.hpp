// millrace::io::utf8_valid: fast UTF-8 validation (simdjson's SIMD validator).
//   if (!millrace::io::utf8_valid(s)) reject(s);
#pragma once

#include <simdjson.h>

#include <string_view>

namespace millrace::io {

/// True when s is valid UTF-8 (simdjson's validator: no overlong forms, surrogates or code points past U+10FFFF).
inline bool utf8_valid(std::string_view s) noexcept {
  return simdjson::validate_utf8(s.data(), s.size());
}

}  // namespace millrace::io
