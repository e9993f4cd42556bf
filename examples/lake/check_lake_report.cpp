// millrace-lake-check: recomputes a lake's containments by brute force and compares them with a
// millrace-lake report (the CTest check of the job), and that a plan is feasible: every deleted
// table keeps a retained container, none is rebuilt from itself or lies outside the lake.
// Exit 0 when all holds, 1 otherwise.
//   millrace-lake-check --lake DIR --report report.json [--plan plan.json]
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include <millrace/lake/brute_force.hpp>
#include <millrace/lake/read_table.hpp>
#include <millrace/lake/report.hpp>

namespace lk = millrace::lake;

int main(int argc, char** argv) {
  CLI::App app{"millrace-lake-check: brute-force containments vs a millrace-lake report"};
  std::string lake_dir, report_file, plan_file;
  bool case_insensitive = false, bag = false;
  app.add_option("--lake", lake_dir, "the lake directory")->required();
  app.add_option("--report", report_file, "millrace-lake report")->required();
  app.add_option("--plan", plan_file, "millrace-lake plan: checked for feasibility");
  app.add_flag("--case-insensitive", case_insensitive, "as given to millrace-lake");
  app.add_flag("--bag", bag, "as given to millrace-lake");
  CLI11_PARSE(app, argc, argv);
  try {
    // The same tables as the job: one per file; entries that are no table file (the job reports
    // them) are left out. Names are compared as a JSON reader gets them back (printable_name).
    std::vector<lk::table> tables;
    std::set<std::string> outside;  // tables whose file is outside the lake: never deleted
    for (const auto& f : lk::scan_lake(lake_dir).tables) {
      tables.push_back(lk::read_table(lake_dir, f.name, {.case_insensitive = case_insensitive}));
      if (!f.inside_lake) outside.insert(lk::printable_name(f.name));
    }
    std::set<std::pair<std::string, std::string>> want, got;
    for (const auto& e : lk::brute_force_containments(tables, bag ? lk::semantics::bag : lk::semantics::set))
      want.emplace(lk::printable_name(tables[e.container].path()), lk::printable_name(tables[e.contained].path()));

    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.load(report_file);
    for (auto c : doc["containments"].get_array())
      got.emplace(std::string(c["container"].get_string().value()),
                  std::string(c["contained"].get_string().value()));
    std::uint64_t exact = 0;
    for (auto s : doc["stages"].get_array())
      if (s["stage"].get_string().value() == "exact") exact = s["edges"].get_uint64().value();

    int bad = 0;
    for (const auto& p : want)
      if (!got.count(p)) ++bad, fmt::print("missing: {} contains {}\n", p.first, p.second);
    for (const auto& p : got)
      if (!want.count(p)) ++bad, fmt::print("wrong:   {} does not contain {}\n", p.first, p.second);
    if (exact != got.size()) ++bad, fmt::print("stage 'exact' says {} edges, report lists {}\n", exact, got.size());

    if (!plan_file.empty()) {  // every deleted table keeps a retained container
      simdjson::dom::element plan = parser.load(plan_file);
      std::set<std::string> deleted;
      for (auto d : plan["delete"].get_array()) deleted.emplace(d["table"].get_string().value());
      for (auto d : plan["delete"].get_array()) {
        const std::string t(d["table"].get_string().value()), a(d["rebuild_from"].get_string().value());
        if (t == a) ++bad, fmt::print("plan: {} rebuilt from itself\n", t);
        if (outside.count(t)) ++bad, fmt::print("plan: {} lies outside the lake but is deleted\n", t);
        if (deleted.count(a)) ++bad, fmt::print("plan: {} rebuilt from deleted {}\n", t, a);
        if (!want.count({a, t})) ++bad, fmt::print("plan: {} does not contain {}\n", a, t);
      }
    }
    if (bad) {
      fmt::print("{} problem(s); brute force found {} containments, the report {}\n", bad, want.size(), got.size());
      return 1;
    }
    fmt::print("ok: {} tables, {} containments identical to brute force\n", tables.size(), want.size());
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-lake-check: {}\n", e.what());
    return 2;
  }
}
