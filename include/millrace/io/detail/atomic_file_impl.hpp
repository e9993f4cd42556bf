// millrace/io/detail/atomic_file_impl.hpp — the definitions behind io/atomic_file.hpp.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/atomic_file.hpp>

namespace millrace::io {

MILLRACE_INLINE bool is_atomic_temp_name(std::string_view name) {
  if (name.size() < 1 + 1 + 17 + 4 || name.front() != '.' || !name.ends_with(".tmp")) return false;
  const auto hex = name.substr(name.size() - 4 - 16, 16);
  if (name[name.size() - 4 - 17] != '.') return false;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

MILLRACE_INLINE void remove_stale_temps(const std::filesystem::path& target) {
  // Appended, not `"." + name`: g++ 12 -O3 warns (-Wrestrict, a false positive) on the latter
  // in a function compiled out of line.
  std::string prefix = ".";
  prefix += target.filename().string();
  prefix += '.';
  remove_stale_temps_in(detail::parent_or_dot(target), [&](std::string_view name) {
    return name.starts_with(prefix) && name.size() == prefix.size() + 16 + 4;
  });
}

MILLRACE_INLINE void write_file_atomically(const std::filesystem::path& target, std::string_view text, durability d) {
  atomic_file f(target, d);
  f.write(text);
  f.commit();
}

}  // namespace millrace::io
