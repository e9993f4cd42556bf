// libFuzzer harness: byte_source over arbitrary bytes as a .zst file (/tmp/<name>-<pid>.zst: the
// extension makes it a zstd stream whatever its magic number).
// A corrupt or truncated stream must end the data with error() set, never crash or hang.
#include <millrace/io/byte_source.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace io = millrace::io;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/millrace-fuzz-zstd-" + std::to_string(getpid()) + ".zst";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  try {
    io::byte_source in(path);
    std::vector<char> buf(1 + size % 4096);   // odd buffer sizes too
    std::uint64_t total = 0;
    while (std::size_t n = in.read(buf.data(), buf.size())) {
      total += n;
      if (total > (std::uint64_t(256) << 20)) break;   // a legal bomb: stop (the fuzzer limits RSS anyway)
    }
    (void)in.error();
    (void)in.empty_file();
    if (in.read(buf.data(), buf.size()) != 0 && total <= (std::uint64_t(256) << 20)) std::abort();   // stays at the end
  } catch (const io::input_error&) {
  }
  return 0;
}
