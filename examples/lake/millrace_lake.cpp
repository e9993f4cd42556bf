// millrace-lake: finds which CSV tables of a data lake are contained in which others (R2D2-style
// schema -> statistics -> content stages) and proposes a deletion plan. Nothing is deleted.
//   millrace-lake --lake DIR --report report.json --plan plan.json [--sample 16] [--threads 0]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <millrace/cli/parameters.hpp>
#include <millrace/core.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/output_paths.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/lake/plan.hpp>
#include <millrace/lake/read_table.hpp>
#include <millrace/lake/report.hpp>

namespace mr = millrace;
namespace lk = millrace::lake;

namespace {

struct loaded {
  lk::lake_file file;
  std::optional<lk::table> table;
  std::string error;  // "file:line: reason" when the table could not be read
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "millrace-lake: table containment in a data lake of CSV files (B is contained in A when B's\n"
      "columns are a subset of A's by name and every row of B, projected on B's columns, is a row\n"
      "of A; set semantics by default) and a deletion plan. Nothing is ever deleted."};
  std::string lake_dir, report_file, plan_file;
  std::size_t threads = 0;
  bool case_insensitive = false, bag = false, raw_numbers = false, skip_bad = false, quiet = false;
  // The search's and the plan's options are modules (their parameters(), with ranges): one flag
  // each, under the job's historical names where they differ from the parameter's.
  lk::containment_options co;
  lk::plan_options po;
  app.add_option("--lake", lake_dir, "directory of *.csv / *.csv.zst tables (searched recursively)")
      ->required()->check(CLI::ExistingDirectory);
  app.add_option("--report", report_file, "containment report (JSON)")->required();
  app.add_option("--plan", plan_file, "deletion plan (JSON); none when omitted");
  mr::cli::add_parameters(app, co, {.skip = {"mode", "threads"}});  // --sample, --no-statistics
  app.add_option("--threads", threads, "worker threads (0: all cores)")->capture_default_str();
  app.add_flag("--case-insensitive", case_insensitive, "match column names after Unicode case folding");
  app.add_flag("--bag", bag, "bag semantics: a row must occur in A at least as often as in B");
  app.add_flag("--raw-numbers", raw_numbers, "compare numbers as written (\"007\" != \"7\")");
  app.add_flag("--skip-bad", skip_bad, "list unreadable tables in the report instead of failing");
  mr::cli::add_parameters(app, po, {.flags = {{"max_latency_s", "--max-latency"},
                                              {"scan_bytes_per_s", "--scan-rate"},
                                              {"fixed_latency_s", "--fixed-latency"},
                                              {"cost_per_byte", "--cost-per-byte"},
                                              {"ilp_max_pairs", "--ilp-limit"},
                                              {"ilp_time_limit_s", "--ilp-time-limit"}},
                                     .group = "Deletion plan (--plan)"});
  app.add_flag("--quiet", quiet, "no progress bar or summary");
  CLI11_PARSE(app, argc, argv);

  try {
    // Every output must be writable before any work: a run of minutes must not end in "cannot
    // write the report". Creating a temporary file there and dropping it is the real test.
    for (const auto* out : {&report_file, &plan_file})
      if (!out->empty()) millrace::io::prepare_output_file(*out);

    const lk::table_options topt{.case_insensitive = case_insensitive, .normalize_numbers = !raw_numbers};
    const auto listing = lk::scan_lake(lake_dir);
    lk::report_info info;
    for (const auto& p : listing.problems) {  // dangling symlinks, FIFOs: never opened
      if (!skip_bad) {
        fmt::print(stderr, "millrace-lake: {}\n", p.reason);
        return 2;
      }
      info.skipped.push_back({p.name, p.reason});
    }

    // Load and profile every table in parallel; results stay in file order.
    auto t0 = std::chrono::steady_clock::now();
    std::vector<loaded> all;
    auto load = mr::from_range(listing.tables) |
                mr::map(
                    [&](lk::lake_file f) {
                      loaded l{std::move(f), std::nullopt, {}};
                      try {
                        l.table = lk::read_table(lake_dir, l.file.name, topt);
                      } catch (const std::exception& e) {
                        l.error = e.what();
                      }
                      return l;
                    },
                    "read_table") |
                mr::collect(all);
    mr::run_options ro;
    if (!quiet) ro.on_progress = mr::progress_bar("reading tables", listing.tables.size());
    mr::run(load, mr::cpu{.threads = threads, .batch_size = 4}, ro);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::vector<lk::table> tables;
    for (auto& l : all) {
      if (l.table) {
        tables.push_back(std::move(*l.table));
        info.files.push_back(std::move(l.file));
      } else if (skip_bad) {
        info.skipped.push_back({l.file.name, l.error});
      } else {
        fmt::print(stderr, "millrace-lake: {}\n", l.error);
        return 2;
      }
    }
    std::sort(info.skipped.begin(), info.skipped.end(),
              [](const lk::skipped_table& a, const lk::skipped_table& b) { return a.path < b.path; });

    // Containment, with a bar over the content-check work units.
    co.mode = bag ? lk::semantics::bag : lk::semantics::set;
    co.threads = static_cast<int>(threads);
    std::mutex m;
    std::function<void(const mr::progress&)> bar;
    auto start = std::chrono::steady_clock::now(), last = start;
    if (!quiet)
      co.on_progress = [&](std::size_t done, std::size_t total) {
        std::lock_guard lock(m);
        const auto now = std::chrono::steady_clock::now();
        if (!bar) bar = mr::progress_bar("checking content", total);
        if (done < total && now - last < std::chrono::milliseconds(200)) return;
        last = now;
        bar(mr::progress{done, done, now - start, done == total});
      };
    // outside a run, find_containments is serial unless given an executor's threads
    const auto result = mr::with_executor(mr::cpu{.threads = threads}, [&] { return lk::find_containments(tables, co); });

    info.lake = lake_dir;
    info.mode = co.mode;
    info.case_insensitive = case_insensitive;
    info.normalize_numbers = !raw_numbers;
    info.sample = co.sample;
    info.threads = static_cast<int>(threads);
    info.load_seconds = load_s;
    millrace::io::write_file_atomically(report_file, lk::report_json(tables, result, info));

    std::optional<lk::deletion_plan> plan;
    if (!plan_file.empty()) {
      std::vector<std::uint64_t> bytes;
      for (const auto& t : tables) bytes.push_back(t.bytes());
      // Tables whose file lies outside the lake (reached by a symlink) are never deleted.
      plan = lk::plan_deletions(bytes, result.edges, po, lk::plan_method::automatic,
                                lk::constraints_of(tables, info.files));
      millrace::io::write_file_atomically(plan_file, lk::plan_json(tables, *plan, po, info.files));
    }

    if (!quiet) {
      fmt::print("{} tables ({} skipped), {} schema groups, read in {:.2f} s\n", tables.size(),
                 info.skipped.size(), result.schema_groups, load_s);
      for (const auto& s : result.stages)
        fmt::print("  {:<13} {:>12} edges  {:8.3f} s\n", s.name, s.edges, s.seconds);
      if (plan)
        fmt::print("plan ({}{}): delete {} tables, save {} bytes, objective {:.0f}\n", plan->method,
                   plan->optimal ? ", optimal" : "", plan->deleted.size(), plan->bytes_saved,
                   plan->objective);
    }
    millrace::io::check_stdout();
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-lake: {}\n", e.what());
    return 2;
  }
}
