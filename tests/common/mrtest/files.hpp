// Whole-file helpers for tests (tests/common): write a file, read it back, read the lines of a
// writer's output directory.
//   mrtest::write_file(d / "a.jsonl", "{}\n");   auto lines = mrtest::output_lines(d / "out");
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mrtest {

/// Writes bytes to a file (creating its parent directories), replacing what was there; throws
/// naming the file when it cannot.
inline void write_file(const std::filesystem::path& p, const std::string& bytes) {
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

/// A file's bytes ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// A text file's lines, without their '\n'.
inline std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::vector<std::string> out;
  for (std::string l; std::getline(f, l);) out.push_back(l);
  return out;
}

/// Every line of every shard (part-*) of a writer's output directory, in shard order.
inline std::vector<std::string> output_lines(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> shards;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().rfind("part-", 0) == 0) shards.push_back(e.path());
  std::sort(shards.begin(), shards.end());
  std::vector<std::string> out;
  for (const auto& s : shards)
    for (auto& l : read_lines(s)) out.push_back(std::move(l));
  return out;
}

}  // namespace mrtest
