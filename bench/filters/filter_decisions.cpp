// filter_decisions: millrace's keep/drop decision of each quality filter, alone, on each document
// of a JSONL corpus ({"id", "text", ...} per line), for the side-by-side check with datatrove
// (compare_datatrove.py). Writes CORPUS.decisions.tsv: a header line, then per document its id
// and one reason per column ("" = kept): the four filters with their defaults, then Gopher
// quality, Gopher repetition, C4 quality and FineWeb quality with word_split::datatrove_english
// ("name@datatrove_english").
//   filter_decisions --generate 8 gen.jsonl     # the web-like corpus of bench_filters (8 MiB)
//   filter_decisions gen.jsonl real.jsonl       # -> gen.jsonl.decisions.tsv, real.jsonl.decisions.tsv
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>
#include <millrace/filters/c4.hpp>
#include <millrace/filters/fineweb.hpp>
#include <millrace/filters/gopher.hpp>

#include "../common/web_corpus.hpp"

namespace mf = millrace::filters;
namespace json = millrace::json;

namespace {

int fail(const std::string& why) {
  std::fprintf(stderr, "filter_decisions: %s\n", why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && !std::strcmp(argv[1], "--generate")) {
    std::FILE* f = std::fopen(argv[3], "w");
    if (!f) return fail(fmt::format("{}: cannot write", argv[3]));
    const std::size_t n = web_corpus::generate(std::strtoul(argv[2], nullptr, 10), [&](const std::string& id, std::string text) {
      fmt::print(f, "{{\"id\":{},\"text\":{},\"source\":\"generated\"}}\n", json::quote(id), json::quote(text));
    });
    std::fclose(f);
    fmt::print("{}: {} generated documents\n", argv[3], n);
    return 0;
  }
  if (argc < 2) return fail("usage: filter_decisions CORPUS.jsonl... | --generate MIB OUT.jsonl");
  const mf::gopher_quality gq{};
  const mf::gopher_repetition gr{};
  const mf::c4_quality c4{};
  const mf::fineweb_quality fw{};
  const mf::gopher_quality gq_dt{.params = {.words = mf::word_split::datatrove_english}};
  const mf::gopher_repetition gr_dt{.params = {.words = mf::word_split::datatrove_english}};
  const mf::c4_quality c4_dt{.params = {.sentences = mf::word_split::datatrove_english}};
  const mf::fineweb_quality fw_dt{.params = {.words = mf::word_split::datatrove_english}};
  for (int a = 1; a < argc; ++a) {
    std::ifstream in(argv[a]);
    if (!in) return fail(fmt::format("{}: cannot read", argv[a]));
    const std::string out_path = std::string(argv[a]) + ".decisions.tsv";
    std::FILE* f = std::fopen(out_path.c_str(), "w");
    if (!f) return fail(fmt::format("{}: cannot write", out_path));
    fmt::print(f, "id\tgopher_quality\tgopher_repetition\tc4_quality\tfineweb_quality\tgopher_quality@datatrove_english\t"
                  "gopher_repetition@datatrove_english\tc4_quality@datatrove_english\tfineweb_quality@datatrove_english\n");
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      std::string id, text;
      try {
        const json::value v = json::parse(line);
        const auto& o = v.as_object();
        id = std::get<std::string>(o.at("id").v), text = std::get<std::string>(o.at("text").v);
      } catch (const std::exception& e) {
        std::fclose(f);
        return fail(fmt::format("{}:{}: not a {{\"id\": string, \"text\": string}} record ({})", argv[a], n, e.what()));
      }
      const auto st = mf::analyze(text);
      fmt::print(f, "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", id, gq.check(st), gr.check(st), c4.check(st), fw.check(st),
                 gq_dt.check(st), gr_dt.check(st), c4_dt.check(st), fw_dt.check(st));
    }
    std::fclose(f);
    fmt::print("{}: {} documents\n", out_path, n);
  }
  return 0;
}
