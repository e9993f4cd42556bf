// millrace/io/output_paths.hpp — millrace::io::check_outputs: what a job checks before it reads
// anything — no output directory equals, contains or lies inside an input (after resolving
// symlinks), no output file is an input, and every output can be created (its directory exists and
// is writable).
//   millrace::io::check_outputs(inputs, {.dir = "out/", .files = {"report.json", "clusters.jsonl"}});
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/inputs.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace millrace::io {

/// The outputs a job will write (a directory and files), checked against its inputs before any work.
struct output_paths {
  std::filesystem::path dir;                  ///< sharded output directory (may not exist yet); empty: none
  std::vector<std::filesystem::path> files;   ///< single-file outputs (report, clusters, rejects); empty entries ignored
};

namespace detail {

// The path with every symlink in its existing prefix resolved, absolute.
std::filesystem::path resolved(const std::filesystem::path& p);

// a == b or a lies below b (both resolved).
bool is_within(const std::filesystem::path& a, const std::filesystem::path& b);

// Creating and dropping an atomic_file is the honest test: access(2) says yes to root on a
// read-only directory, and says nothing about a full disk's inode table.
void probe_writable(const std::filesystem::path& target);

}  // namespace detail

/// One output file, before any work: it can be created there (else output_error naming it), and
/// a killed run's temporary files of it are gone.
void prepare_output_file(const std::filesystem::path& file);

/// Throws std::invalid_argument (overlap, naming both paths) or output_error (cannot write) before
/// any work starts. `inputs` are the job's input entries (files, directories, globs) as given.
/// Creates the output directory if needed and removes a killed run's temporary files of the
/// output files (the shard writer does the same for its directory).
void check_outputs(const std::vector<std::string>& inputs, const output_paths& out);

/// A job's last step: its printed report reached standard output (a full disk or a closed pipe
/// under `> file` would otherwise exit 0 with the report lost).
void check_stdout();

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/output_paths_impl.hpp>
#endif
