// millrace/llm/cache.hpp — millrace::llm::response_cache: validated replies on disk, keyed by
// (endpoint URL, request body), the body holding the model, the messages and the sampling
// parameters. A rerun reads the stored reply instead of paying for it again, and parses it exactly
// as the first run did, so the output is byte-identical. Entries are written atomically
// (io::write_file_atomically).
//   llm::response_cache c("cache/"); if (auto r = c.get(url, body)) ...; c.put(url, body, reply);
#pragma once

#include <millrace/io/atomic_file.hpp>
#include <millrace/io/digest.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace millrace::llm {

/// Replies on disk keyed by (URL, request body): one file per key, written atomically.
class response_cache {
 public:
  explicit response_cache(std::filesystem::path dir) : dir_(std::move(dir)) { std::filesystem::create_directories(dir_); }

  /// The stored reply; nullopt when absent (or when the file's key differs: a hash collision).
  std::optional<std::string> get(const std::string& url, const std::string& body) const {
    const std::string key = key_text(url, body);
    std::ifstream in(path(key), std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    // The file is "<key length>\n<key><reply>": the key is kept to tell a collision from a hit.
    const auto nl = text.find('\n');
    if (nl == std::string::npos) return std::nullopt;
    // A corrupt length (a file cut short, edited by hand) is a miss: the request is made again.
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + nl, n);
    if (ec != std::errc{} || end != text.data() + nl) return std::nullopt;
    if (text.size() < nl + 1 + n || text.compare(nl + 1, n, key) != 0) return std::nullopt;
    return text.substr(nl + 1 + n);
  }

  /// Stores reply under (url, body), replacing an earlier entry; atomic, but not fsynced.
  void put(const std::string& url, const std::string& body, const std::string& reply) const {
    const std::string key = key_text(url, body);
    io::write_file_atomically(path(key), std::to_string(key.size()) + "\n" + key + reply, io::durability::no_fsync);
  }

  /// The cache directory (created by the constructor).
  const std::filesystem::path& dir() const { return dir_; }

 private:
  static std::string key_text(const std::string& url, const std::string& body) { return url + "\n" + body; }
  std::filesystem::path path(const std::string& key) const { return dir_ / (io::digest128_hex(key) + ".json"); }
  std::filesystem::path dir_;
};

}  // namespace millrace::llm
