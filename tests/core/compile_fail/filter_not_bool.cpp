// Must not compile: a filter whose predicate returns std::string; the error says it must return bool.
#include <millrace/core.hpp>
#include <string>
#include <vector>
struct Page {
  std::string text;
};
int main() {
  std::vector<Page> pages{{"a"}};
#ifdef MILLRACE_CONTROL
  auto p = millrace::from_range(pages) | millrace::filter([](const Page& pg) { return !pg.text.empty(); });
#else
  auto p = millrace::from_range(pages) | millrace::filter([](const Page& pg) { return pg.text; });
#endif
  return millrace::to_vector(p).size() == 1 ? 0 : 1;
}
