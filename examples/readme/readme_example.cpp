// The example at the top of README.md, verbatim apart from the paths (taken from the command
// line), so that CI proves the README compiles and runs.
//   readme_example <input glob> <output dir>
#include <millrace/core.hpp>
#include <millrace/dedup.hpp>
#include <millrace/io.hpp>

#include <string>

namespace mr = millrace;

struct Doc {
  std::string id, text;
};
const auto doc_fields = mr::io::fields(mr::io::field("id", &Doc::id), mr::io::field("text", &Doc::text));

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: readme_example <input glob> <output dir>\n");
    return 2;
  }
  const std::string shards = argv[1], out = argv[2];
  auto job = mr::io::read_jsonl<Doc>({shards}, doc_fields)  // parallel parse, input order kept
             | mr::filter([](const Doc& d) { return d.text.size() >= 200; }, "min_length") |
             mr::dedup::near({.threshold = 0.8}, [](const Doc& d) -> std::string_view { return d.text; }) |
             mr::io::write_jsonl<Doc>(out, doc_fields);                                  // atomic shards + manifest
  const auto report = mr::run(job, mr::cpu{.threads = 0 /* all cores */});  // per-operator report
  fmt::print("{}\n", report);
  return report.records_out() > 0 && report.records_out() < report.records_in() ? 0 : 1;
}
