// millrace/llm/client.hpp — millrace::llm::client: requests to an OpenAI-compatible
// /chat/completions endpoint on libcurl's multi interface, driven by one event-loop thread per
// client (no TBB worker waits on the network). It bounds requests in flight and requests per
// second, times out each attempt, and retries 429 (honouring Retry-After), 5xx, timeouts and
// dropped connections with seeded backoff and jitter.
//   llm::client c(opts); c.submit({body, key}, [](llm::chat_reply r) { ... });  // on the loop thread
// Needs libcurl (link CURL::libcurl).
#pragma once

#include <millrace/llm/detail/backoff.hpp>
#include <millrace/llm/options.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace millrace::llm {

/// One request: the JSON body (built by the caller) and a key that seeds its jitter.
struct chat_request {
  std::string body;                 ///< JSON request body, POSTed as is
  std::uint64_t jitter_key = 0;     ///< with options::seed, fixes this request's retry delays
  std::function<bool()> cancelled;  ///< may be empty; checked while the request waits or runs
};

/// The outcome of a request after its retries: ok with the HTTP 200 body, or the reason it failed.
struct chat_reply {
  bool ok = false;          ///< true: HTTP 200, and body holds the reply
  bool cancelled = false;   ///< the request's cancelled() said stop before it finished
  std::string body;    ///< the reply body (ok), or the last one received (may be empty)
  std::string error;   ///< why it failed for good; never contains the API key
  int attempts = 0;    ///< HTTP attempts made (0: never started)
};

namespace detail {
inline void curl_global() {
  static const bool once = [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("llm: curl_global_init failed");
    return true;
  }();
  (void)once;
}

/// Replaces every occurrence of the secret with "***" (errors may quote a server's reply).
inline std::string redact(std::string s, const std::string& secret) {
  if (secret.empty()) return s;
  for (std::size_t p = s.find(secret); p != std::string::npos; p = s.find(secret, p)) s.replace(p, secret.size(), "***");
  return s;
}
}  // namespace detail

/// Sends chat requests on its own event-loop thread (libcurl multi), with limits and retries.
class client {
 public:
  using callback = std::function<void(chat_reply)>;

