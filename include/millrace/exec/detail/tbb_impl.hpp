// millrace/exec/detail/tbb_impl.hpp — the oneTBB executor's definitions (exec/tbb.hpp declares).
// Included by exec/tbb.hpp in header-only mode and compiled once into millrace::compiled
// (src/exec.cpp) otherwise; the only file of millrace that includes oneTBB.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <millrace/detail/config.hpp>
#include <millrace/exec/tbb.hpp>

namespace millrace {

struct tbb_backend::arena {
  tbb::task_arena a;  // execute() is not const; the arena is the backend's state
};

MILLRACE_INLINE tbb_backend::tbb_backend(std::size_t threads)
    : threads_(threads ? threads : 1), arena_(std::make_unique<arena>(arena{tbb::task_arena(static_cast<int>(threads_))})) {}

MILLRACE_INLINE tbb_backend::~tbb_backend() = default;

MILLRACE_INLINE void tbb_backend::for_chunks(std::size_t n, std::size_t grain, chunk_body body) const {
  arena_->a.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain ? grain : 1),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        backend_scope scope(*this);
                        body(r.begin(), r.end());
                      });
  });
}

MILLRACE_INLINE void tbb_backend::enter_erased(void (*f)(void*), void* obj) const {
  arena_->a.execute([&] {
    backend_scope scope(*this);
    f(obj);
  });
}

}  // namespace millrace

namespace millrace::detail {

struct join_state;

struct token {
  std::uint64_t seq = 0;
  any_batch batch;
  join_state* join = nullptr;  // set on a branch's copy: where to deliver it
  std::size_t branch = 0;
};

struct join_state {
  std::atomic<std::size_t> remaining;
  std::vector<any_batch> parts;
  token* parent;
  const runtime_stage* stage;
};

/// Top-level tokens are recycled; all are freed when the run ends, even after an error.
class token_pool {
 public:
  token* get() {  // called only from the (serial) source
    token* t = nullptr;
    if (free_.try_pop(t)) return t;
    std::lock_guard lock(mu_);
    all_.push_back(std::make_unique<token>());
    return all_.back().get();
  }
  void put(token* t) {
    t->batch.reset();
    free_.push(t);
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<token>> all_;
  tbb::concurrent_queue<token*> free_;
};

inline bool is_linear(const stage_list& stages, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i)
    if (stages[i].mode == stage_mode::branch || stages[i].mode == stage_mode::async) return false;
  return true;
}

inline void timed_process(runtime_stage& st, any_batch& batch) {
  const auto t0 = now_ns();
  batch = st.process(std::move(batch));
  st.stats->busy_ns.fetch_add(now_ns() - t0, std::memory_order_relaxed);
}

// ---- linear segments: tbb::parallel_pipeline -------------------------------------------------
inline void run_segment_pipeline(runtime_source& src, stage_list& stages, std::size_t begin, std::size_t end,
                                 progress_tracker& tracker, bool first, const cpu& ex, std::size_t tokens,
                                 const parallel_backend& backend) {
  token_pool pool;
  bool more = true;
  auto chain = tbb::make_filter<void, token*>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) -> token* {
    backend_scope scope(backend);
    if (!more) {
      fc.stop();
      return nullptr;
    }
    token* t = pool.get();
    more = src.fill(t->batch, ex.batch_size);
    tracker.on_fill(t->batch.size(), first);
    return t;
  });
  const auto serial_mode = ex.ordered ? tbb::filter_mode::serial_in_order : tbb::filter_mode::serial_out_of_order;
  for (std::size_t i = begin; i < end; ++i) {
    auto& st = stages[i];
    chain = chain & tbb::make_filter<token*, token*>(
                        st.mode == stage_mode::parallel ? tbb::filter_mode::parallel : serial_mode,
                        [&st, &backend](token* t) {
                          backend_scope scope(backend);
                          timed_process(st, t->batch);
                          return t;
                        });
  }
  tbb::parallel_pipeline(tokens, chain & tbb::make_filter<token*, void>(tbb::filter_mode::parallel,
                                                                       [&pool](token* t) { pool.put(t); }));
}

