// millrace/io/detail/inputs_impl.hpp — the definitions behind io/inputs.hpp (listing and
// globbing inputs, reading an output directory's manifest).
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/inputs.hpp>

#include <glob.h>
#include <simdjson.h>

namespace millrace::io {

namespace detail {

// Why a directory entry (or glob match) that is not a regular file cannot be read as data; empty
// for a regular file (or a link to one). Found without opening it: opening a FIFO blocks.
MILLRACE_INLINE std::string not_regular_reason(const std::filesystem::path& p) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(p, ec);
  switch (st.type()) {
    case fs::file_type::regular: return {};
    case fs::file_type::directory: return "not a regular file (symbolic link to a directory, not followed: name it explicitly)";
    case fs::file_type::fifo: return "not a regular file (FIFO)";
    case fs::file_type::socket: return "not a regular file (socket)";
    case fs::file_type::block: return "not a regular file (block device)";
    case fs::file_type::character: return "not a regular file (character device)";
    case fs::file_type::not_found:
      return fs::is_symlink(fs::symlink_status(p, ec)) ? "not a regular file (dangling symbolic link)"
                                                       : "not a regular file (vanished while listed)";
    default: return "not a regular file";
  }
}

// The shards a millrace writer's manifest.json in dir lists, in its order; nullopt when dir has
// no manifest.json or it is not a millrace manifest (then it is an ordinary directory). A
// manifest of an incomplete run, or one listing a shard that is missing, is an error.
MILLRACE_INLINE std::optional<std::vector<std::filesystem::path>> manifest_shards(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const fs::path mf = dir / "manifest.json";
  std::error_code ec;
  if (!fs::is_regular_file(mf, ec)) return std::nullopt;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(mf.string()).get(text)) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view format;
  if (parser.parse(text).get(root) || root["format"].get(format) || format != "millrace-manifest-1")
    return std::nullopt;   // someone else's manifest.json: not data either, skipped by name
  bool complete = false;
  simdjson::dom::array shards;
  if (root["complete"].get(complete) || root["shards"].get(shards))
    throw input_error(mf.string(), 0, "malformed millrace manifest (no \"complete\" or \"shards\")");
  if (!complete)
    throw input_error(dir.string(), 0,
                      "holds the output of an incomplete run (manifest.json: complete false); rerun that job, "
                      "or name the files explicitly");
  std::vector<fs::path> out;
  for (auto s : shards) {
    std::string_view name;
    if (s["file"].get(name) || name.empty() || name.find('/') != std::string_view::npos || name == "." ||
        name == "..")
      throw input_error(mf.string(), 0, "malformed millrace manifest (a shard without a plain file name)");
    fs::path p = dir / std::string(name);
    if (!fs::exists(fs::symlink_status(p, ec)))
      throw input_error(p.string(), 0, "listed in " + mf.string() + " but missing");
    if (auto why = not_regular_reason(p); !why.empty()) throw input_error(p.string(), 0, why);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace detail

MILLRACE_INLINE std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& entries) {
  namespace fs = std::filesystem;
  std::vector<fs::path> out;
  for (const auto& e : entries) {
    if (e == "-") {   // standard input, read as a stream (byte_source)
      out.emplace_back("-");
      continue;
    }
    // Sort keys with their files: a millrace output directory is one group keyed by "dir/",
    // which sorts where its files would (nothing else in the list starts with that prefix).
    std::vector<std::pair<std::string, std::vector<fs::path>>> found;
    std::error_code ec;
    if (fs::is_directory(e, ec)) {
      if (auto shards = detail::manifest_shards(e)) {
        found.emplace_back(fs::path(e).string(), std::move(*shards));
      } else {
        for (auto it = fs::recursive_directory_iterator(e, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
          const fs::path& p = it->path();
          const auto name = p.filename().string();
          std::error_code ec2;   // the entry's own status; ec is the listing's
          const bool real_dir = it->symlink_status(ec2).type() == fs::file_type::directory;
          if (!name.empty() && name[0] == '.') {
            if (real_dir) it.disable_recursion_pending();
            continue;
          }
          if (real_dir) {
            if (auto shards = detail::manifest_shards(p)) {
              it.disable_recursion_pending();
              found.emplace_back(p.string() + "/", std::move(*shards));
            }
            continue;
          }
          if (name == "manifest.json" || p.extension() == ".tmp") continue;
          if (auto why = detail::not_regular_reason(p); !why.empty()) throw input_error(p.string(), 0, why);
          found.emplace_back(p.string(), std::vector<fs::path>{p});
        }
        if (ec) throw input_error(e, 0, "cannot list directory: " + ec.message());
      }
    } else if (fs::exists(e, ec)) {
      found.emplace_back(e, std::vector<fs::path>{fs::path(e)});
    } else {
      glob_t g{};
      int rc = ::glob(e.c_str(), 0, nullptr, &g);
      if (rc == 0)
        for (std::size_t i = 0; i < g.gl_pathc; ++i) {
          const fs::path p = g.gl_pathv[i];
          std::error_code ec2;
          if (fs::is_directory(p, ec2)) continue;   // a pattern such as "data/*" also meets folders
          if (auto why = detail::not_regular_reason(p); !why.empty()) {
            ::globfree(&g);
            throw input_error(p.string(), 0, why);
          }
          found.emplace_back(p.string(), std::vector<fs::path>{p});
        }
      ::globfree(&g);
    }
    std::size_t n = 0;
    for (auto& f : found) n += f.second.size();
    if (n == 0) throw input_error(e, 0, "no input file matches");
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& f : found) out.insert(out.end(), f.second.begin(), f.second.end());
  }
  return out;
}

}  // namespace millrace::io
