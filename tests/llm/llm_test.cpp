// llm operators against tests/llm/fake_openai_server.py on 127.0.0.1: order, retries (429 with
// Retry-After, 500, timeouts, dropped connections), bad replies, the failure policy, the key kept
// out of errors, judge as filter and annotation, refine, the cache and cancellation.
#include <doctest/doctest.h>

#include <millrace/core.hpp>
#include <millrace/llm.hpp>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

#include <curl/curl.h>
#include <simdjson.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mr = millrace;
namespace llm = millrace::llm;
namespace fs = std::filesystem;

namespace {

constexpr const char* kKey = "sk-test-SECRET-4242";

// The fake server as a child process on a free port; stopped (SIGTERM) by the destructor.
struct fake_server {
  mrtest::temp_dir dir{"llm-server"};  // removed after the server has stopped
  pid_t pid = -1;
  int port = 0;
  fake_server() {
    const std::string port_file = (dir / "port").string();
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::execl(MILLRACE_PYTHON, MILLRACE_PYTHON, MILLRACE_FAKE_SERVER, "--port-file", port_file.c_str(), "--key", kKey,
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 400 && port == 0; ++i) {  // up to 20 s for python to start
      std::ifstream in(port_file);
      if (!(in >> port)) port = 0, std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(port > 0);
  }
  ~fake_server() {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port) + "/v1"; }

  // GET /stats: what the server saw.
  std::string stats_text() const {
    CURL* e = curl_easy_init();
    std::string body;
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/stats";
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, +[](char* p, std::size_t n, std::size_t m, void* u) {
      static_cast<std::string*>(u)->append(p, n * m);
      return n * m;
    });
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    REQUIRE(curl_easy_perform(e) == CURLE_OK);
    curl_easy_cleanup(e);
    return body;
  }
  std::int64_t total() const { return stat_int("/total"); }
  std::int64_t max_in_flight() const { return stat_int("/max_in_flight"); }
  void reset_max() const {
    CURL* e = curl_easy_init();
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/reset-max";
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, +[](char*, std::size_t n, std::size_t m, void*) { return n * m; });
    REQUIRE(curl_easy_perform(e) == CURLE_OK);
    curl_easy_cleanup(e);
  }
  bool auth_ok() const { return stat_bool("/auth_ok"); }
  std::int64_t attempts(const std::string& user) const {
    simdjson::dom::parser p;
    auto doc = p.parse(simdjson::padded_string(stats_text()));
    std::int64_t n = 0;
    if (doc["attempts"][user].get_int64().get(n)) return 0;
    return n;
  }
  std::vector<double> times(const std::string& user) const {
    simdjson::dom::parser p;
    auto doc = p.parse(simdjson::padded_string(stats_text()));
    std::vector<double> out;
    simdjson::dom::array a;
    if (!doc["times"][user].get_array().get(a))
      for (auto v : a) out.push_back(double(v));
    return out;
  }

 private:
  std::int64_t stat_int(const char* ptr) const {
    simdjson::dom::parser p;
    auto doc = p.parse(simdjson::padded_string(stats_text()));
    return std::int64_t(doc.at_pointer(ptr));
  }
  bool stat_bool(const char* ptr) const {
    simdjson::dom::parser p;
    auto doc = p.parse(simdjson::padded_string(stats_text()));
    return bool(doc.at_pointer(ptr));
  }
};

fake_server& server() {
  static fake_server s;
  return s;
}

llm::options opts() {
  llm::options o;
  o.endpoint.base_url = server().base_url();
  o.endpoint.model = "fake-model";
  o.endpoint.api_key = kKey;
  o.concurrency = 8;
  o.timeout = std::chrono::milliseconds(20000);
  o.backoff_base = std::chrono::milliseconds(10);
  o.backoff_max = std::chrono::milliseconds(200);
  o.usage = std::make_shared<llm::usage>();
  return o;
}

const llm::signature qa{"Write a question about: {text}", {"question", "answer"}};

llm::record rec(std::string text, std::string id = "") { return {{"id", std::move(id)}, {"text", std::move(text)}}; }

template <class Op>
std::vector<llm::record> run_one(std::vector<llm::record> in, Op op) {
  std::vector<llm::record> out;
  mr::run(mr::from_range(std::move(in)) | op | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 4});
  return out;
}