// ---- graphs: tbb::flow::graph -----------------------------------------------------------------
class flow_runner {
 public:
  using next_fn = std::function<void(token*)>;

  flow_runner(const cpu& ex, std::size_t tokens, const parallel_backend& backend)
      : ex_(ex), tokens_(tokens), backend_(backend) {}

  void run(runtime_source& src, stage_list& stages, std::size_t begin, std::size_t end, progress_tracker& tracker,
           bool first) {
    namespace flow = tbb::flow;
    flow::limiter_node<token*> limiter(g_, tokens_);
    next_fn exit = [this, &limiter](token* t) {
      pool_.put(t);
      limiter.decrementer().try_put(flow::continue_msg());
    };
    next_fn entry = build(stages, begin, end, exit);
    flow::function_node<token*, flow::continue_msg> dispatch(g_, flow::unlimited, [&](token* t) {
      entry(t);
      return flow::continue_msg();
    });
    bool more = true;
    std::uint64_t seq = 0;
    flow::input_node<token*> input(g_, [&](tbb::flow_control& fc) -> token* {
      backend_scope scope(backend_);
      if (!more || failed_.load()) {
        fc.stop();
        return nullptr;
      }
      token* t = pool_.get();
      t->seq = seq++;
      try {
        more = src.fill(t->batch, ex_.batch_size);
      } catch (...) {
        fail(std::current_exception());
        more = false;
      }
      tracker.on_fill(t->batch.size(), first);
      return t;
    });
    flow::make_edge(input, limiter);
    flow::make_edge(limiter, dispatch);
    input.activate();
    g_.wait_for_all();
    nodes_.clear();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void fail(std::exception_ptr e) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = std::move(e);
    failed_.store(true);
  }

  /// A function_node running body(t); body returns true when the token should go on to `next`
  /// (a branch hands it to its branches instead). After a failure anywhere, bodies are skipped
  /// and tokens just drain to the exit, so nothing waits forever and nothing leaks.
  /// `always` runs body even after a failure (a branch must still send a token down every
  /// branch, or a sequencer inside it would wait forever for the missing sequence number).
  template <class Body>
  next_fn guarded_node(std::size_t concurrency, Body body, next_fn next, bool always = false) {
    namespace flow = tbb::flow;
    auto fn = std::make_unique<flow::function_node<token*, flow::continue_msg>>(
        g_, concurrency, [this, body, next, always](token* t) {
          backend_scope scope(backend_);
          bool forward = true;
          if (always || !failed_.load()) {
            try {
              forward = body(t);
            } catch (...) {
              fail(std::current_exception());
              forward = true;
            }
          }
          if (forward) next(t);
          return flow::continue_msg();
        });
    auto* raw = fn.get();
    nodes_.push_back(std::move(fn));
    if (concurrency == 1 && ex_.ordered) {
      auto seq = std::make_unique<flow::sequencer_node<token*>>(g_, [](token* const& t) -> std::size_t { return t->seq; });
      flow::make_edge(*seq, *raw);
      auto* sraw = seq.get();
      nodes_.push_back(std::move(seq));
      return [sraw](token* t) { sraw->try_put(t); };
    }
    return [raw](token* t) { raw->try_put(t); };
  }

