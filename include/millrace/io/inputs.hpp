// millrace::io::expand_inputs: turns files, directories and globs into a sorted list of files.
//   auto files = millrace::io::expand_inputs({"shards/*.jsonl.zst", "extra/"});
#pragma once

#include <millrace/io/error.hpp>

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace millrace::io {

// Each entry expands in sorted (byte-wise) order; entries keep the order they are given in.
// A directory contributes every regular file below it (recursively) except hidden ones (".*"),
// in-progress outputs ("*.tmp") and manifests ("manifest.json"). An entry that matches nothing is
// an error: a typo must not produce an empty, successful run.
inline std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& entries) {
  namespace fs = std::filesystem;
  std::vector<fs::path> out;
  for (const auto& e : entries) {
    std::vector<fs::path> found;
    std::error_code ec;
    if (fs::is_directory(e, ec)) {
      for (auto it = fs::recursive_directory_iterator(e, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (!it->is_regular_file()) continue;
        if (name == "manifest.json" || it->path().extension() == ".tmp") continue;
        found.push_back(it->path());
      }
      if (ec) throw input_error(e, 0, "cannot list directory: " + ec.message());
    } else if (fs::exists(e, ec)) {
      found.emplace_back(e);
    } else {
      glob_t g{};
      int rc = ::glob(e.c_str(), 0, nullptr, &g);
      if (rc == 0)
        for (std::size_t i = 0; i < g.gl_pathc; ++i)
          if (fs::is_regular_file(g.gl_pathv[i], ec)) found.emplace_back(g.gl_pathv[i]);
      ::globfree(&g);
    }
    if (found.empty()) throw input_error(e, 0, "no input file matches");
    std::sort(found.begin(), found.end(),
              [](const fs::path& a, const fs::path& b) { return a.string() < b.string(); });
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace millrace::io
