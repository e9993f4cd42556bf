// millrace/core/parallel.hpp — the parallel algorithms an executor provides to operators: whole-data
// work inside a stage (sorting, union-find, signing a batch) goes through the backend of the run
// it is working for, so the serial executor runs it serially and cpu{.threads = N} uses N threads.
// No executor and no TBB header here: an operator header includes this, never an executor.
//   mr::parallel_for(0, n, 64, [&](std::size_t b, std::size_t e) { for (auto i = b; i < e; ++i) f(i); });
//   mr::parallel_sort(v.begin(), v.end());                          // == std::sort's result
//   auto r = mr::with_executor(mr::cpu{.threads = 4}, [&] { return dedup::near_dedup(texts); });
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace millrace {

/// A non-owning reference to a callable void(std::size_t begin, std::size_t end): what a backend
/// runs on each chunk. Valid while the callable it was made from lives (for_chunks' duration).
class chunk_body {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, chunk_body> && std::is_invocable_v<F&, std::size_t, std::size_t>)
  chunk_body(F& f) noexcept  // NOLINT(google-explicit-constructor): passed like a function pointer
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, std::size_t b, std::size_t e) { (*static_cast<F*>(o))(b, e); }) {}
  void operator()(std::size_t begin, std::size_t end) const { call_(obj_, begin, end); }

 private:
  void* obj_;
  void (*call_)(void*, std::size_t, std::size_t);
};

/// What an executor lends to the code running for it. Implementations: the serial backend here,
/// the oneTBB backend in exec/tbb.hpp; an MPI or GPU executor brings its own (see docs/core-api.md).
class parallel_backend {
 public:
  virtual ~parallel_backend() = default;
  /// How many threads may run chunks at once (1 for the serial backend).
  virtual std::size_t concurrency() const noexcept = 0;
  /// Runs body over [0, n) split into chunks of about `grain` (>= 1) indices, possibly in
  /// parallel, and returns when every chunk is done. The first exception a chunk throws reaches
  /// the caller (chunks not started yet may be skipped).
  virtual void for_chunks(std::size_t n, std::size_t grain, chunk_body body) const = 0;
};

/// The backend of code that runs for no executor, and of the serial executor: chunks in order on
/// the calling thread.
class serial_backend final : public parallel_backend {
 public:
  /// 1: everything runs on the calling thread.
  std::size_t concurrency() const noexcept override { return 1; }
  /// Calls body on each chunk of `grain` indices (0 counts as 1) in order, on the calling thread; the
  /// first exception stops the loop and reaches the caller.
  void for_chunks(std::size_t n, std::size_t grain, chunk_body body) const override {
    if (grain == 0) grain = 1;
    for (std::size_t b = 0; b < n; b += std::min(grain, n - b)) body(b, b + std::min(grain, n - b));
  }
};

namespace detail {
inline thread_local const parallel_backend* current_backend_ptr = nullptr;
inline const serial_backend& the_serial_backend() noexcept {
  static const serial_backend b;
  return b;
}
}  // namespace detail

/// The backend of the run this thread is working for; the serial backend when none is set.
inline const parallel_backend& current_backend() noexcept {
  const parallel_backend* b = detail::current_backend_ptr;
  return b ? *b : detail::the_serial_backend();
}

/// Makes `b` the current backend of this thread until the scope ends, then restores the previous
/// one (scopes nest). An executor opens one on every thread, around every piece of a run it
/// executes there (the source, each stage call, each chunk), so nothing is left pointing at a
/// backend after its run.
class backend_scope {
 public:
  explicit backend_scope(const parallel_backend& b) noexcept : prev_(detail::current_backend_ptr) {
    detail::current_backend_ptr = &b;
  }
  ~backend_scope() { detail::current_backend_ptr = prev_; }
  backend_scope(const backend_scope&) = delete;
  backend_scope& operator=(const backend_scope&) = delete;

 private:
  const parallel_backend* prev_;
};

/// Threads the current backend may use: size scratch or partitions by it, never by the machine.
inline std::size_t parallel_concurrency() noexcept { return current_backend().concurrency(); }

/// body(b, e) over chunks of about `grain` indices covering [begin, end), on the current backend.
template <class F>
void parallel_for(std::size_t begin, std::size_t end, std::size_t grain, F&& body) {
  if (end <= begin) return;
  auto shifted = [&body, begin](std::size_t b, std::size_t e) { body(begin + b, begin + e); };
  current_backend().for_chunks(end - begin, grain ? grain : 1, chunk_body(shifted));
}

