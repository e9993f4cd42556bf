#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <millrace/core.hpp>
#include <millrace/lake/brute_force.hpp>
#include <millrace/lake/operators.hpp>
#include <millrace/synth/lake.hpp>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

namespace mr = millrace;
namespace lk = millrace::lake;
namespace fs = std::filesystem;

namespace {
// A fresh directory holding a generated lake of 90 tables (removed at the end of the test).
struct lake_dir : mrtest::temp_dir {
  lake_dir(const char* name, std::uint64_t seed) : mrtest::temp_dir(std::string("lake-ops-") + name) {
    millrace::synth::write_lake(millrace::synth::generate_lake({.seed = seed, .tables = 90}), path);
  }
};
}  // namespace

TEST_CASE("lake.ops.pipeline.serial_1T_2T.equal_brute_force") {
  const lake_dir dir("pipe", 41);
  std::vector<lk::table> tables;
  for (const auto& f : lk::list_tables(dir)) tables.push_back(lk::read_table(dir, f));
  std::vector<lk::containment_record> want;
  for (const auto& e : lk::brute_force_containments(tables))
    want.push_back({tables[e.container].path(), tables[e.contained].path()});
  REQUIRE_FALSE(want.empty());

  std::vector<lk::containment_record> s, t1, t2;
  mr::run(lk::read_lake(dir) | lk::containments() | mr::collect(s), mr::serial_executor{.batch_size = 7});
  mr::run(lk::read_lake(dir) | lk::containments({.threads = 1}) | mr::collect(t1), mr::cpu{.threads = 1, .batch_size = 3});
  lk::containment_stage st{.options = {.sample = 2, .threads = 2}};
  mr::run(lk::read_lake(dir) | mr::stage(std::ref(st), "lake.containments") | mr::collect(t2),
          mr::cpu{.threads = 2, .batch_size = 5});
  CHECK(s == want);
  CHECK(t1 == want);
  CHECK(t2 == want);
  CHECK(st.result.edges.size() == want.size());
  CHECK(st.tables.size() == 90);
}

TEST_CASE("lake.ops.bad_file.operator_error") {
  const lake_dir dir("bad", 42);
  mrtest::write_file(dir / "zz_bad.csv", "a,b\n1\n");
  std::vector<lk::containment_record> out;
  try {
    mr::run(lk::read_lake(dir) | lk::containments() | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 4});
    FAIL("no error");
  } catch (const mr::operator_error& e) {
    CHECK(e.op_name() == "lake.read_table");
    CHECK(std::string(e.what()).find("zz_bad.csv:2:") != std::string::npos);
  }
}

TEST_CASE("lake.ops.name.reaches_the_run_report.2T") {
  const lake_dir dir("named", 43);
  std::vector<lk::containment_record> out;
  auto r = mr::run(lk::read_lake(dir, {}, "warehouse") | lk::containments({}, "contain") | mr::collect(out),
                   mr::cpu{.threads = 2, .batch_size = 4});
  std::vector<std::string> names;
  for (const auto& o : r.ops) names.push_back(o.name);
  CHECK(std::find(names.begin(), names.end(), "warehouse.tables") != names.end());
  CHECK(std::find(names.begin(), names.end(), "warehouse.read_table") != names.end());
  CHECK(std::find(names.begin(), names.end(), "contain") != names.end());
  CHECK(std::find(names.begin(), names.end(), "lake.containments") == names.end());
  mrtest::write_file(dir / "zz_bad.csv", "a,b\n1\n");
  try {
    mr::run(lk::read_lake(dir, {}, "warehouse") | lk::containments() | mr::collect(out), mr::serial_executor{});
    FAIL("no error");
  } catch (const mr::operator_error& e) {
    CHECK(e.op_name() == "warehouse.read_table");
  }
}
