// Operator headers include the composition half of the core, never an executor: none of these
// pulls in a oneTBB header, and their whole-data work runs on the current backend (serial here,
// outside any run).
#include <millrace/dedup/all_pairs_jaccard.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/near_streaming.hpp>
#include <millrace/dedup/union_find.hpp>
#include <millrace/lake/brute_force.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/lake/operators.hpp>
#include <millrace/lake/plan.hpp>
#include <millrace/lake/read_table.hpp>
#include <millrace/lake/report.hpp>
#include <millrace/ops/divide_and_conquer.hpp>
#include <millrace/ops/mapreduce_tree.hpp>
#include <millrace/ops/operators.hpp>
#include <millrace/ops/tree.hpp>
#include <millrace/synth/corpus.hpp>
#include <millrace/synth/lake.hpp>
#include <millrace/synth/score.hpp>
#include <millrace/text/markdown.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>

#ifdef TBB_VERSION_MAJOR  // defined by every oneTBB header (oneapi/tbb/version.h)
#error "an operator header includes oneTBB (it must include <millrace/core/compose.hpp>, not an executor)"
#endif

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

TEST_CASE("headers.operators.no_executor.near_dedup_runs_serially") {
  const std::string a = "the quick brown fox jumps over the lazy dog again and again",
                    b = "the quick brown fox jumps over the lazy dog again and again!", c = "something else entirely";
  const std::vector<std::string_view> texts{a, b, c};
  const auto r = millrace::dedup::near_dedup(texts);
  REQUIRE(r.kept.size() == 3);
  CHECK(r.kept[0]);
  CHECK(!r.kept[1]);
  CHECK(r.kept[2]);
  CHECK(millrace::parallel_concurrency() == 1);
}
