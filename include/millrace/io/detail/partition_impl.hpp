// millrace/io/detail/partition_impl.hpp — the definitions behind io/partition.hpp.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/byte_source.hpp>
#include <millrace/io/partition.hpp>

namespace millrace::io {

namespace detail {

MILLRACE_INLINE bool splittable(const std::filesystem::path& f, std::uint64_t size) {
  if (size == 0 || f.extension() == ".zst") return false;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(f, ec)) return false;
  return !byte_source(f).compressed();
}

MILLRACE_INLINE std::size_t part_of(u128 twice_mid, std::uint64_t total, std::size_t parts) {
  // The part whose share of [0, total) holds the midpoint (given doubled, to stay integral).
  const auto p = static_cast<std::size_t>(twice_mid * parts / (detail::u128)(2 * (detail::u128)total));
  return std::min(p, parts - 1);
}

}  // namespace detail

MILLRACE_INLINE std::vector<input_part> partition_inputs(const std::vector<std::string>& entries, std::size_t parts,
                                                         const partition_options& opt) {
  namespace fs = std::filesystem;
  if (parts == 0) throw std::invalid_argument("millrace::io::partition_inputs: parts must be at least 1");
  const auto files = expand_inputs(entries);
  std::vector<std::uint64_t> size(files.size(), 0);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    if (fs::is_regular_file(files[i], ec)) {
      const auto n = fs::file_size(files[i], ec);
      if (!ec) size[i] = n;
    }
    total += size[i];
  }
  std::vector<input_part> out(parts);
  for (std::size_t k = 0; k < parts; ++k) out[k].index = k;
  auto add = [&](std::size_t part, std::size_t i, std::uint64_t a, std::uint64_t b, bool last) {
    auto& p = out[part];
    p.bytes += b - a;
    if (!p.ranges.empty() && p.ranges.back().input == i) {   // the same file's next range: one range
      p.ranges.back().end = last ? input_range::whole_file : b;
      return;
    }
    input_range r;
    r.input = i;
    r.file = files[i];
    r.begin = a;
    r.end = last ? input_range::whole_file : b;
    p.ranges.push_back(std::move(r));
  };
  std::uint64_t start = 0;   // of file i in the concatenation of all files
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::uint64_t n = size[i];
    if (total == 0 || parts == 1 || !opt.split_files || !detail::splittable(files[i], n)) {
      add(total == 0 ? 0 : detail::part_of((detail::u128)start * 2 + n, total, parts), i, 0, n, true);
      start += n;
      continue;
    }
    // Cuts where the part boundaries ceil(k * total / parts) fall inside the file.
    std::vector<std::uint64_t> cuts{0};
    for (std::size_t k = 1; k < parts; ++k) {
      const auto b = static_cast<std::uint64_t>(((detail::u128)k * total + parts - 1) / parts);
      if (b <= start || b >= start + n) continue;
      const std::uint64_t c = b - start;
      if (c - cuts.back() < opt.min_range_bytes || n - c < opt.min_range_bytes) continue;
      cuts.push_back(c);
    }
    cuts.push_back(n);
    for (std::size_t j = 0; j + 1 < cuts.size(); ++j) {
      const std::uint64_t a = cuts[j], b = cuts[j + 1];
      add(detail::part_of((detail::u128)start * 2 + a + b, total, parts), i, a, b, j + 2 == cuts.size());
    }
    start += n;
  }
  return out;
}

}  // namespace millrace::io
