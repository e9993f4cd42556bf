// millrace::io::check_outputs: what a job checks before it reads anything — no output directory
// equals, contains or lies inside an input (after resolving symlinks), no output file is an
// input, and every output can be created (its directory exists and is writable).
//   millrace::io::check_outputs(inputs, {.dir = "out/", .files = {"report.json", "clusters.jsonl"}});
#pragma once

#include <millrace/io/atomic_file.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/inputs.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace millrace::io {

struct output_paths {
  std::filesystem::path dir;                  // sharded output directory (may not exist yet); empty: none
  std::vector<std::filesystem::path> files;   // single-file outputs (report, clusters, rejects); empty entries ignored
};

namespace detail {

// The path with every symlink in its existing prefix resolved, absolute.
inline std::filesystem::path resolved(const std::filesystem::path& p) {
  std::error_code ec;
  auto r = std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
  return ec ? std::filesystem::absolute(p).lexically_normal() : r;
}

// a == b or a lies below b (both resolved).
inline bool is_within(const std::filesystem::path& a, const std::filesystem::path& b) {
  auto ai = a.begin(), bi = b.begin();
  for (; bi != b.end(); ++ai, ++bi) {
    if (bi->empty()) continue;   // a trailing separator
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

// Creating and dropping an atomic_file is the honest test: access(2) says yes to root on a
// read-only directory, and says nothing about a full disk's inode table.
inline void probe_writable(const std::filesystem::path& target) {
  try {
    atomic_file probe(target, durability::no_fsync);
  } catch (const output_error& e) {
    throw output_error(target.string(), "cannot be written: " + e.reason);
  }
}

}  // namespace detail

/// One output file, before any work: it can be created there (else output_error naming it), and
/// a killed run's temporary files of it are gone.
inline void prepare_output_file(const std::filesystem::path& file) {
  detail::probe_writable(file);
  remove_stale_temps(file);
}

/// Throws std::invalid_argument (overlap, naming both paths) or output_error (cannot write) before
/// any work starts. `inputs` are the job's input entries (files, directories, globs) as given.
/// Creates the output directory if needed and removes a killed run's temporary files of the
/// output files (the shard writer does the same for its directory).
inline void check_outputs(const std::vector<std::string>& inputs, const output_paths& out) {
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

/// A job's last step: its printed report reached standard output (a full disk or a closed pipe
/// under `> file` would otherwise exit 0 with the report lost).
inline void check_stdout() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout))
    throw output_error("standard output", "cannot write: " + std::string(std::strerror(errno)));
}

}  // namespace millrace::io
