// The signature check (issue 18) against exact ground truth: its keep rate along the Jaccard axis
// (a pair at the threshold is kept with ~99% probability, a dissimilar one rarely), and pair
// precision >= 0.99 without exact verification at every preset and several seeds, with the recall
// of the unchecked run. Ground truth = exact Jaccard of dedup::shingle_set (all_pairs_jaccard).
#include <millrace/dedup/all_pairs_jaccard.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/signature_check.hpp>
#include <millrace/synth/corpus.hpp>
#include <millrace/synth/score.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {
namespace dd = millrace::dedup;
namespace sy = millrace::synth;

struct corpus {
  std::vector<std::string> texts;
  std::vector<std::string_view> views;
};
corpus make_corpus(const sy::corpus_options& o) {
  corpus c;
  for (auto& d : sy::generate_corpus(o)) c.texts.push_back(std::move(d.text));
  c.views.assign(c.texts.begin(), c.texts.end());
  return c;
}
std::vector<std::vector<std::uint64_t>> shingle_sets(const corpus& c, const dd::near_dedup_options& o) {
  std::vector<std::vector<std::uint64_t>> s(c.views.size());
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = dd::shingle_set(c.views[i], o);
  return s;
}
}  // namespace

TEST_CASE("signature_check.arithmetic") {
  const dd::signature_check c112(112, 0.8), c260(260, 0.8);
  CHECK(c112.bits() == 4);
  CHECK(c112.bytes_per_document() == 56);
  CHECK(c260.bits() == 1);
  CHECK(c260.bytes_per_document() == 40);
  CHECK(c112.jaccard_floor() < 0.8);
  CHECK(c112.jaccard_floor() > 0.6);
  // identical signatures agree everywhere; the count is exact on hand-made sketches
  std::vector<std::uint64_t> a(112), b(112);
  for (std::size_t i = 0; i < 112; ++i) a[i] = b[i] = i * 2654435761u;
  std::vector<std::uint64_t> sa(c112.words()), sb(c112.words());
  c112.sketch(a, sa.data());
  c112.sketch(b, sb.data());
  CHECK(c112.matches(sa.data(), sb.data()) == 112);
  for (std::size_t i = 0; i < 40; ++i) b[i] ^= (i % 4 == 0 ? 8 : 1);  // 40 values differ in their low 4 bits
  b[50] ^= 16;                                                        // one differs above them: still agrees
  c112.sketch(b, sb.data());
  CHECK(c112.matches(sa.data(), sb.data()) == 72);
  CHECK(c112.keep(sa.data(), sa.data()));
}

TEST_CASE("signature_check.scurve.keep_rate_by_jaccard") {
  const auto c = make_corpus({.docs = 4000, .seed = 17, .min_words = 30, .max_words = 120, .duplicate_rate = 0.5,
                              .max_copies = 1, .hard_negative_rate = 0.1});
  dd::near_dedup_options o;
  const auto sets = shingle_sets(c, o);
  const auto pairs = dd::all_pairs_jaccard(sets, 0.1);
  REQUIRE(pairs.size() > 1000);
  const double t = 0.8;
  const dd::signature_check check(o.num_perm, t);
  std::size_t at_n = 0, at_kept = 0, low_n = 0, low_kept = 0;
  std::vector<std::uint64_t> wa(check.words()), wb(check.words());
  for (std::uint64_t rep = 0; rep < 3; ++rep)
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const dd::minhasher mh({o.num_perm, 7919 * (i + 1) + rep, o.family});  // independent trials
      check.sketch(mh.sign(sets[pairs[i].a]), wa.data());
      check.sketch(mh.sign(sets[pairs[i].b]), wb.data());
      const bool kept = check.keep(wa.data(), wb.data());
      if (pairs[i].jaccard >= t) {
        ++at_n;
        at_kept += kept;
      } else if (pairs[i].jaccard < t - 0.2) {
        ++low_n;
        low_kept += kept;
      }
    }
  MESSAGE("J >= " << t << ": kept " << at_kept << " of " << at_n << "; J < " << t - 0.2 << ": kept " << low_kept << " of " << low_n);
  REQUIRE(at_n > 200);
  REQUIRE(low_n > 200);
  CHECK(double(at_kept) >= 0.97 * double(at_n));   // designed for 90% at J = t, >= 99% from t + 0.05
  CHECK(double(low_kept) <= 0.02 * double(low_n));
}

TEST_CASE("near_dedup.signature_check.precision_at_every_preset_and_seed") {
  const auto c = make_corpus({.docs = 2500, .seed = 23, .min_words = 30, .max_words = 200, .min_similarity = 0.5});
  struct setup {
    const char* name;
    dd::near_dedup_options o;
    double recall_from;
  };
  dd::near_dedup_options plain;
  plain.threshold = 0.8;
  std::vector<setup> setups = {{"datatrove", dd::near_dedup_options::preset("datatrove"), 0.9},
                               {"nemo", dd::near_dedup_options::preset("nemo"), 0.9},
                               {"default t=0.8", plain, 0.85}};
  for (auto& s : setups) {
    const auto sets = shingle_sets(c, s.o);
    // As the issue measured it on real text: a predicted pair is correct when the two documents are
    // connected by pairs of exact J >= 0.6 (precision_floor); recall is judged where the S-curve is high.
    const double precision_floor = 0.6;
    const auto truth = dd::all_pairs_jaccard(sets, precision_floor);
    for (std::uint64_t seed : {1, 2, 3}) {
      CAPTURE(s.name);
      CAPTURE(seed);
      auto on = s.o;
      on.seed = seed;
      auto off = on;
      off.check_signatures = false;
      const auto r_on = dd::near_dedup(c.views, on);
      const auto r_off = dd::near_dedup(c.views, off);
      const auto p_on = millrace::synth::score_clustering(r_on.cluster, sets, truth, precision_floor, s.recall_from);
      const auto p_off = millrace::synth::score_clustering(r_off.cluster, sets, truth, precision_floor, s.recall_from);
      MESSAGE(std::string(s.name) << " seed " << seed << ": precision " << p_off.precision() << " -> " << p_on.precision() << ", recall "
                     << p_off.recall() << " -> " << p_on.recall() << "; candidate edges " << r_on.candidate_edges
                     << ", dropped by the check " << r_on.check_dropped);
      REQUIRE(p_on.recall_pairs > 100);
      CHECK(p_on.precision() >= 0.99);
      CHECK(p_on.recall() >= p_off.recall() - 0.005);
    }
  }
}
