// Must not compile: broadcast branches that produce different record types cannot merge.
#include <millrace/core.hpp>
#include <string>
#include <vector>
int main() {
  std::vector<int> in{1, 2, 3};
#ifdef MILLRACE_CONTROL
  auto p = millrace::from_range(in) |
           millrace::broadcast(millrace::map([](int x) { return x; }), millrace::map([](int x) { return x * 2; }));
#else
  auto p = millrace::from_range(in) |
           millrace::broadcast(millrace::map([](int x) { return x; }), millrace::map([](int x) { return std::to_string(x); }));
#endif
  return millrace::to_vector(p).size() == 6 ? 0 : 1;
}
