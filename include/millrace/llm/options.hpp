// millrace/llm/options.hpp — millrace::llm options: the endpoint (URL, model, key; from options or
// OPENAI_BASE_URL / OPENAI_API_KEY), limits (requests in flight, requests per second, per-request
// timeout), the retry schedule, the failure policy and the response cache; llm::usage counts what a
// run spent.
//   mr::llm::options o; o.endpoint.model = "qwen"; o.concurrency = 16; o.cache_dir = "cache/";
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace millrace::llm {

/// Where requests go. Empty fields are filled from the environment by resolved():
/// base_url from OPENAI_BASE_URL (default "http://127.0.0.1:8000/v1"), api_key from OPENAI_API_KEY.
/// The key is sent as "Authorization: Bearer <key>" and never written to a log, error or report.
struct endpoint {
  std::string base_url;  ///< ".../v1"; "/chat/completions" is appended
  std::string model;     ///< model name sent in every request body
  std::string api_key;   ///< bearer token (empty: OPENAI_API_KEY; unset too: none sent)

  /// A copy with empty base_url / api_key filled from the environment (see above) and trailing
  /// slashes removed from base_url.
  endpoint resolved() const {
    endpoint e = *this;
    if (e.base_url.empty()) {
      const char* v = std::getenv("OPENAI_BASE_URL");
      e.base_url = v && *v ? v : "http://127.0.0.1:8000/v1";
    }
    while (!e.base_url.empty() && e.base_url.back() == '/') e.base_url.pop_back();
    if (e.api_key.empty()) {
      if (const char* v = std::getenv("OPENAI_API_KEY")) e.api_key = v;
    }
    return e;
  }
  /// The URL requests are POSTed to: base_url + "/chat/completions" (use on a resolved() endpoint).
  std::string url() const { return base_url + "/chat/completions"; }
};

/// What a request that failed for good (retries spent, or a reply that never parsed) does.
enum class on_failure {
  reject,  // the record leaves the stream and is kept in usage::rejects() with the reason
  fail,    // the run fails with operator_error naming the operator
};

/// The records llm operators read and write: named text fields (a JSONL object's string fields).
using record = std::map<std::string, std::string, std::less<>>;

/// One record that left the stream: its fields, why, and the model's last reply (raw) if any.
struct rejected_record {
  llm::record record;     ///< the record's fields as the operator received them
  std::string op;         ///< the operator's name
  std::string reason;     ///< why it failed for good (transport error, HTTP status, parse error)
  std::string raw_reply;  ///< the last reply body received (empty: none)
};

/// Counters of one or more llm operators over a run, and the records they rejected; share one by
/// passing the same pointer in options::usage (the caller owns it; runs add to it). Each operator
/// also keeps its own, whose parent is the caller's: the run report shows it per operator.
struct usage {
  std::atomic<std::uint64_t> requests{0};           ///< HTTP attempts sent (retries included)
  std::atomic<std::uint64_t> retries{0};            ///< attempts after the first, any reason
  std::atomic<std::uint64_t> parse_retries{0};      ///< of which: the reply did not parse
  std::atomic<std::uint64_t> cache_hits{0};         ///< records answered by a valid cached reply
  std::atomic<std::uint64_t> failures{0};           ///< records that failed for good
  std::atomic<std::uint64_t> prompt_tokens{0};      ///< from the replies' "usage" (cache hits excluded)
  std::atomic<std::uint64_t> completion_tokens{0};  ///< from the replies' "usage" (cache hits excluded)

  /// Where every count and reject also goes (may be empty).
  std::shared_ptr<usage> parent;

  /// Adds n to one counter, here and in every parent: add(&usage::retries).
  void add(std::atomic<std::uint64_t> usage::*counter, std::uint64_t n = 1) {
    for (usage* u = this; u; u = u->parent.get()) (u->*counter).fetch_add(n, std::memory_order_relaxed);
  }
  /// The counters by name, in declaration order (what the run report shows).
  std::vector<std::pair<std::string, std::uint64_t>> counters() const {
    return {{"requests", requests.load()},           {"retries", retries.load()},
            {"parse_retries", parse_retries.load()}, {"cache_hits", cache_hits.load()},
            {"failures", failures.load()},           {"prompt_tokens", prompt_tokens.load()},
            {"completion_tokens", completion_tokens.load()}};
  }

  /// Keeps a rejected record here and in every parent (thread-safe).
  void add_reject(rejected_record r) {
    if (parent) parent->add_reject(r);
    std::lock_guard lock(mu_);
    rejects_.push_back(std::move(r));
  }
  /// The rejected records, in the order they failed (not input order: replies arrive in any order).
  std::vector<rejected_record> rejects() const {
    std::lock_guard lock(mu_);
    return rejects_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<rejected_record> rejects_;
};

/// Everything an llm operator needs: endpoint, limits, retries, failure policy, cache, sampling.
struct options {
  llm::endpoint endpoint;                   ///< where requests go (resolved() when the operator starts)
  std::size_t concurrency = 8;              ///< requests in flight per operator
  double requests_per_second = 0;           ///< 0: no bound
  std::chrono::milliseconds timeout{60000}; ///< per attempt
  int max_retries = 4;                      ///< transport / 429 / 5xx retries per request
  int max_parse_retries = 2;                ///< extra requests when a reply does not parse
  std::chrono::milliseconds backoff_base{500};   ///< first retry's backoff; doubles per retry, jittered
  std::chrono::milliseconds backoff_max{30000};  ///< cap on the doubled backoff (before jitter)
  /// Jitter of the retry backoff: a function of (seed, the request body's std::hash, the parse retry,
  /// the attempt), so a rerun with the same standard library waits as before.
  std::uint64_t seed = 0;
  on_failure failure = on_failure::reject;  ///< reject the record, or fail the run
  std::filesystem::path cache_dir;          ///< empty: no cache
  double temperature = 0;                   ///< sampling temperature, always sent
  int max_tokens = 0;                       ///< 0: not sent
  std::shared_ptr<llm::usage> usage;        ///< optional: where the counters go
};

}  // namespace millrace::llm
