// Non-linear graphs: route records by a predicate, broadcast to a side output, merge back.
// Lowered to tbb::flow::graph; the merged order is deterministic (per batch, branch order).
#include <millrace/core.hpp>

#include <string>
#include <vector>

namespace mr = millrace;

int main() {
  std::vector<int> numbers(20);
  for (int i = 0; i < 20; ++i) numbers[std::size_t(i)] = i;
  std::vector<int> audit;
  std::vector<std::string> out;

  auto job = mr::from_range(numbers) |
             mr::broadcast(mr::collect(audit, "audit_log"),  // side output: every record, in order
                           mr::route([](int x) { return x % 2 == 0; },
                                     mr::map([](int x) { return "even " + std::to_string(x); }, "label_even"),
                                     mr::map([](int x) { return "odd " + std::to_string(x); }, "label_odd"))) |
             mr::collect(out, "labels");

  auto report = mr::run(job, mr::cpu{.threads = 2, .batch_size = 5});
  fmt::print("{}\n", report);
  for (std::size_t i = 0; i < 5; ++i) fmt::print("{}\n", out[i]);
  fmt::print("...\n\n{}", mr::to_dot(job));
  // first batch is 0..4: evens first, then odds
  return audit.size() == 20 && out.size() == 20 && out[0] == "even 0" && out[3] == "odd 1" ? 0 : 1;
}
