// tune-prompts: mr::tune chooses between prompt templates for question/answer generation by the
// mean score a judge gives the pairs each template draws (llm::predict -> llm::judge), on an
// OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY). With --fake-markers the templates
// carry the test server's [[quality=X]] markers, which stand in for how good a template's answers
// are; --check then fails unless the chosen template scores above the default on held-back passages.
//   OPENAI_BASE_URL=http://127.0.0.1:8000/v1 tune-prompts --model qwen2.5-7b-instruct
#include <millrace/core.hpp>
#include <millrace/llm.hpp>
#include <millrace/synth/corpus.hpp>
#include <millrace/tune.hpp>

#include <fmt/core.h>

#include <cstdlib>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace mr = millrace;
namespace llm = millrace::llm;

namespace {

/// The generation prompt as a module: one choice among named templates.
struct qa_prompt_module {
  std::string style = "plain";
  bool fake_markers = false;  // not a parameter: set by --fake-markers
  auto parameters() { return mr::params(mr::param("style", style, "the prompt template").one_of({"plain", "stepwise", "terse"})); }

  std::string instructions() const {
    static const std::map<std::string, std::pair<std::string, std::string>> templates = {
        {"plain", {"Write one question about the passage and its answer.\n\nPassage: {text}", "[[quality=0.5]]"}},
        {"stepwise",
         {"Read the passage, name its main claim, then write one question that only a reader of the passage can "
          "answer, and the answer in one sentence.\n\nPassage: {text}",
          "[[quality=0.9]]"}},
        {"terse", {"Q and A: {text}", "[[quality=0.2]]"}},
    };
    const auto& t = templates.at(style);
    return fake_markers ? t.first + " " + t.second : t.first;
  }
};

struct run_settings {
  llm::options opts;
  std::string criterion = "Score from 0 to 1 how well the answer answers the question and how much the question needs "
                          "the passage.\nQuestion: {question}\nAnswer: {answer}";
};

/// Mean judge score of the pairs the module's template draws from these passages.
double mean_score(const qa_prompt_module& m, std::span<const llm::record> passages, const run_settings& s) {
  std::vector<llm::record> scored;
  mr::run(mr::from_range(std::vector<llm::record>(passages.begin(), passages.end())) |
              llm::predict({m.instructions(), {"question", "answer"}}, s.opts) | llm::judge(s.criterion, s.opts) |
              mr::collect(scored),
          mr::cpu{.threads = 2, .batch_size = 8});
  double sum = 0;
  for (const auto& r : scored) sum += std::strtod(r.at("score").c_str(), nullptr);
  return scored.empty() ? 0.0 : sum / double(passages.size());  // a rejected pair scores 0
}

std::vector<llm::record> passages(std::size_t n, std::uint64_t seed) {
  std::vector<llm::record> out;
  for (auto& d : millrace::synth::generate_corpus({.docs = n, .seed = seed, .min_words = 30, .max_words = 60}))
    out.push_back({{"id", d.id}, {"text", d.text}});
  return out;
}

int usage(int rc) {
  fmt::print(rc ? stderr : stdout,
             "usage: tune-prompts [--model M] [--passages N] [--concurrency N] [--cache DIR] [--fake-markers] [--check]\n"
             "  Chooses the question/answer template (plain, stepwise, terse) with the best mean judge score on N\n"
             "  generated passages (24); endpoint and key from OPENAI_BASE_URL / OPENAI_API_KEY.\n");
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 24;
  run_settings s;
  s.opts.endpoint.model = "default";
  s.opts.usage = std::make_shared<llm::usage>();
  qa_prompt_module start;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--help" || a == "-h") return usage(0);
    if (a == "--check") check = true;
    else if (a == "--fake-markers") start.fake_markers = true;
    else if (a == "--model" && (v = next())) s.opts.endpoint.model = v;
    else if (a == "--passages" && (v = next())) n = std::strtoull(v, nullptr, 10);
    else if (a == "--concurrency" && (v = next())) s.opts.concurrency = std::strtoull(v, nullptr, 10);
    else if (a == "--cache" && (v = next())) s.opts.cache_dir = v;
    else return usage(2);
  }
  try {
    const auto sample = passages(n, 1), held_back = passages(n, 2);
    auto metric = [&](const qa_prompt_module& m, std::span<const llm::record> part) { return mean_score(m, part, s); };
    const auto r = mr::tune(start, metric, sample, {.trials = 3, .threads = 1});
    fmt::print("{}", r.to_text());
    qa_prompt_module tuned = start;
    mr::load_config(tuned, r.best_config);
    const double d = mean_score(start, held_back, s), t = mean_score(tuned, held_back, s);
    fmt::print("best config: {}\nheld-back mean judge score: default ({}) {:.4f}, tuned ({}) {:.4f}\n", r.best_config,
               start.style, d, tuned.style, t);
    fmt::print("llm: {} requests, {} retries, {} cache hits, {} prompt + {} completion tokens, {} rejected\n",
               s.opts.usage->requests.load(), s.opts.usage->retries.load(), s.opts.usage->cache_hits.load(),
               s.opts.usage->prompt_tokens.load(), s.opts.usage->completion_tokens.load(), s.opts.usage->rejects().size());
    if (check && !(t > d)) {
      fmt::print(stderr, "tune-prompts: the chosen template does not beat the default on held-back passages\n");
      return 1;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "tune-prompts: {}\n", e.what());
    return 1;
  }
  return 0;
}
