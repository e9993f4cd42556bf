// zstd frames for tests (tests/common): compress bytes into one frame (concatenate for several).
//   mrtest::write_file(d / "a.jsonl.zst", mrtest::zstd_compress(text));
#pragma once

#include <zstd.h>

#include <stdexcept>
#include <string>

namespace mrtest {

/// One zstd frame holding data, at the given level.
inline std::string zstd_compress(const std::string& data, int level = 3) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd compress failed: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace mrtest