std::string dump(const std::vector<llm::record>& v) {
  std::string s;
  for (auto& r : v) {
    for (auto& [k, x] : r) s += k + "=" + x + ";";
    s += "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("llm.backoff.deterministic") {
  using ms = std::chrono::milliseconds;
  for (int a = 1; a <= 6; ++a) {
    const auto d = llm::detail::backoff_delay(ms(100), ms(2000), 7, 99, a);
    CHECK(d == llm::detail::backoff_delay(ms(100), ms(2000), 7, 99, a));  // same seed: same schedule
    const auto cap = std::min<std::int64_t>(2000, 100LL << (a - 1));
    CHECK(d.count() >= cap / 2);
    CHECK(d.count() <= cap);
  }
  CHECK(llm::detail::backoff_delay(ms(100), ms(2000), 7, 99, 1, ms(1500)) == ms(1500));  // Retry-After wins
  bool differs = false;
  for (std::uint64_t k = 0; k < 8; ++k)
    differs |= llm::detail::backoff_delay(ms(1000), ms(1000), 1, k, 1) != llm::detail::backoff_delay(ms(1000), ms(1000), 2, k, 1);
  CHECK(differs);  // the seed matters
}

TEST_CASE("llm.predict.order.tbb.replies_out_of_order") {
  auto o = opts();
  o.concurrency = 16;
  std::vector<llm::record> in;
  for (int i = 0; i < 24; ++i)  // early records answer last
    in.push_back(rec("passage " + std::to_string(i) + " [[delay=" + std::to_string((24 - i) * 15) + "]]", std::to_string(i)));
  auto out = run_one(in, llm::predict(qa, o));
  REQUIRE(out.size() == in.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].at("id") == std::to_string(i));
    CHECK(out[i].at("question").starts_with("question:"));
    CHECK(out[i].at("answer").starts_with("answer:"));
  }
  CHECK(o.usage->prompt_tokens.load() > 0);
  CHECK(o.usage->completion_tokens.load() == 24 * 6);  // the server's usage: 3 per field
  CHECK(server().auth_ok());                            // the key was sent as a bearer token

  std::vector<llm::record> serial;
  mr::run(mr::from_range(in) | llm::predict(qa, opts()) | mr::collect(serial), mr::serial_executor{});
  CHECK(dump(serial) == dump(out));
}

TEST_CASE("llm.retry.429.retry_after") {
  auto o = opts();
  const std::string text = "rate me [[429]]";
  auto out = run_one({rec(text)}, llm::predict(qa, o));
  REQUIRE(out.size() == 1);
  const std::string user = "Write a question about: " + text;
  CHECK(server().attempts(user) == 2);
  auto t = server().times(user);
  REQUIRE(t.size() == 2);
  CHECK(t[1] - t[0] >= 0.9);  // Retry-After: 1 honoured although the backoff is 10 ms
  CHECK(o.usage->retries.load() == 1);
}

TEST_CASE("llm.retry.500") {
  auto o = opts();
  auto out = run_one({rec("server error twice [[500]]")}, llm::predict(qa, o));
  REQUIRE(out.size() == 1);
  CHECK(server().attempts("Write a question about: server error twice [[500]]") == 3);
  CHECK(o.usage->retries.load() == 2);
}

TEST_CASE("llm.retry.timeout") {
  auto o = opts();
  o.timeout = std::chrono::milliseconds(700);  // the first reply takes 3 s
  auto out = run_one({rec("slow one [[slow]]")}, llm::predict(qa, o));
  REQUIRE(out.size() == 1);
  CHECK(out[0].at("question").starts_with("question:"));
  CHECK(server().attempts("Write a question about: slow one [[slow]]") == 2);
}

TEST_CASE("llm.retry.dropped_connection") {
  auto o = opts();
  auto out = run_one({rec("dropped [[drop]]")}, llm::predict(qa, o));
  REQUIRE(out.size() == 1);
  CHECK(server().attempts("Write a question about: dropped [[drop]]") == 2);
}

