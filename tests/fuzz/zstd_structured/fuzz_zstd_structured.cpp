// libFuzzer harness: the input is compressed first (level and frame split from the first byte),
// so byte_source sees valid frames; its output must equal the input exactly, with no error.
// A mutated copy (one byte flipped, or cut short) must end with error() or equal output, never crash.
#include <millrace/io/byte_source.hpp>

#include <unistd.h>
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace io = millrace::io;

namespace {
std::string read_all(const std::string& path, std::size_t bufsize, std::string* error) {
  io::byte_source in(path);
  std::vector<char> buf(bufsize);
  std::string out;
  while (std::size_t n = in.read(buf.data(), buf.size())) out.append(buf.data(), n);
  *error = in.error();
  return out;
}
void write_file(const std::string& path, const std::string& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}
std::string compress(const std::uint8_t* p, std::size_t n, int level) {
  std::string out(ZSTD_compressBound(n), '\0');
  const std::size_t z = ZSTD_compress(out.data(), out.size(), p, n, level);
  if (ZSTD_isError(z)) std::abort();
  out.resize(z);
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const int level = 1 + data[0] % 5;
  const std::size_t split = data[1] % 4 == 0 ? 0 : (size - 2) * data[1] / 256;   // 0: one frame
  const std::size_t bufsize = 1 + data[1] * 37 % 8192;
  const std::uint8_t cut_at = data[0];
  data += 2, size -= 2;
  static const std::string path = "/tmp/millrace-fuzz-zstds-" + std::to_string(getpid()) + ".zst";
  std::string z = split ? compress(data, split, level) + compress(data + split, size - split, level)
                        : compress(data, size, level);
  write_file(path, z);
  std::string err;
  try {
    const std::string got = read_all(path, bufsize, &err);
    if (!err.empty() || got.size() != size || (size && got.compare(0, size, reinterpret_cast<const char*>(data), size)))
      std::abort();   // a valid stream must decompress to its input
  } catch (const io::input_error&) {
    std::abort();
  }
  // Damaged copies, cut short and with one byte changed: error() or some output, never a crash.
  std::string cut = z.substr(0, z.size() * cut_at / 256);
  std::string flipped = z;
  if (!flipped.empty()) flipped[(size * 131) % flipped.size()] ^= 0x5A;
  for (const std::string* bad : {&cut, &flipped}) {
    write_file(path, *bad);
    try {
      (void)read_all(path, bufsize, &err);
    } catch (const io::input_error&) {
    }
  }
  return 0;
}
