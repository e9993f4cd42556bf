// millrace::io::manifest: the JSON file next to sharded outputs that lists each shard with its
// record count and digests, and (for resumable jobs) which inputs are complete.
//   auto m = millrace::io::manifest::load("out/manifest.json"); m.save("out/manifest.json");
//
// What it claims is true at every instant: "complete": true only once every listed shard is on
// disk with the listed digests; while a run is in progress (or after it failed or was killed) it
// says "complete": false, lists only the shards it has finished, and under "owned" every file name
// a run may have placed in the directory: the only files a later run may delete or replace.
#pragma once

#include <millrace/io/atomic_file.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/json.hpp>

#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace millrace::io {

struct shard_info {
  std::string file;              // name inside the output directory
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;       // uncompressed content bytes
  std::uint64_t file_bytes = 0;  // bytes on disk
  std::string xxh3_128;          // digest of the file's bytes (xxhsum -H2 <file>)
  std::string content_xxh3_128;  // digest of the uncompressed content
};

// One input of a resumable job: done once all its records have reached the sink.
struct input_info {
  std::uint32_t index = 0;
  std::string path;              // empty when no record of it reached the sink
  std::uint64_t records = 0;     // records written for it
  std::vector<shard_info> shards;
};

struct manifest {
  bool complete = false;         // the run finished
  bool per_input = false;        // resumable layout: shards grouped by input
  std::vector<shard_info> shards;    // every shard in order (for per_input: flattened)
  std::vector<input_info> inputs;    // per_input only: completed inputs, by index
  // Incomplete manifests only: names a run may have written here (listed before the file is
  // created), so that clean-up never touches a file no millrace run wrote.
  std::vector<std::string> owned;

  std::uint64_t records() const {
    std::uint64_t n = 0;
    for (auto& s : shards) n += s.records;
    return n;
  }

  // Deterministic text (no time stamps): a resumed run writes the same bytes as an uninterrupted one.
  std::string to_json() const {
    std::string o = "{\n  \"format\": \"millrace-manifest-1\",\n  \"complete\": ";
    o += complete ? "true" : "false";
    o += ",\n  \"records\": " + std::to_string(records());
    o += ",\n  \"shards\": [";
    append_shards(o, shards, "    ");
    o += "]";
    if (per_input) {
      o += ",\n  \"inputs\": [";
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        const auto& in = inputs[i];
        o += i ? ",\n    {" : "\n    {";
        o += "\"index\": " + std::to_string(in.index) + ", \"path\": ";
        json_append_string(o, in.path);
        o += ", \"records\": " + std::to_string(in.records) + ", \"shards\": [";
        for (std::size_t k = 0; k < in.shards.size(); ++k) {
          if (k) o += ", ";
          json_append_string(o, in.shards[k].file);
        }
        o += "]}";
      }
      o += inputs.empty() ? "]" : "\n  ]";
    }
    if (!complete) {
      o += ",\n  \"owned\": [";
      for (std::size_t i = 0; i < owned.size(); ++i) {
        o += i ? ", " : "";
        json_append_string(o, owned[i]);
      }
      o += "]";
    }
    o += "\n}\n";
    return o;
  }

  // Written atomically (atomic_file): readers see the old manifest or the new one, never a part.
  void save(const std::filesystem::path& file, durability d = durability::fsync) const {
    write_file_atomically(file, to_json(), d);
  }

  static std::optional<manifest> load(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    simdjson::padded_string text;
    if (simdjson::padded_string::load(file.string()).get(text))
      throw input_error(file.string(), 0, "cannot read manifest");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(text).get(root)) throw input_error(file.string(), 0, "manifest is not valid JSON");
    try {
      std::string_view format;
      if (root["format"].get(format) || format != "millrace-manifest-1")
        throw input_error(file.string(), 0, "not a millrace manifest (no \"format\": \"millrace-manifest-1\"); "
                                            "refusing to replace it: choose another output directory");
      manifest m;
      m.complete = bool(root["complete"]);
      simdjson::dom::array own;
      if (!root["owned"].get(own))
        for (auto o : own) m.owned.emplace_back(std::string_view(o));
      for (auto s : simdjson::dom::array(root["shards"])) m.shards.push_back(read_shard(s));
      simdjson::dom::array ins;
      if (!root["inputs"].get(ins)) {
        m.per_input = true;
        std::vector<std::string> names;
        for (auto in : ins) {
          input_info ii;
          ii.index = static_cast<std::uint32_t>(std::uint64_t(in["index"]));
          ii.path = std::string(std::string_view(in["path"]));
          ii.records = std::uint64_t(in["records"]);
          for (auto s : simdjson::dom::array(in["shards"])) {
            std::string_view name = s;
            for (auto& sh : m.shards)
              if (sh.file == name) ii.shards.push_back(sh);
          }
          m.inputs.push_back(std::move(ii));
        }
      }
      return m;
    } catch (const simdjson::simdjson_error& e) {
      throw input_error(file.string(), 0, std::string("malformed manifest: ") + e.what());
    }
  }

 private:
  static shard_info read_shard(simdjson::dom::element s) {
    shard_info i;
    i.file = std::string(std::string_view(s["file"]));
    i.records = std::uint64_t(s["records"]);
    i.bytes = std::uint64_t(s["bytes"]);
    i.file_bytes = std::uint64_t(s["file_bytes"]);
    i.xxh3_128 = std::string(std::string_view(s["xxh3_128"]));
    i.content_xxh3_128 = std::string(std::string_view(s["content_xxh3_128"]));
    return i;
  }
  static void append_shards(std::string& o, const std::vector<shard_info>& v, const char* indent) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto& s = v[i];
      o += i ? ",\n" : "\n";
      o += indent;
      o += "{\"file\": ";
      json_append_string(o, s.file);
      o += ", \"records\": " + std::to_string(s.records) + ", \"bytes\": " + std::to_string(s.bytes) +
           ", \"file_bytes\": " + std::to_string(s.file_bytes) + ", \"xxh3_128\": \"" + s.xxh3_128 +
           "\", \"content_xxh3_128\": \"" + s.content_xxh3_128 + "\"}";
    }
    if (!v.empty()) o += "\n  ";
  }
};

}  // namespace millrace::io
