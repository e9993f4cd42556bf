// The composition half of the core builds without any executor: <millrace/core/compose.hpp>,
// <millrace/core/parallel.hpp> and the executor concept include no TBB header, so an operator
// header (or a third executor) that includes them does not pull in oneTBB.
#include <millrace/core/compose.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/exec/executor.hpp>

#ifdef TBB_VERSION_MAJOR  // defined by every oneTBB header (oneapi/tbb/version.h)
#error "a core composition header includes oneTBB"
#endif

#include <doctest/doctest.h>

#include <vector>

namespace mr = millrace;

TEST_CASE("headers.compose.no_executor.pipeline_builds_and_backend_is_serial") {
  std::vector<int> in{3, 1, 2}, out;
  auto p = mr::from_range(in) | mr::map([](int x) { return x * 10; }) | mr::collect(out);
  static_assert(mr::detail::is_pipeline<decltype(p)>::value);
  CHECK(mr::parallel_concurrency() == 1);
  mr::parallel_sort(in.begin(), in.end());
  CHECK(in == std::vector<int>{1, 2, 3});
}