  explicit client(const options& o) : opts_(o), ep_(o.endpoint.resolved()) {
    detail::curl_global();
    if (opts_.concurrency == 0) opts_.concurrency = 1;
    multi_ = curl_multi_init();
    if (!multi_) throw std::runtime_error("llm: curl_multi_init failed");
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    if (!ep_.api_key.empty()) headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + ep_.api_key).c_str());
    usage_ = opts_.usage ? opts_.usage : std::make_shared<llm::usage>();
    thread_ = std::thread([this] { loop(); });
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Stops the loop; requests not finished complete with an error ("client stopped").
  ~client() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    curl_multi_wakeup(multi_);
    if (thread_.get_id() == std::this_thread::get_id()) thread_.detach();
    else thread_.join();
    curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
  }

  /// Queues a request; cb runs once, on the loop thread, with the final outcome.
  void submit(chat_request r, callback cb) {
    auto j = std::make_unique<job>();
    j->req = std::move(r);
    j->cb = std::move(cb);
    {
      std::lock_guard lock(mu_);
      incoming_.push_back(std::move(j));
    }
    curl_multi_wakeup(multi_);
  }

  const llm::endpoint& endpoint() const { return ep_; }  ///< resolved (the key included: do not print it)
  /// The counters this client adds to: options::usage, or its own when that was null.
  llm::usage& usage() { return *usage_; }

 private:
  using clock = std::chrono::steady_clock;
  struct job {
    chat_request req;
    callback cb;
    int attempts = 0;
    clock::time_point not_before{};
    CURL* easy = nullptr;
    std::string body, retry_after;
    long status = 0;
    std::string last_error;
  };

  static std::size_t on_body(char* p, std::size_t n, std::size_t m, void* u) {
    static_cast<job*>(u)->body.append(p, n * m);
    return n * m;
  }
  static std::size_t on_header(char* p, std::size_t n, std::size_t m, void* u) {
    std::string_view h(p, n * m);
    constexpr std::string_view key = "retry-after:";
    if (h.size() > key.size()) {
      bool match = true;
      for (std::size_t i = 0; i < key.size() && match; ++i) match = char(std::tolower((unsigned char)h[i])) == key[i];
      if (match) {
        auto v = h.substr(key.size());
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
        static_cast<job*>(u)->retry_after = std::string(v);
      }
    }
    return n * m;
  }

  void start(job* j) {
    j->attempts++;
    j->body.clear();
    j->retry_after.clear();
    j->status = 0;
    CURL* e = curl_easy_init();
    if (!e) throw std::runtime_error("llm: curl_easy_init failed");
    j->easy = e;
    const std::string url = ep_.url();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(j->req.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->req.body.c_str());  // not copied: the job outlives the transfer
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &client::on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &client::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, long(opts_.timeout.count()));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    curl_multi_add_handle(multi_, e);
    usage_->add(&usage::requests);
    if (j->attempts > 1) usage_->add(&usage::retries);
  }

  void release(job* j) {
    if (!j->easy) return;
    curl_multi_remove_handle(multi_, j->easy);
    curl_easy_cleanup(j->easy);
    j->easy = nullptr;
  }

  void finish(std::unique_ptr<job> j, bool ok, std::string error, bool cancelled = false) {
    release(j.get());
    chat_reply r;
    r.ok = ok;
    r.cancelled = cancelled;
    r.body = std::move(j->body);
    r.error = detail::redact(std::move(error), ep_.api_key);
    r.attempts = j->attempts;
    if (j->cb) j->cb(std::move(r));
  }

  // After an attempt: retry (back to waiting) or finish.
  void settle(std::unique_ptr<job> j, CURLcode rc) {
    bool retry = false;
    std::string why;
    std::chrono::milliseconds after{0};
    if (rc == CURLE_OK) {
      curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &j->status);
      if (j->status == 200) return finish(std::move(j), true, {});
      why = "HTTP " + std::to_string(j->status) + " from " + ep_.url();
      if (j->status == 429 || j->status >= 500) {
        retry = true;
        if (!j->retry_after.empty()) {
          char* end = nullptr;
          const double s = std::strtod(j->retry_after.c_str(), &end);
          if (end != j->retry_after.c_str() && s > 0) after = std::chrono::milliseconds(std::int64_t(s * 1000));
        }
      } else if (!j->body.empty()) {
        why += ": " + j->body.substr(0, 200);
      }
    } else {
      why = rc == CURLE_OPERATION_TIMEDOUT
                ? "timed out after " + std::to_string(opts_.timeout.count()) + " ms (" + ep_.url() + ")"
                : std::string("connection to ") + ep_.url() + ": " + curl_easy_strerror(rc);
      retry = rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
              rc == CURLE_SEND_ERROR || rc == CURLE_PARTIAL_FILE || rc == CURLE_COULDNT_CONNECT;
    }
    if (!retry || j->attempts > opts_.max_retries) {
      if (retry) why += " (after " + std::to_string(j->attempts) + " attempts)";
      return finish(std::move(j), false, std::move(why));
    }
    release(j.get());
    j->not_before = clock::now() + detail::backoff_delay(opts_.backoff_base, opts_.backoff_max, opts_.seed,
                                                         j->req.jitter_key, j->attempts, after);
    waiting_.push_back(std::move(j));
  }

  static bool is_cancelled(const job& j) { return j.req.cancelled && j.req.cancelled(); }

  void loop() {
    const auto min_gap = opts_.requests_per_second > 0
                             ? std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / opts_.requests_per_second))
                             : clock::duration::zero();
    clock::time_point next_start = clock::now();
    std::vector<std::unique_ptr<job>> active;
    for (;;) {
      bool stopping;
      {
        std::lock_guard lock(mu_);
        stopping = stop_;
        while (!incoming_.empty()) {
          waiting_.push_back(std::move(incoming_.front()));
          incoming_.pop_front();
        }
      }
      if (stopping) {
        for (auto& j : active) finish(std::move(j), false, "client stopped");
        for (auto& j : waiting_) finish(std::move(j), false, "client stopped");
        return;
      }
      // Cancellation: a run that failed elsewhere ends its requests now, waiting or in flight.
      for (auto& j : active)
        if (is_cancelled(*j)) finish(std::move(j), false, "cancelled: the run failed elsewhere", true);
      std::erase(active, nullptr);
      for (auto& j : waiting_)
        if (is_cancelled(*j)) finish(std::move(j), false, "cancelled: the run failed elsewhere", true);
      std::erase(waiting_, nullptr);

      // Start what is due, oldest first, within the concurrency and rate bounds.
      auto now = clock::now();
      clock::time_point wake = now + std::chrono::milliseconds(50);
      for (auto& j : waiting_) {
        if (active.size() >= opts_.concurrency) break;
        if (j->not_before > now) {
          wake = std::min(wake, j->not_before);
          continue;
        }
        if (next_start > now) {
          wake = std::min(wake, next_start);
          break;
        }
        next_start = std::max(next_start, now) + min_gap;
        start(j.get());
        active.push_back(std::move(j));
      }
      std::erase(waiting_, nullptr);

      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
        if (m->msg != CURLMSG_DONE) continue;
        job* raw = nullptr;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &raw);
        const CURLcode rc = m->data.result;
        auto it = std::find_if(active.begin(), active.end(), [&](auto& p) { return p.get() == raw; });
        if (it == active.end()) continue;
        std::unique_ptr<job> j = std::move(*it);
        active.erase(it);
        settle(std::move(j), rc);
        wake = clock::now();  // a retry or a freed slot may be startable at once
      }
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - clock::now()).count();
      curl_multi_poll(multi_, nullptr, 0, int(std::clamp<long long>(ms, 0, 50)), nullptr);
    }
  }

  options opts_;
  llm::endpoint ep_;
  std::shared_ptr<llm::usage> usage_;
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::mutex mu_;
  bool stop_ = false;
  std::deque<std::unique_ptr<job>> incoming_;
  std::vector<std::unique_ptr<job>> waiting_;  // loop thread only
  std::thread thread_;
};

}  // namespace millrace::llm
