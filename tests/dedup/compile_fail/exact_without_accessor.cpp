// Must not compile: dedup::exact without a text accessor after a source of Page records; the error
// says that an accessor is needed. The control passes one.
#include <millrace/core.hpp>
#include <millrace/dedup/operators.hpp>
#include <string>
#include <vector>
struct Page { std::string text; };
int main() {
  std::vector<Page> v{{"a"}};
#ifdef MILLRACE_CONTROL
  auto p = millrace::from_range(v) | millrace::dedup::exact({}, [](const Page& pg) { return std::string_view(pg.text); });
#else
  auto p = millrace::from_range(v) | millrace::dedup::exact({});
#endif
  return millrace::to_vector(p).size() == 1 ? 0 : 1;
}
