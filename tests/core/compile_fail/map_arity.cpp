// Must not compile: a map's callable with two parameters; the error says it must take one.
#include <millrace/core.hpp>
#include <string>
#include <vector>
struct Page {
  std::string text;
};
int main() {
  std::vector<Page> pages{{"a"}};
#ifdef MILLRACE_CONTROL
  auto p = millrace::from_range(pages) | millrace::map([](const Page& pg) { return pg.text.size(); });
#else
  auto p = millrace::from_range(pages) | millrace::map([](const Page& pg, int n) { return pg.text.size() + n; });
#endif
  return millrace::to_vector(p).size() == 1 ? 0 : 1;
}
