// millrace/io/detail/output_paths_impl.hpp — the definitions behind io/output_paths.hpp.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/output_paths.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace millrace::io {

namespace detail {

MILLRACE_INLINE std::filesystem::path resolved(const std::filesystem::path& p) {
  std::error_code ec;
  auto r = std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
  return ec ? std::filesystem::absolute(p).lexically_normal() : r;
}

MILLRACE_INLINE bool is_within(const std::filesystem::path& a, const std::filesystem::path& b) {
  auto ai = a.begin(), bi = b.begin();
  for (; bi != b.end(); ++ai, ++bi) {
    if (bi->empty()) continue;   // a trailing separator
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

MILLRACE_INLINE void probe_writable(const std::filesystem::path& target) {
  try {
    atomic_file probe(target, durability::no_fsync);
  } catch (const output_error& e) {
    throw output_error(target.string(), "cannot be written: " + e.reason());
  }
}

}  // namespace detail

MILLRACE_INLINE void prepare_output_file(const std::filesystem::path& file) {
  detail::probe_writable(file);
  remove_stale_temps(file);
}

MILLRACE_INLINE void check_outputs(const std::vector<std::string>& inputs, const output_paths& out) {
  namespace fs = std::filesystem;
  std::vector<fs::path> in_dirs, in_files;
  for (const auto& e : inputs) {
    std::error_code ec;
    if (fs::is_directory(e, ec)) in_dirs.push_back(detail::resolved(e));
  }
  for (const auto& f : expand_inputs(inputs)) in_files.push_back(detail::resolved(f));

  if (!out.dir.empty()) {
    const auto dir = detail::resolved(out.dir);
    for (const auto& d : in_dirs) {
      if (detail::is_within(dir, d))
        throw std::invalid_argument("output directory " + out.dir.string() + (dir == d ? " is" : " lies inside") +
                                    " the input directory " + d.string() +
                                    ": the job would read or delete its own output; choose an output directory apart");
      if (detail::is_within(d, dir))
        throw std::invalid_argument("output directory " + out.dir.string() + " contains the input directory " +
                                    d.string() + ": choose an output directory apart from the inputs");
    }
    for (const auto& f : in_files)
      if (detail::is_within(f, dir))
        throw std::invalid_argument("output directory " + out.dir.string() + " contains the input file " + f.string() +
                                    ": choose an output directory apart from the inputs");
    std::error_code ec;
    if (fs::exists(out.dir, ec) && !fs::is_directory(out.dir, ec))
      throw output_error(out.dir.string(), "exists and is not a directory");
  }

  std::vector<fs::path> seen;
  for (const auto& file : out.files) {
    if (file.empty()) continue;
    // The directory resolved, the name not: a symlink at the name is replaced, never followed.
    const auto r = detail::resolved(detail::parent_or_dot(file)) / file.filename();
    if (std::find(in_files.begin(), in_files.end(), r) != in_files.end())
      throw std::invalid_argument("output file " + file.string() + " is an input file: it would be overwritten");
    for (const auto& d : in_dirs)
      if (detail::is_within(r, d))
        throw std::invalid_argument("output file " + file.string() + " lies inside the input directory " + d.string() +
                                    ": a rerun would read it as input");
    if (std::find(seen.begin(), seen.end(), r) != seen.end())
      throw std::invalid_argument("output file " + file.string() + " is given for two outputs");
    seen.push_back(r);
    std::error_code ec;
    if (fs::is_directory(file, ec)) throw output_error(file.string(), "is a directory");
    const auto parent = detail::parent_or_dot(file);
    if (!fs::is_directory(parent, ec))
      throw output_error(file.string(), "its directory " + parent.string() + " does not exist");
  }

  // Only once every path is known to be acceptable: create and probe.
  if (!out.dir.empty()) {
    std::error_code ec;
    fs::create_directories(out.dir, ec);
    if (ec) throw output_error(out.dir.string(), "cannot create the output directory: " + ec.message());
    detail::probe_writable(out.dir / "manifest.json");
  }
  for (const auto& file : out.files)
    if (!file.empty()) prepare_output_file(file);
}

MILLRACE_INLINE void check_stdout() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout))
    throw output_error("standard output", "cannot write: " + std::string(std::strerror(errno)));
}

}  // namespace millrace::io
