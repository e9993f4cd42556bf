// millrace/observe/memory.hpp — the process's resident memory, for per-stage peaks in reports.
// Linux: VmRSS / VmHWM from /proc/self/status; writing "5" to /proc/self/clear_refs resets the
// peak (VmHWM) so that each stage reports its own. Where /proc is absent both give 0.
//   mr::reset_peak_rss(); run_stage(); auto peak = mr::peak_rss_bytes();
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace millrace {

namespace detail {
inline std::uint64_t proc_status_kb(const char* key) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  std::uint64_t kb = 0;
  const std::size_t n = std::strlen(key);
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, key, n) == 0 && line[n] == ':') {
      kb = std::strtoull(line + n + 1, nullptr, 10);
      break;
    }
  std::fclose(f);
  return kb;
}
}  // namespace detail

/// Resident memory now, in bytes.
inline std::uint64_t rss_bytes() { return detail::proc_status_kb("VmRSS") * 1024; }

/// Peak resident memory since the process started or since the last reset_peak_rss(), in bytes.
inline std::uint64_t peak_rss_bytes() { return detail::proc_status_kb("VmHWM") * 1024; }

/// Starts a new peak (returns false where the kernel does not allow it: the peak then stays the
/// process's peak, which is an upper bound).
inline bool reset_peak_rss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return (std::fclose(f) == 0) && ok;
}

}  // namespace millrace
