// millrace/llm/detail/llm_stage.hpp — the asynchronous stage under generate/refine/judge: renders
// each record's prompt, answers it from the cache or the client, validates the structured reply
// (re-asking a bounded number of times), applies the outputs, and completes the batch in input
// order once every record is settled.
#pragma once

#include <millrace/core/compose.hpp>
#include <millrace/core/json_value.hpp>
#include <millrace/llm/cache.hpp>
#include <millrace/llm/client.hpp>
#include <millrace/llm/options.hpp>
#include <millrace/llm/signature.hpp>

#include <fmt/format.h>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace millrace::llm::detail {

/// What an operator does with a validated reply: set fields; false drops the record (a filter).
/// Returns a reason (non-empty) when the reply is unusable, which counts as a parse failure.
using apply_fn = std::function<std::string(record&, const std::vector<std::pair<std::string, std::string>>&, bool& keep)>;

struct llm_config {
  std::string name;
  signature sig;
  options opts;
  apply_fn apply;
};

class llm_stage {
 public:
  using output_type = record;

  explicit llm_stage(llm_config c) : cfg_(std::make_shared<const llm_config>(std::move(c))) {}
  // A copy (each run lowers one) shares the configuration but gets its own client and cache.
  llm_stage(const llm_stage& o) : cfg_(o.cfg_) {}
  llm_stage& operator=(const llm_stage&) = delete;

  void submit(std::vector<record>&& in, millrace::completion<record> done) {
    ensure_started();
    auto b = std::make_shared<batch>(std::move(in), std::move(done), rt_.get());
    if (b->recs.empty()) return b->c.done({});
    b->remaining.store(b->recs.size());
    for (std::size_t i = 0; i < b->recs.size(); ++i) ask(b, i);
  }

  /// Records this operator rejected in this run (the run report's "rejected").
  std::uint64_t rejected_count() const {
    std::lock_guard lock(mu_);
    return rt_ ? rt_->rejected.load() : 0;
  }

  /// This operator's counters in this run (requests, retries, cache hits, tokens, ...): the report's.
  std::vector<std::pair<std::string, std::uint64_t>> counters() const {
    std::lock_guard lock(mu_);
    return rt_ ? rt_->use->counters() : llm::usage{}.counters();
  }

 private:
  struct runtime {
    std::shared_ptr<const llm_config> cfg;
    std::shared_ptr<llm::usage> use;
    std::optional<response_cache> cache;
    std::string url;
    std::atomic<std::uint64_t> rejected{0};  // records that left the stream as rejects
    std::unique_ptr<client> cl;  // last: destroyed (loop joined) before the rest
  };

  struct batch {
    batch(std::vector<record>&& r, millrace::completion<record> d, runtime* rt_)
        : recs(std::move(r)), keep(recs.size(), 1), c(std::move(d)), rt(rt_) {}
    std::vector<record> recs;
    std::vector<char> keep;
    millrace::completion<record> c;
    // Not owned: the stage owns the runtime, and its client (joined first) ends every request.
    runtime* rt;
    std::atomic<std::size_t> remaining{0};
    std::atomic<bool> reported{false};  // done() or fail() called (exactly once)
    std::mutex mu;
    std::exception_ptr error;
  };

  void ensure_started() {
    std::lock_guard lock(mu_);
    if (rt_) return;
    auto rt = std::make_unique<runtime>();
    rt->cfg = cfg_;
    rt->use = std::make_shared<llm::usage>();  // this operator's own; the caller's is its parent
    rt->use->parent = cfg_->opts.usage;
    options o = cfg_->opts;
    o.usage = rt->use;
    rt->url = o.endpoint.resolved().url();
    if (!o.cache_dir.empty()) rt->cache.emplace(o.cache_dir);
    rt->cl = std::make_unique<client>(o);
    rt_ = std::move(rt);
  }

  static std::string request_body(const llm_config& cfg, const std::string& user) {
    std::string b = fmt::format(R"({{"model":{},"messages":[{{"role":"system","content":{}}},{{"role":"user","content":{}}}])",
                                json::quote(cfg.opts.endpoint.model), json::quote(cfg.sig.system_message()), json::quote(user));
    b += fmt::format(R"(,"temperature":{})", cfg.opts.temperature);
    if (cfg.opts.max_tokens > 0) b += fmt::format(R"(,"max_tokens":{})", cfg.opts.max_tokens);
    b += "}";
    return b;
  }

