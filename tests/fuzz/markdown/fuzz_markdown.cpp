// libFuzzer harness: the Markdown outline parser. Any text is Markdown: no exception, no crash.
// Oracles: node 0 is the document; sections have levels 1..6 and nest deeper than their parent;
// line numbers stay within the input.
#include <millrace/text/markdown.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace mt = millrace::text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view src(reinterpret_cast<const char*>(data), size);
  const mt::md_tree doc = mt::parse_markdown(src);
  if (doc.size() == 0 || doc[0].kind != mt::md_kind::document) std::abort();
  const std::size_t lines = static_cast<std::size_t>(std::count(src.begin(), src.end(), '\n')) + 1;
  for (std::size_t id = 0; id < doc.size(); ++id) {
    const mt::md_node& n = doc[id];
    if (id > 0 && (n.line == 0 || n.line > lines)) std::abort();
    if (n.kind == mt::md_kind::section && (n.level < 1 || n.level > 6)) std::abort();
    for (auto child : doc.children(id)) {
      if (child <= id) std::abort();   // ids in document order
      const mt::md_node& c = doc[child];
      if (c.kind == mt::md_kind::document) std::abort();
      if (c.kind == mt::md_kind::section && n.kind == mt::md_kind::section && c.level <= n.level) std::abort();
      if (n.kind != mt::md_kind::document && n.kind != mt::md_kind::section) std::abort();
    }
  }
  return 0;
}
