// libFuzzer harness: csv_reader over a file (a memfd, so nothing touches the disk). The first byte
// picks the options; the rest is the file. input_error is the documented error for bad input; the
// reader must be usable after one (next() goes on).
#include <millrace/io/csv.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace io = millrace::io;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  ++data, --size;
  static const int fd = memfd_create("fuzz_csv", 0);
  if (fd < 0) std::abort();
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  io::csv_options opt;
  opt.delimiter = (flags & 3) == 0 ? ',' : (flags & 3) == 1 ? ';' : (flags & 3) == 2 ? '\t' : '|';
  opt.quote = (flags & 4) ? '\'' : '"';
  opt.header = flags & 8;
  opt.check_width = flags & 16;
  opt.skip_blank_lines = flags & 32;
  opt.validate_utf8 = flags & 64;
  try {
    io::csv_reader r(path, opt);
    (void)r.header();
    (void)r.column("id");
    std::vector<std::string> f;
    // Every next() consumes input, so the loop ends; a .zst input can expand enormously, so stop
    // after many records (a real hang is caught by libFuzzer's -timeout).
    for (std::size_t calls = 0; calls < (std::size_t(1) << 16); ++calls) {
      try {
        if (!r.next(f)) break;
      } catch (const io::input_error&) {
      }
    }
  } catch (const io::input_error&) {
    // a bad header record or byte-order mark
  }
  return 0;
}
