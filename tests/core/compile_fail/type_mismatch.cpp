// Must not compile: a map that takes int cannot follow a source of Doc.
#include <millrace/core.hpp>
#include <string>
#include <vector>
struct Doc {
  std::string text;
};
int main() {
  std::vector<Doc> docs{{"a"}};
#ifdef MILLRACE_CONTROL
  auto p = millrace::from_range(docs) | millrace::map([](Doc d) { return d.text.size(); });
#else
  auto p = millrace::from_range(docs) | millrace::map([](int x) { return x + 1; });
#endif
  return millrace::to_vector(p).size() == 1 ? 0 : 1;
}
