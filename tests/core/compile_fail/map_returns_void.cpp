// Must not compile: a map whose callable returns void; the error points to mr::inspect.
#include <millrace/core.hpp>
#include <string>
#include <vector>
struct Page {
  std::string text;
};
int main() {
  std::vector<Page> pages{{"a"}};
#ifdef MILLRACE_CONTROL
  auto p = millrace::from_range(pages) | millrace::inspect([](const Page& pg) { (void)pg; });
#else
  auto p = millrace::from_range(pages) | millrace::map([](Page pg) { pg.text += "!"; });
#endif
  return millrace::to_vector(p).size() == 1 ? 0 : 1;
}
