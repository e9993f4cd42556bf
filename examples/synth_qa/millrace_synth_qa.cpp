// millrace-synth-qa: synthetic question/answer pairs from passages with an LLM. JSONL passages
// (field "text"; "id" kept when a string, else file:line) -> llm::predict K candidate pairs per
// passage -> llm::judge scores each -> the best-scoring pair of each passage (at least
// --min-score) -> DIR/qa.jsonl, with DIR/report.json (requests, retries, cache hits, tokens,
// rejects, the run report) and DIR/rejects.jsonl, each written atomically. Endpoint and key from
// OPENAI_BASE_URL / OPENAI_API_KEY; the key is never printed or written.
//   OPENAI_BASE_URL=http://127.0.0.1:8000/v1 millrace-synth-qa --input passages.jsonl --output out/ --cache cache/
#include <millrace/core.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/read.hpp>
#include <millrace/llm.hpp>

#include <fmt/core.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace mr = millrace;
namespace llm = millrace::llm;
namespace io = millrace::io;
namespace json = millrace::json;

namespace {

struct settings {
  std::vector<std::string> inputs;
  std::filesystem::path output;
  std::string model = "default";
  std::size_t concurrency = 8;
  std::filesystem::path cache;
  std::size_t candidates = 2;
  double min_score = 0.5;
  std::size_t threads = 0;
};

constexpr const char* kHelp =
    "usage: millrace-synth-qa --input FILES --output DIR [--model M] [--concurrency N] [--cache DIR]\n"
    "                         [--candidates K] [--min-score S] [--threads N]\n"
    "  Reads JSONL passages (field \"text\"), asks an OpenAI-compatible endpoint for K question/answer\n"
    "  pairs per passage (default 2), has it judge each pair (score 0..1), keeps each passage's best pair\n"
    "  scoring at least S (default 0.5) and writes DIR/qa.jsonl, DIR/report.json, DIR/rejects.jsonl.\n"
    "  --input takes files, directories or globs (repeat it or separate with commas).\n"
    "  --model M          the model name sent (default \"default\")\n"
    "  --concurrency N    requests in flight per operator (default 8)\n"
    "  --cache DIR        response cache: a rerun pays for no request twice and writes the same bytes\n"
    "  Environment: OPENAI_BASE_URL (default http://127.0.0.1:8000/v1), OPENAI_API_KEY (never printed).\n";

int usage_error(const std::string& why) {
  fmt::print(stderr, "millrace-synth-qa: {}\n{}", why, kHelp);
  return 2;
}

std::string record_json(const llm::record& r, const std::vector<std::string>& fields) {
  std::string s = "{";
  for (const auto& f : fields) {
    auto it = r.find(f);
    if (it == r.end()) continue;
    if (s.size() > 1) s += ',';
    json::append_quoted(s, f);
    s += ':';
    json::append_quoted(s, it->second);
  }
  return s + "}";
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--help" || a == "-h") {
        fmt::print("{}", kHelp);
        return 0;
      } else if (a == "--input" || a == "-i") {
        std::string v = value();
        for (std::size_t p = 0; p != std::string::npos;) {
          const auto c = v.find(',', p);
          if (c != p) s.inputs.push_back(v.substr(p, c == std::string::npos ? c : c - p));
          p = c == std::string::npos ? c : c + 1;
        }
      } else if (a == "--output" || a == "-o") s.output = value();
      else if (a == "--model") s.model = value();
      else if (a == "--concurrency") s.concurrency = std::stoul(value());
      else if (a == "--cache") s.cache = value();
      else if (a == "--candidates") s.candidates = std::stoul(value());
      else if (a == "--min-score") s.min_score = std::stod(value());
      else if (a == "--threads") s.threads = std::stoul(value());
      else return usage_error("unknown option " + a);
    } catch (const std::exception& e) {
      return usage_error(a + ": " + e.what());
    }
  }
  if (s.inputs.empty()) return usage_error("--input is required");
  if (s.output.empty()) return usage_error("--output is required");
  if (s.candidates == 0) return usage_error("--candidates must be at least 1");

  try {
    std::filesystem::create_directories(s.output);
    llm::options o;
    o.endpoint.model = s.model;
    o.concurrency = s.concurrency;
    o.cache_dir = s.cache;
    o.usage = std::make_shared<llm::usage>();
    const std::size_t k = s.candidates;

    // Each passage becomes K records "candidate" 0..K-1 (the prompt names it, so each is its own
    // request and cache entry); records leave every operator in input order, so a passage's
    // candidates stay adjacent.
    auto passages = io::read_jsonl_as(s.inputs, [](io::json_line& l) {
      llm::record r;
      auto id = l.get_string("id");
      r["id"] = id ? *id : fmt::format("{}:{}", l.file(), l.line());
      if (auto t = l.get_string("text")) r["text"] = std::move(*t);  // absent: llm::predict rejects it
      return r;
    });
    std::vector<llm::record> judged;
    const auto report = mr::run(
        passages |
            mr::flat_map(
                [k](const llm::record& r) {
                  std::vector<llm::record> out(k, r);
                  for (std::size_t c = 0; c < k; ++c) out[c]["candidate"] = std::to_string(c + 1);
                  return out;
                },
                "candidates") |
            llm::predict({"Write question/answer pair number {candidate}: one question that the passage answers, and "
                           "its answer in one sentence.\n\nPassage: {text}",
                           {"question", "answer"}},
                          o, "generate") |
            llm::judge("Score from 0 to 1 how well the answer answers the question, using only the passage.\n"
                       "Passage: {text}\nQuestion: {question}\nAnswer: {answer}",
                       o, {.keep_at_least = s.min_score}, "judge") |
            mr::collect(judged),
        mr::cpu{.threads = s.threads});

    // The best pair of each passage (the first of equal scores), in input order.
    std::string qa;
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < judged.size();) {
      std::size_t best = i, j = i;
      for (; j < judged.size() && judged[j].at("id") == judged[i].at("id"); ++j)
        if (std::stod(judged[j].at("score")) > std::stod(judged[best].at("score"))) best = j;
      qa += record_json(judged[best], {"id", "text", "question", "answer", "score", "reason"}) + "\n";
      ++pairs;
      i = j;
    }
    std::string rejects;
    for (const auto& r : o.usage->rejects()) {
      std::string line = "{\"id\":";
      json::append_quoted(line, r.record.count("id") ? r.record.at("id") : std::string());
      line += ",\"operator\":";
      json::append_quoted(line, r.op);
      line += ",\"reason\":";
      json::append_quoted(line, r.reason);
      line += ",\"raw_reply\":";
      json::append_quoted(line, r.raw_reply);
      rejects += line + "}\n";
    }
    const auto& u = *o.usage;
    const std::uint64_t passages_in = report.find("candidates") ? report.find("candidates")->records_in : 0;
    std::uint64_t judge_rejects = 0;
    for (const auto& r : u.rejects()) judge_rejects += r.op == "judge";
    const auto* jr = report.find("judge");
    const std::uint64_t below_min = jr ? jr->records_in - jr->records_out - judge_rejects : 0;  // judged, scored low
    const std::string rep =
        fmt::format("{{\"passages\":{},\"pairs\":{},\"requests\":{},\"retries\":{},\"parse_retries\":{},\"cache_hits\":{},"
                    "\"prompt_tokens\":{},\"completion_tokens\":{},\"rejects\":{},\"below_min_score\":{},\"run\":{}}}\n",
                    passages_in, pairs, u.requests.load(), u.retries.load(), u.parse_retries.load(), u.cache_hits.load(),
                    u.prompt_tokens.load(), u.completion_tokens.load(), u.rejects().size(),
                    below_min,
                    report.to_json());
    io::write_file_atomically(s.output / "qa.jsonl", qa);
    io::write_file_atomically(s.output / "rejects.jsonl", rejects);
    io::write_file_atomically(s.output / "report.json", rep);
    fmt::print("{}", report);
    fmt::print("millrace-synth-qa: {} passages -> {} pairs in {}; {} requests, {} retries, {} cache hits, "
               "{} prompt + {} completion tokens, {} rejected\n",
               passages_in, pairs, (s.output / "qa.jsonl").string(), u.requests.load(), u.retries.load(),
               u.cache_hits.load(), u.prompt_tokens.load(), u.completion_tokens.load(), u.rejects().size());
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-synth-qa: {}\n", e.what());
    return 1;
  }
  return 0;
}
