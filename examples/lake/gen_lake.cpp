// millrace-gen-lake: writes a seeded synthetic data lake of CSV tables (see millrace/synth/lake.hpp).
//   millrace-gen-lake --out lake/ --tables 500 --seed 7
#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <millrace/synth/lake.hpp>

int main(int argc, char** argv) {
  CLI::App app{"millrace-gen-lake: a seeded synthetic data lake (base, derived, mutated, unrelated,\n"
               "renamed tables) written as CSV; the same seed gives the same bytes."};
  std::string out;
  millrace::synth::lake_options o;
  app.add_option("--out", out, "output directory (created)")->required();
  app.add_option("--tables", o.tables, "number of tables")->capture_default_str();
  app.add_option("--seed", o.seed, "seed")->capture_default_str();
  app.add_option("--min-rows", o.min_rows, "rows per base table, at least")->capture_default_str();
  app.add_option("--max-rows", o.max_rows, "rows per base table, at most")->capture_default_str();
  app.add_option("--max-cols", o.max_cols, "columns per base table, at most")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    const auto lake = millrace::synth::generate_lake(o);
    millrace::synth::write_lake(lake, out);
    fmt::print("wrote {} tables to {}\n", lake.tables.size(), out);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-gen-lake: {}\n", e.what());
    return 2;
  }
}
