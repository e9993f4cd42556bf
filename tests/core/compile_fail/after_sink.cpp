// Must not compile: nothing can follow a sink.
#include <millrace/core.hpp>
#include <vector>
int main() {
  std::vector<int> in{1, 2, 3}, out;
#ifdef MILLRACE_CONTROL
  auto p = millrace::from_range(in) | millrace::map([](int x) { return x; }) | millrace::collect(out);
#else
  auto p = millrace::from_range(in) | millrace::collect(out) | millrace::map([](int x) { return x; });
#endif
  (void)p;
  return 0;
}