TEST_CASE("llm.failure.reject_and_fail") {
  SUBCASE("reject: the record leaves with the reason, the others stay") {
    auto o = opts();
    o.max_retries = 2;
    auto out = run_one({rec("ok", "0"), rec("dead [[always500]]", "1"), rec("ok too", "2")}, llm::predict(qa, o));
    REQUIRE(out.size() == 2);
    CHECK(out[0].at("id") == "0");
    CHECK(out[1].at("id") == "2");
    auto rj = o.usage->rejects();
    REQUIRE(rj.size() == 1);
    CHECK(rj[0].record.at("id") == "1");
    CHECK(rj[0].op == "llm.predict");
    CHECK(rj[0].reason.find("HTTP 500") != std::string::npos);
    CHECK(rj[0].reason.find("3 attempts") != std::string::npos);
    CHECK(rj[0].reason.find(kKey) == std::string::npos);
  }
  SUBCASE("fail: the run fails naming the operator") {
    auto o = opts();
    o.max_retries = 1;
    o.failure = llm::on_failure::fail;
    try {
      run_one({rec("dead again [[always500]]")}, llm::predict(qa, o, "qa-gen"));
      FAIL("expected operator_error");
    } catch (const mr::operator_error& e) {
      CHECK(e.op_name() == "qa-gen");
      CHECK(std::string(e.what()).find("HTTP 500") != std::string::npos);
      CHECK(std::string(e.what()).find(kKey) == std::string::npos);
    }
  }
}

TEST_CASE("llm.reply.malformed_json") {
  auto o = opts();
  o.max_parse_retries = 2;
  auto out = run_one({rec("garbled [[malformed]]")}, llm::predict(qa, o));
  CHECK(out.empty());
  CHECK(server().attempts("Write a question about: garbled [[malformed]]") == 3);  // 1 + 2 re-asks
  auto rj = o.usage->rejects();
  REQUIRE(rj.size() == 1);
  CHECK(rj[0].reason.find("not JSON") != std::string::npos);
  CHECK(rj[0].raw_reply.find("not json") != std::string::npos);  // the raw reply is kept
  CHECK(o.usage->parse_retries.load() == 2);
}

TEST_CASE("llm.reply.missing_field") {
  auto o = opts();
  o.max_parse_retries = 1;
  auto out = run_one({rec("half [[missing]]")}, llm::predict(qa, o));
  CHECK(out.empty());
  auto rj = o.usage->rejects();
  REQUIRE(rj.size() == 1);
  CHECK(rj[0].reason.find("lacks the field 'answer'") != std::string::npos);
  CHECK(rj[0].raw_reply.find("question:") != std::string::npos);
  CHECK(server().attempts("Write a question about: half [[missing]]") == 2);
}

TEST_CASE("llm.key.never_in_errors") {
  auto o = opts();
  o.failure = llm::on_failure::fail;
  o.max_retries = 0;
  try {
    run_one({rec("quote my header [[echo-auth]]")}, llm::predict(qa, o));
    FAIL("expected operator_error");
  } catch (const mr::operator_error& e) {
    const std::string what = e.what();
    CHECK(what.find("HTTP 400") != std::string::npos);
    CHECK(what.find("Bearer") != std::string::npos);  // the server's body is quoted...
    CHECK(what.find(kKey) == std::string::npos);      // ...with the key taken out
  }
  auto env = opts();
  env.endpoint.api_key.clear();
  ::setenv("OPENAI_API_KEY", kKey, 1);
  ::setenv("OPENAI_BASE_URL", (server().base_url() + "/").c_str(), 1);
  env.endpoint.base_url.clear();
  auto out = run_one({rec("from the environment")}, llm::predict(qa, env));
  CHECK(out.size() == 1);
  CHECK(server().auth_ok());
  ::unsetenv("OPENAI_API_KEY");
  ::unsetenv("OPENAI_BASE_URL");
}

TEST_CASE("llm.judge.filter_and_annotate") {
  std::vector<llm::record> in{rec("a [[score=0.2]]", "0"), rec("b [[score=0.9]]", "1"), rec("c [[score=0.5]]", "2")};
  auto o = opts();
  auto kept = run_one(in, llm::judge("Rate: {text}", o, {.keep_at_least = 0.5}));
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].at("id") == "1");
  CHECK(kept[1].at("id") == "2");
  CHECK(kept[0].at("score") == "0.9");
  CHECK(kept[0].at("reason").starts_with("reason:"));
  auto all = run_one(in, llm::judge("Rate: {text}", opts(), {.keep_at_least = std::nullopt, .score_field = "quality"}));
  REQUIRE(all.size() == 3);
  CHECK(all[0].at("quality") == "0.2");
  auto bad = opts();
  bad.max_parse_retries = 0;
  CHECK(run_one({rec("x [[badscore]]")}, llm::judge("Rate: {text}", bad)).empty());
  REQUIRE(bad.usage->rejects().size() == 1);
  CHECK(bad.usage->rejects()[0].reason.find("not a number") != std::string::npos);
}

