#include <doctest/doctest.h>
#include <millrace/core.hpp>
namespace mr = millrace;
TEST_CASE("smoke") {
  std::vector<int> in(10000); for (int i = 0; i < 10000; ++i) in[i] = i;
  std::vector<long> out;
  auto p = mr::from_range(in) | mr::map([](int x) { return long(x) * 2; }) | mr::filter([](long x) { return x % 3 == 0; }) | mr::collect(out);
  auto r = mr::run(p, mr::cpu{.threads = 2, .batch_size = 64});
  CHECK(out.size() == 3334);
  std::vector<long> out2;
  auto r2 = mr::run(mr::from_range(in) | mr::map([](int x) { return long(x) * 2; }) | mr::filter([](long x) { return x % 3 == 0; }) | mr::collect(out2), mr::serial_executor{});
  CHECK(out == out2);
  MESSAGE(fmt::format("{}", r));
  MESSAGE(mr::to_dot(p));
}