  // One record settled (kept, dropped, rejected or failed); the last one completes the batch.
  static void settle(const std::shared_ptr<batch>& b) {
    if (b->remaining.fetch_sub(1) != 1) return;
    if (b->reported.exchange(true)) return;  // already failed early
    if (b->error) return b->c.fail(b->error);
    std::vector<record> out;
    out.reserve(b->recs.size());
    for (std::size_t i = 0; i < b->recs.size(); ++i)
      if (b->keep[i]) out.push_back(std::move(b->recs[i]));
    b->c.done(std::move(out));
  }

  // A record failed for good: reject it, or fail the batch (and so the run), per the policy.
  static void give_up(const std::shared_ptr<batch>& b, std::size_t i, std::string reason, std::string raw, bool cancelled) {
    const auto& cfg = *b->rt->cfg;
    b->rt->use->add(&usage::failures);
    if (cancelled || cfg.opts.failure == on_failure::fail) {
      std::exception_ptr first;
      {
        std::lock_guard lock(b->mu);
        if (!b->error) first = b->error = std::make_exception_ptr(std::runtime_error(reason));
      }
      // Fail the batch now, not when its slowest request ends: the run stops, and the executor's
      // cancellation then ends this batch's other requests too.
      if (first && !b->reported.exchange(true)) b->c.fail(first);
    } else {
      b->keep[i] = 0;
      b->rt->rejected.fetch_add(1, std::memory_order_relaxed);
      b->rt->use->add_reject({b->recs[i], cfg.name, std::move(reason), std::move(raw)});
    }
    settle(b);
  }

  // Checks a reply body; applies it and returns true, or returns false with the reason.
  static bool accept(const std::shared_ptr<batch>& b, std::size_t i, const std::string& body, std::string& why) {
    const auto& cfg = *b->rt->cfg;
    parsed_reply r;
    why = parse_chat_body(body, r);
    std::vector<std::pair<std::string, std::string>> fields;
    if (why.empty()) why = parse_outputs(cfg.sig, r.content, fields);
    bool keep = true;
    record updated = b->recs[i];
    if (why.empty() && cfg.apply) why = cfg.apply(updated, fields, keep);
    if (!why.empty()) return false;
    b->recs[i] = std::move(updated);
    b->keep[i] = keep ? 1 : 0;
    return true;
  }

  static void ask(const std::shared_ptr<batch>& b, std::size_t i) {
    const auto& cfg = *b->rt->cfg;
    std::string missing;
    auto user = cfg.sig.render(b->recs[i], &missing);
    if (!user) return give_up(b, i, fmt::format("record lacks the input field '{}'", missing), {}, false);
    auto body = std::make_shared<std::string>(request_body(cfg, *user));
    if (b->rt->cache) {
      if (auto hit = b->rt->cache->get(b->rt->url, *body)) {
        std::string why;
        if (accept(b, i, *hit, why)) {
          b->rt->use->add(&usage::cache_hits);
          return settle(b);
        }
      }
    }
    send(b, i, std::move(body), 0);
  }

  static void send(const std::shared_ptr<batch>& b, std::size_t i, std::shared_ptr<std::string> body, int parse_tries) {
    chat_request req;
    req.body = *body;
    req.jitter_key = splitmix64_mix(std::hash<std::string>{}(*body) ^ std::uint64_t(parse_tries));
    // Once the batch is reported its other requests are moot; and the executor may be gone, so
    // its cancellation flag is not read any more.
    req.cancelled = [b] { return b->reported.load() || b->c.cancelled(); };
    b->rt->cl->submit(std::move(req), [b, i, body, parse_tries](chat_reply r) {
      const auto& cfg = *b->rt->cfg;
      if (!r.ok) return give_up(b, i, r.error, r.body, r.cancelled);
      parsed_reply counted;
      if (parse_chat_body(r.body, counted).empty()) {
        b->rt->use->add(&usage::prompt_tokens, counted.prompt_tokens);
        b->rt->use->add(&usage::completion_tokens, counted.completion_tokens);
      }
      std::string why;
      if (accept(b, i, r.body, why)) {
        if (b->rt->cache) {
          try {
            b->rt->cache->put(b->rt->url, *body, r.body);
          } catch (...) {
            std::lock_guard lock(b->mu);
            if (!b->error) b->error = std::current_exception();
          }
        }
        return settle(b);
      }
      if (parse_tries < cfg.opts.max_parse_retries) {
        b->rt->use->add(&usage::parse_retries);
        return send(b, i, body, parse_tries + 1);
      }
      give_up(b, i, fmt::format("{} (after {} replies)", why, parse_tries + 1), r.body, false);
    });
  }

  std::shared_ptr<const llm_config> cfg_;
  mutable std::mutex mu_;
  std::unique_ptr<runtime> rt_;
};

}  // namespace millrace::llm::detail
