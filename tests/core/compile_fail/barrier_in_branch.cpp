// Must not compile: a barrier (a stage with finish()) inside a branch of mr::broadcast. The control
// folds the branch into a result with mr::reduce_into, which works there.
#include <millrace/core.hpp>
#include <vector>
struct sum_all {  // a barrier: holds everything back until finish()
  long total = 0;
  std::vector<long> process(std::vector<int>&& batch) {
    for (int x : batch) total += x;
    return {};
  }
  std::vector<long> finish() { return {total}; }
};
int main() {
  std::vector<int> in{1, 2, 3};
  std::vector<int> out;
#ifdef MILLRACE_CONTROL
  long total = 0;
  auto p = millrace::from_range(in) |
           millrace::broadcast(millrace::reduce_into(total, [](long t, const int& x) { return t + x; }),
                               millrace::map([](int x) { return x; })) |
           millrace::collect(out);
  millrace::run(p, millrace::serial_executor{});
  return total == 6 && out.size() == 3 ? 0 : 1;
#else
  std::vector<long> sums;
  auto p = millrace::from_range(in) |
           millrace::broadcast(millrace::stage(sum_all{}) | millrace::collect(sums), millrace::map([](int x) { return x; })) |
           millrace::collect(out);
  millrace::run(p, millrace::serial_executor{});
  return 0;
#endif
}