namespace detail {
// The current backend seen through a cap: chunks are pulled from a shared counter by at most
// `max` tasks of the base backend, so no more than `max` threads run them at once, and nested
// parallel work inside a chunk sees the cap too.
class capped_backend final : public parallel_backend {
 public:
  capped_backend(const parallel_backend& base, std::size_t max) noexcept : base_(base), max_(max) {}
  std::size_t concurrency() const noexcept override { return std::min(max_, base_.concurrency()); }
  void for_chunks(std::size_t n, std::size_t grain, chunk_body body) const override {
    if (grain == 0) grain = 1;
    const std::size_t chunks = (n + grain - 1) / grain, pullers = std::min(concurrency(), chunks);
    std::atomic<std::size_t> next{0};
    auto pull = [&](std::size_t b, std::size_t e) {
      backend_scope scope(*this);
      for (std::size_t w = b; w < e; ++w)
        for (std::size_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < chunks;)
          body(c * grain, std::min(n, (c + 1) * grain));
    };
    base_.for_chunks(pullers, 1, chunk_body(pull));
  }

 private:
  const parallel_backend& base_;
  std::size_t max_;
};
}  // namespace detail

/// Runs f() with the current backend limited to at most `max` threads (0: no limit), for an
/// operator whose options carry a thread count. It never adds threads: under the serial executor
/// everything stays on one thread.
template <class F>
decltype(auto) with_concurrency_limit(std::size_t max, F&& f) {
  const parallel_backend& base = current_backend();
  if (max == 0 || max >= base.concurrency()) return std::forward<F>(f)();
  const detail::capped_backend capped(base, max);
  backend_scope scope(capped);
  return std::forward<F>(f)();
}

/// One T per thread that asks for it (local()), for scratch buffers reused across chunks in place
/// of thread-local statics. A copy starts empty: scratch is not state.
template <class T>
class per_thread {
 public:
  per_thread() = default;
  per_thread(const per_thread&) {}
  per_thread& operator=(const per_thread&) { return *this; }

  /// This thread's T (default-constructed on first use).
  T& local() {
    const auto id = std::this_thread::get_id();
    std::lock_guard lock(mu_);
    for (auto& [tid, v] : slots_)
      if (tid == id) return *v;
    slots_.emplace_back(id, std::make_unique<T>());
    return *slots_.back().second;
  }
  /// Visits every T made so far, in the order the threads first asked (call it after the work).
  template <class F>
  void for_each(F&& f) {
    std::lock_guard lock(mu_);
    for (auto& s : slots_) f(*s.second);
  }
  /// Destroys every T made so far (the next local() makes a fresh one); not while work still uses them.
  void clear() {
    std::lock_guard lock(mu_);
    slots_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::thread::id, std::unique_ptr<T>>> slots_;
};

namespace detail {

// Chunks below this size are sorted by std::sort: splitting them costs more than it saves.
inline constexpr std::size_t parallel_sort_cutoff = 4096;

// Where the first d outputs of a stable merge of a and b split a: the smallest i with
// b[d-i-1] < a[i] (elements of a go first on ties), searched between the feasible bounds.
template <class It, class Compare>
std::size_t merge_path_split(It a, std::size_t na, It b, std::size_t nb, std::size_t d, Compare& cmp) {
  std::size_t lo = d > nb ? d - nb : 0, hi = std::min(d, na);
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    using diff = typename std::iterator_traits<It>::difference_type;
    if (!cmp(b[static_cast<diff>(d - mid - 1)], a[static_cast<diff>(mid)]))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// Sorts runs of [0, n) of `data` (sort_run(first, last)), then merges adjacent runs pairwise,
// ping-ponging between data and a buffer; each merge is cut into pieces along the merge path so
// that the last rounds (few long runs) still use every thread. std::merge is stable, so with a
// stable sort_run the whole is stable.
template <class RandomIt, class Compare, class SortRun>
void parallel_merge_sort(RandomIt first, RandomIt last, Compare& cmp, SortRun sort_run) {
  using T = typename std::iterator_traits<RandomIt>::value_type;
  using diff = typename std::iterator_traits<RandomIt>::difference_type;
  auto home = [first](std::size_t i) { return first + static_cast<diff>(i); };  // data's i-th slot
  const std::size_t n = static_cast<std::size_t>(last - first);
  const std::size_t threads = current_backend().concurrency();
  if (threads <= 1 || n < 2 * parallel_sort_cutoff) {
    sort_run(first, last);
    return;
  }
  const std::size_t runs = std::min(threads, n / parallel_sort_cutoff);
  std::vector<std::size_t> bounds(runs + 1);
  for (std::size_t r = 0; r <= runs; ++r) bounds[r] = n * r / runs;
  parallel_for(0, runs, 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r) sort_run(home(bounds[r]), home(bounds[r + 1]));
  });
  if (runs == 1) return;