TEST_CASE("llm.refine.rewrites_field") {
  auto out = run_one({rec("teh cat", "0")}, llm::refine("text", "Fix the spelling {exactly}.", opts()));
  REQUIRE(out.size() == 1);
  CHECK(out[0].at("text").starts_with("text:"));
  CHECK(out[0].at("id") == "0");
}

TEST_CASE("llm.input.missing_field_rejected") {
  auto o = opts();
  auto out = run_one({llm::record{{"id", "0"}}}, llm::predict(qa, o));
  CHECK(out.empty());
  REQUIRE(o.usage->rejects().size() == 1);
  CHECK(o.usage->rejects()[0].reason.find("'text'") != std::string::npos);
}

TEST_CASE("llm.cache.corrupt_entry_is_a_miss") {
  // A cache file whose length line is not a number (cut short, edited) is a miss, not an exception.
  mrtest::temp_dir d("llm-cache");
  llm::response_cache cache(d.path / "cache");
  cache.put("http://x/v1", "{\"q\":1}", "reply");
  REQUIRE(cache.get("http://x/v1", "{\"q\":1}") == std::optional<std::string>("reply"));
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(d.path / "cache")) files.push_back(e.path());
  REQUIRE(files.size() == 1);
  for (const char* bad : {"x\nkey", "12a\n", "\n", "99999999999999999999999\nk"}) {
    mrtest::write_file(files[0], bad);
    CHECK(!cache.get("http://x/v1", "{\"q\":1}").has_value());
  }
}

TEST_CASE("llm.cache.rerun_pays_nothing_and_is_identical") {
  const mrtest::temp_dir dir("llm-cache");
  std::vector<llm::record> in;
  for (int i = 0; i < 10; ++i) in.push_back(rec("cached passage " + std::to_string(i) + " [[delay=" + std::to_string(i * 7) + "]]", std::to_string(i)));
  auto o1 = opts();
  o1.cache_dir = dir;
  auto first = run_one(in, llm::predict(qa, o1));
  CHECK(o1.usage->cache_hits.load() == 0);
  const auto before = server().total();
  auto o2 = opts();
  o2.cache_dir = dir;
  auto second = run_one(in, llm::predict(qa, o2));
  CHECK(server().total() == before);  // no request paid twice
  CHECK(o2.usage->cache_hits.load() == 10);
  CHECK(o2.usage->requests.load() == 0);
  CHECK(dump(first) == dump(second));
  auto o3 = opts();  // another model is another key
  o3.cache_dir = dir;
  o3.endpoint.model = "other-model";
  run_one(in, llm::predict(qa, o3));
  CHECK(o3.usage->cache_hits.load() == 0);
  for (auto& e : fs::directory_iterator(dir)) {
    CHECK(e.path().filename().string().front() != '.');  // no temporary file left
    const std::string text = mrtest::read_file(e.path());
    CHECK(text.find(kKey) == std::string::npos);  // the key is not part of the cache
  }
}

TEST_CASE("llm.cancel.failure_elsewhere_stops_in_flight") {
  std::vector<llm::record> in;
  for (int i = 0; i < 8; ++i) in.push_back(rec("hang " + std::to_string(i) + " [[hang]]", std::to_string(i)));
  for (int i = 8; i < 40; ++i) in.push_back(rec("fine " + std::to_string(i), std::to_string(i)));
  auto o = opts();
  o.timeout = std::chrono::milliseconds(60000);
  std::vector<llm::record> out;
  auto fails_later = mr::map([](llm::record r) {
    if (r.at("id") == "20") {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the first batches reach the server
      throw std::runtime_error("bad record 20");
    }
    return r;
  }, "boom");
  const auto t0 = std::chrono::steady_clock::now();
  try {
    mr::run(mr::from_range(in) | fails_later | llm::predict(qa, o) | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 4});
    FAIL("expected operator_error");
  } catch (const mr::operator_error& e) {
    CHECK(e.op_name() == "boom");
  }
  // The hanging replies take 30 s each (and retries would add more); cancelled, the run ends far sooner.
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
  CHECK(server().attempts("Write a question about: hang 0 [[hang]]") == 1);
}