  /// Builds the nodes of stages [begin, end); returns how to feed the first one. Each node hands
  /// its token to `next` when done (or passes it on untouched once the run has failed).
  next_fn build(stage_list& stages, std::size_t begin, std::size_t end, next_fn next) {
    namespace flow = tbb::flow;
    for (std::size_t i = end; i-- > begin;) {
      auto& st = stages[i];
      switch (st.mode) {
        case stage_mode::parallel:
        case stage_mode::serial: {
          const std::size_t conc = st.mode == stage_mode::parallel ? std::size_t(flow::unlimited) : std::size_t(1);
          next = guarded_node(conc, [&st](token* t) {
            timed_process(st, t->batch);
            return true;
          }, next);
          break;
        }
        case stage_mode::async: {
          using async_t = flow::async_node<token*, flow::continue_msg>;
          auto node = std::make_unique<async_t>(g_, flow::unlimited, [this, &st, next](token* const& t, typename async_t::gateway_type& gw) {
            backend_scope scope(backend_);
            if (failed_.load()) {
              next(t);
              return;
            }
            gw.reserve_wait();
            auto* gwp = &gw;
            try {
              st.submit(std::move(t->batch),
                        async_callbacks{[t, next, gwp](any_batch out) {
                                          t->batch = std::move(out);
                                          next(t);
                                          gwp->release_wait();
                                        },
                                        [this, t, next, gwp](std::exception_ptr e) {
                                          fail(std::move(e));
                                          next(t);
                                          gwp->release_wait();
                                        },
                                        [this] { return failed_.load(); }});
            } catch (...) {
              fail(std::current_exception());
              next(t);
              gw.release_wait();
            }
          });
          auto* raw = node.get();
          nodes_.push_back(std::move(node));
          next = [raw](token* t) { raw->try_put(t); };
          break;
        }
        case stage_mode::branch: {
          // each branch delivers its part to the join; the last part to arrive merges and goes on
          next_fn deliver = [this, next](token* child) {
            backend_scope scope(backend_);  // may run on an async stage's own thread
            join_state* j = child->join;
            j->parts[child->branch] = std::move(child->batch);
            delete child;
            if (j->remaining.fetch_sub(1) == 1) {
              token* parent = j->parent;
              if (!failed_.load()) {
                try {
                  parent->batch = j->stage->merge(std::move(j->parts));
                } catch (...) {
                  fail(std::current_exception());
                }
              }
              delete j;
              next(parent);
            }
          };
          std::vector<next_fn> entries;
          for (auto& b : st.branches) entries.push_back(build(b, 0, b.size(), deliver));
          next = guarded_node(flow::unlimited, [this, &st, entries](token* t) {
            std::vector<any_batch> parts;
            if (!failed_.load()) {
              try {
                parts = st.split(std::move(t->batch));
              } catch (...) {
                fail(std::current_exception());
              }
            }
            parts.resize(entries.size());  // after a failure: empty parts, same sequence numbers
            auto* j = new join_state{{entries.size()}, std::vector<any_batch>(entries.size()), t, &st};
            for (std::size_t b = 0; b < entries.size(); ++b) {
              auto* child = new token{t->seq, std::move(parts[b]), j, b};
              entries[b](child);
            }
            return false;
          }, next, /*always=*/true);
          break;
        }
      }
    }
    return next;
  }

  tbb::flow::graph g_;
  const cpu& ex_;
  std::size_t tokens_;
  const parallel_backend& backend_;
  token_pool pool_;
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::exception_ptr error_;
  std::vector<std::unique_ptr<tbb::flow::graph_node>> nodes_;
};

}  // namespace millrace::detail

namespace millrace {

MILLRACE_INLINE std::size_t executor_traits<cpu>::concurrency(const cpu& ex) {
  return ex.threads ? ex.threads : std::size_t(tbb::info::default_concurrency());
}

MILLRACE_INLINE void executor_traits<cpu>::execute(const cpu& options, detail::plan& pl, detail::progress_tracker& tracker) {
  cpu ex = options;
  if (ex.batch_size == 0) ex.batch_size = 1;
  const std::size_t threads = concurrency(ex);
  const std::size_t tokens = ex.max_in_flight ? ex.max_in_flight : 4 * threads;
  const tbb_backend backend(threads);
  backend.enter([&] {
    detail::drive(pl, tracker, [&](auto& src, auto& stages, std::size_t b, std::size_t e, auto& tr, bool first) {
      if (detail::is_linear(stages, b, e)) {
        detail::run_segment_pipeline(src, stages, b, e, tr, first, ex, tokens, backend);
      } else {
        detail::flow_runner runner(ex, tokens, backend);
        runner.run(src, stages, b, e, tr, first);
      }
    });
  });
}

}  // namespace millrace