  std::vector<T> buf(std::make_move_iterator(first), std::make_move_iterator(last));
  T* src = buf.data();  // after the move the data is in buf; `first` holds moved-from values
  // rounds read from one side (buf or the data) and write the other, in_buf says which
  bool in_buf = true;
  const std::size_t piece = std::max<std::size_t>(parallel_sort_cutoff, n / (4 * threads));
  struct merge_piece {
    std::size_t a0, a1, b0, b1, out;
  };
  while (bounds.size() > 2) {
    std::vector<merge_piece> pieces;
    std::vector<std::size_t> next{0};
    for (std::size_t r = 0; r + 1 < bounds.size(); r += 2) {
      const std::size_t a0 = bounds[r], a1 = bounds[r + 1];
      const std::size_t b0 = a1, b1 = r + 2 < bounds.size() ? bounds[r + 2] : a1;  // an odd run is copied
      const std::size_t total = b1 - a0, cuts = std::max<std::size_t>(1, total / piece);
      std::size_t prev_i = 0, prev_d = 0;
      for (std::size_t c = 1; c <= cuts; ++c) {
        const std::size_t d = total * c / cuts;
        const std::size_t i = c == cuts ? a1 - a0
                                        : (in_buf ? merge_path_split(src + a0, a1 - a0, src + b0, b1 - b0, d, cmp)
                                                  : merge_path_split(home(a0), a1 - a0, home(b0), b1 - b0, d, cmp));
        pieces.push_back({a0 + prev_i, a0 + i, b0 + (prev_d - prev_i), b0 + (d - i), a0 + prev_d});
        prev_i = i;
        prev_d = d;
      }
      next.push_back(b1);
    }
    parallel_for(0, pieces.size(), 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t k = b; k < e; ++k) {
        const auto& p = pieces[k];
        if (in_buf)
          std::merge(std::make_move_iterator(src + p.a0), std::make_move_iterator(src + p.a1),
                     std::make_move_iterator(src + p.b0), std::make_move_iterator(src + p.b1), home(p.out), cmp);
        else
          std::merge(std::make_move_iterator(home(p.a0)), std::make_move_iterator(home(p.a1)),
                     std::make_move_iterator(home(p.b0)), std::make_move_iterator(home(p.b1)), src + p.out, cmp);
      }
    });
    in_buf = !in_buf;
    bounds = std::move(next);
  }
  if (in_buf)  // the sorted data ended in the buffer: move it home
    parallel_for(0, n, parallel_sort_cutoff, [&](std::size_t b, std::size_t e) {
      std::move(src + b, src + e, home(b));
    });
}

}  // namespace detail

/// Sorts [first, last) by cmp on the current backend: runs sorted in parallel, then merged in
/// parallel. For a strict total order the result is std::sort's.
template <class RandomIt, class Compare = std::less<>>
void parallel_sort(RandomIt first, RandomIt last, Compare cmp = {}) {
  detail::parallel_merge_sort(first, last, cmp, [&cmp](RandomIt b, RandomIt e) { std::sort(b, e, cmp); });
}

/// As parallel_sort, and equal elements keep their order: the result is std::stable_sort's.
template <class RandomIt, class Compare = std::less<>>
void parallel_stable_sort(RandomIt first, RandomIt last, Compare cmp = {}) {
  detail::parallel_merge_sort(first, last, cmp, [&cmp](RandomIt b, RandomIt e) { std::stable_sort(b, e, cmp); });
}

/// How an executor is entered outside a pipeline: specialized (or satisfied by members) in the
/// executor's header, see exec/executor.hpp.
template <class Executor>
struct executor_traits;

/// Runs f() with ex's backend current (for cpu: inside a task_arena of ex.threads threads) and
/// returns its result, so library functions called outside a pipeline get a thread count:
///   auto r = mr::with_executor(mr::cpu{.threads = 4}, [&] { return dedup::near_dedup(texts); });
/// Needs the executor's header (<millrace/core.hpp> brings serial_executor's and cpu's).
template <class Executor, class F>
decltype(auto) with_executor(const Executor& ex, F&& f) {
  return executor_traits<Executor>::with_backend(ex, std::forward<F>(f));
}

}  // namespace millrace