TEST_CASE("llm.limits.concurrency_bound") {
  auto o = opts();
  o.concurrency = 2;
  std::vector<llm::record> in;
  for (int i = 0; i < 12; ++i) in.push_back(rec("bounded " + std::to_string(i) + " [[delay=60]] [[track]]", std::to_string(i)));
  server().reset_max();
  std::vector<llm::record> out;
  // One batch, so one operator client holds every request: the server never sees more than 2.
  mr::run(mr::from_range(in) | llm::predict(qa, o) | mr::collect(out), mr::serial_executor{});
  CHECK(out.size() == 12);
  CHECK(server().max_in_flight() <= 2);
  CHECK(server().max_in_flight() >= 1);
}

TEST_CASE("llm.limits.requests_per_second") {
  auto o = opts();
  o.requests_per_second = 10;  // 6 requests: the last starts >= 0.5 s after the first
  std::vector<llm::record> in;
  for (int i = 0; i < 6; ++i) in.push_back(rec("paced " + std::to_string(i), std::to_string(i)));
  std::vector<llm::record> out;
  mr::run(mr::from_range(in) | llm::predict(qa, o) | mr::collect(out), mr::serial_executor{});
  REQUIRE(out.size() == 6);
  double lo = 1e18, hi = 0;
  for (int i = 0; i < 6; ++i) {
    auto t = server().times("Write a question about: paced " + std::to_string(i));
    REQUIRE(t.size() == 1);
    lo = std::min(lo, t[0]);
    hi = std::max(hi, t[0]);
  }
  CHECK(hi - lo >= 0.45);
}

TEST_CASE("llm.failure.fail_policy_does_not_wait_for_slow_requests") {
  auto o = opts();
  o.failure = llm::on_failure::fail;
  o.max_retries = 0;
  o.timeout = std::chrono::milliseconds(60000);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    run_one({rec("stuck [[hang]]", "0"), rec("broken [[always500]]", "1")}, llm::predict(qa, o, "gen"));
    FAIL("expected operator_error");
  } catch (const mr::operator_error& e) {
    CHECK(e.op_name() == "gen");
    CHECK(std::string(e.what()).find("HTTP 500") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));  // the hang is 30 s
}

TEST_CASE("llm.report.counters_per_operator") {
  std::vector<llm::record> in;
  for (int i = 0; i < 6; ++i) in.push_back(rec("counted passage " + std::to_string(i) + (i == 0 ? " [[500]]" : ""), std::to_string(i)));
  auto o = opts();
  std::vector<llm::record> out;
  auto rep = mr::run(mr::from_range(in) | llm::predict(qa, o, "gen") | llm::judge("Rate {question}", o, {}, "rate") | mr::collect(out),
                     mr::cpu{.threads = 2, .batch_size = 4});
  REQUIRE(out.size() == 6);
  const auto* gen = rep.find("gen");
  const auto* rate = rep.find("rate");
  REQUIRE(gen != nullptr);
  REQUIRE(rate != nullptr);
  CHECK(gen->counter("requests") == 8);  // 6 + the two 500s of passage 0
  CHECK(gen->counter("retries") == 2);
  CHECK(rate->counter("requests") == 6);
  CHECK(rate->counter("retries") == 0);
  CHECK(gen->counter("prompt_tokens") > 0);
  CHECK(gen->counter("completion_tokens") == 6 * 6);  // the fake server: 3 per output field
  CHECK(rate->counter("completion_tokens") == 6 * 6);
  // The shared usage is the sum of the operators' own.
  CHECK(o.usage->requests.load() == 14);
  CHECK(o.usage->prompt_tokens.load() == gen->counter("prompt_tokens") + rate->counter("prompt_tokens"));
  CHECK(rep.to_json().find("\"counters\":{\"requests\":8,\"retries\":2,") != std::string::npos);
}
