#include <millrace/millrace.hpp>
#include <vector>
namespace mr = millrace;
int main() {
  std::vector<int> in{1, 2, 3, 4}, out;
  auto report = mr::run(mr::from_range(in) | mr::map([](int x) { return x * x; }) | mr::collect(out));
  fmt::print("{}", report);
  return out == std::vector<int>{1, 4, 9, 16} ? 0 : 1;
}
