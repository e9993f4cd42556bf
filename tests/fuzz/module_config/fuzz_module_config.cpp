// libFuzzer harness: loading a module's parameters from JSON text (millrace::load_config, over
// millrace::json::parse). Documented errors: millrace::json::parse_error (malformed JSON) and
// millrace::config_error (unknown key, wrong type, integer out of range). Anything else escaping is a
// finding. Oracle: after a successful load, config_json() loads back into a fresh module unchanged.
#include <millrace/core/module.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace mr = millrace;

namespace {
struct Inner {
  std::size_t min_chars = 200;
  std::int64_t offset = -1;
  bool strip = true;
  auto parameters() {
    return mr::params(mr::param("min_chars", min_chars, "shortest kept text"), mr::param("offset", offset),
                      mr::param("strip", strip));
  }
};
struct Outer {
  Inner length;
  double ratio = 0.3;
  int level = 3;
  std::uint8_t byte = 7;
  std::string tag = "v1";
  auto parameters() {
    return mr::params(mr::param("length", length), mr::param("ratio", ratio, "a ratio"), mr::param("level", level),
                      mr::param("byte", byte), mr::param("tag", tag));
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Outer m;
  try {
    mr::load_config(m, text);
  } catch (const mr::json::parse_error&) {
    return 0;
  } catch (const mr::config_error&) {
    return 0;
  }
  (void)mr::describe(m);
  const std::string saved = mr::config_json(m);
  Outer back;
  try {
    mr::load_config(back, saved);
  } catch (const std::exception&) {
    std::abort();   // our own output must load back
  }
  if (mr::config_json(back) != saved) std::abort();
  return 0;
}
