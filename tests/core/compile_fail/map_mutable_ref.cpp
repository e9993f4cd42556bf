// Must not compile: a map that takes the record by non-const reference; the error says so.
#include <millrace/core.hpp>
#include <string>
#include <vector>
struct Page {
  std::string text;
};
int main() {
  std::vector<Page> pages{{"a"}};
#ifdef MILLRACE_CONTROL
  auto p = millrace::from_range(pages) | millrace::map([](Page pg) { pg.text += "!"; return pg; });
#else
  auto p = millrace::from_range(pages) | millrace::map([](Page& pg) { pg.text += "!"; return pg; });
#endif
  return millrace::to_vector(p).size() == 1 ? 0 : 1;
}
