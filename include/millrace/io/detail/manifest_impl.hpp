// millrace/io/detail/manifest_impl.hpp — the definitions behind io/manifest.hpp.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/manifest.hpp>

#include <simdjson.h>

namespace millrace::io {

namespace detail {
// One entry of a manifest's "shards" array.
inline shard_info read_shard(simdjson::dom::element s) {
  shard_info i;
  i.file = std::string(std::string_view(s["file"]));
  i.records = std::uint64_t(s["records"]);
  i.bytes = std::uint64_t(s["bytes"]);
  i.file_bytes = std::uint64_t(s["file_bytes"]);
  i.xxh3_128 = std::string(std::string_view(s["xxh3_128"]));
  i.content_xxh3_128 = std::string(std::string_view(s["content_xxh3_128"]));
  return i;
}
}  // namespace detail

MILLRACE_INLINE std::uint64_t manifest::records() const {
  std::uint64_t n = 0;
  for (auto& s : shards) n += s.records;
  return n;
}

MILLRACE_INLINE std::string manifest::to_json() const {
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

MILLRACE_INLINE void manifest::save(const std::filesystem::path& file, durability d) const {
  write_file_atomically(file, to_json(), d);
}

MILLRACE_INLINE std::optional<manifest> manifest::load(const std::filesystem::path& file) {
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
    for (auto s : simdjson::dom::array(root["shards"])) m.shards.push_back(detail::read_shard(s));
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

MILLRACE_INLINE void manifest::append_shards(std::string& o, const std::vector<shard_info>& v, const char* indent) {
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

}  // namespace millrace::io
