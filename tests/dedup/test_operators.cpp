// The dedup pipeline operators: exact, near (barrier) and near_streaming, on the oneTBB executor
// and the serial reference executor; outputs in input order, counts, clusters, determinism.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/dedup/operators.hpp>

#include "corpus.hpp"

namespace mr = millrace;
namespace dd = millrace::dedup;

namespace {
struct Doc {
  std::size_t id;
  std::string text;
};
std::vector<Doc> docs_of(const dedup_test::corpus& c) {
  std::vector<Doc> v;
  for (std::size_t i = 0; i < c.docs.size(); ++i) v.push_back({i, c.docs[i]});
  return v;
}
auto text_of = [](const Doc& d) { return std::string_view(d.text); };
}  // namespace

TEST_CASE("operators.near.batch.matches_near_dedup.1T_2T_serial") {
  auto c = dedup_test::make_corpus(21, 120, 2, 0.05);
  auto docs = docs_of(c);
  dd::near_dedup_options o;
  o.threshold = 0.6;
  const auto ref = dd::near_dedup(dedup_test::views(c.docs), o);
  auto check_run = [&](auto exec, std::size_t batch_size) {
    std::vector<Doc> out;
    std::vector<std::uint64_t> clusters;
    std::vector<char> kept;
    auto cb = [&](const Doc& d, std::uint64_t cl, bool k) {
      CHECK(d.id == clusters.size());  // called in input order
      clusters.push_back(cl);
      kept.push_back(k);
    };
    auto rep = [&] {
      if constexpr (std::is_same_v<decltype(exec), mr::cpu>) {
        exec.batch_size = batch_size;
        return mr::run(mr::from_range(docs) | dd::near(o, text_of, cb) | mr::collect(out), exec);
      } else {
        return mr::run(mr::from_range(docs) | dd::near(o, text_of, cb) | mr::collect(out), exec);
      }
    }();
    CHECK(clusters == ref.cluster);
    CHECK(kept == ref.kept);
    std::vector<std::size_t> ids, ref_ids;
    for (auto& d : out) ids.push_back(d.id);
    for (std::size_t i = 0; i < ref.kept.size(); ++i)
      if (ref.kept[i]) ref_ids.push_back(i);
    CHECK(ids == ref_ids);  // survivors, in input order
    (void)rep;
  };
  check_run(mr::cpu{.threads = 1}, 7);
  check_run(mr::cpu{.threads = 2}, 32);
  check_run(mr::serial_executor{}, 0);
}

TEST_CASE("operators.exact.strings_and_records.2T") {
  std::vector<std::string> in{"a", "b", "a", "c", "b", "A", "a "};
  std::vector<std::string> out;
  mr::run(mr::from_range(in) | dd::exact() | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 2});
  CHECK(out == std::vector<std::string>{"a", "b", "c", "A", "a "});
  out.clear();
  dd::exact_options norm;
  norm.normalize = true;
  mr::run(mr::from_range(in) | dd::exact(norm) | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 3});
  CHECK(out == std::vector<std::string>{"a", "b", "c"});

  std::vector<Doc> docs{{0, "x"}, {1, "y"}, {2, "x"}, {3, "x"}};
  std::vector<std::uint64_t> clusters;
  std::vector<Doc> kept;
  mr::run(mr::from_range(docs) |
              dd::exact({}, text_of, [&](const Doc&, std::uint64_t cl, bool) { clusters.push_back(cl); }) |
              mr::collect(kept),
          mr::cpu{.threads = 2, .batch_size = 1});
  CHECK(clusters == std::vector<std::uint64_t>{0, 1, 0, 0});
  CHECK(kept.size() == 2);
}

TEST_CASE("operators.near_streaming.deterministic.1T_vs_2T") {
  auto c = dedup_test::make_corpus(22, 120, 2, 0.05);
  auto docs = docs_of(c);
  dd::near_dedup_options o;
  o.threshold = 0.6;
  auto run = [&](std::size_t threads, std::size_t bs) {
    std::vector<Doc> out;
    std::vector<std::uint64_t> clusters;
    mr::run(mr::from_range(docs) |
                dd::near_streaming(o, text_of, 0, [&](const Doc&, std::uint64_t cl, bool) { clusters.push_back(cl); }) |
                mr::collect(out),
            mr::cpu{.threads = threads, .batch_size = bs});
    std::vector<std::size_t> ids;
    for (auto& d : out) ids.push_back(d.id);
    return std::pair{ids, clusters};
  };
  auto a = run(1, 5), b = run(2, 64);
  CHECK(a == b);
  CHECK(a.second.size() == docs.size());
  for (std::size_t i = 0; i < a.first.size(); ++i) CHECK(a.second[a.first[i]] == a.first[i]);
  CHECK(a.first.size() < docs.size());
}
