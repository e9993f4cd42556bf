// A fresh temporary directory per test, removed at the end (tests/common: shared by every test folder).
//   mrtest::temp_dir d("recipe");            // <tmp>/millrace-recipe-<pid>-<n>, empty
//   write_file(d / "in.jsonl", "...");  CHECK(d.entries().empty());
#pragma once

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace mrtest {

/// A directory of its own under the system's temporary directory, named by a tag, the process id
/// and a counter (so tests in one binary, and binaries run in parallel, never share one); created
/// empty, removed with everything in it by the destructor (owner permissions restored first, for
/// tests that make it unwritable).
class temp_dir {
 public:
  /// Creates <tmp>/millrace-<tag>-<pid>-<n>, empty.
  explicit temp_dir(std::string_view tag = "test") {
    static std::atomic<unsigned> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("millrace-" + std::string(tag) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path, ec);
  }

  /// The directory's path.
  std::filesystem::path path;

  /// A path inside the directory.
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path / name; }
  /// The directory's path, where a function takes one.
  operator const std::filesystem::path&() const { return path; }

  /// The names directly inside the directory, sorted.
  std::vector<std::string> top_entries() const {
    std::vector<std::string> v;
    for (const auto& e : std::filesystem::directory_iterator(path)) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }
  /// Every file and directory below it, as paths relative to it, sorted (what a test left there).
  std::vector<std::string> entries() const {
    std::vector<std::string> v;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path))
      v.push_back(e.path().lexically_relative(path).string());
    std::sort(v.begin(), v.end());
    return v;
  }
};

}  // namespace mrtest
