// millrace/observe/progress_bar.hpp — a terminal progress bar for run_options::on_progress.
// Draws on stderr only when stderr is a terminal; otherwise stays quiet.
//   mr::run(p, mr::cpu{}, {.on_progress = mr::progress_bar("dedup", total_records)});
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <cstdio>
#include <memory>
#include <string>

#include <unistd.h>

#include <fmt/format.h>

#include <millrace/exec/options.hpp>

namespace millrace {

/// Returns a progress hook. With total > 0 it shows a bar and a percentage, else a counter.
inline std::function<void(const progress&)> progress_bar(std::string label, std::uint64_t total = 0,
                                                         bool force = false) {
  const bool tty = force || ::isatty(STDERR_FILENO);
  return [label = std::move(label), total, tty](const progress& p) {
    if (!tty) return;
    const double rate = p.rate();
    std::string line;
    if (total > 0) {
      const double frac = std::min(1.0, double(p.records_in) / double(total));
      const int width = 30, filled = int(frac * width);
      line = fmt::format("\r{} [{}{}] {:5.1f}% {}/{} records, {:.0f} rec/s", label, std::string(filled, '#'),
                         std::string(width - filled, '.'), 100 * frac, p.records_in, total, rate);
    } else {
      line = fmt::format("\r{}: {} records in, {} out, {:.0f} rec/s, {:.1f} s", label, p.records_in, p.records_out,
                         rate, p.elapsed.count());
    }
    std::fputs(line.c_str(), stderr);
    if (p.finished) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

}  // namespace millrace
