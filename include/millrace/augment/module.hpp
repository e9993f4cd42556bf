// millrace/augment/module.hpp — augment_module: the whole augmentation chain (number -> generate ->
// guard -> dedup_variants -> flatten) as a module with named parameters, printable and loadable
// from a JSON config.
//   au::augment_module m{.wn = &wn};  mr::load_config(m, R"({"variants": 8, "guard_lo": 0.4})");  // m.augment_opts.variants, m.guard_opts.lo
//   auto p = mr::from_range(docs) | m | mr::collect(out);   // source_doc in, augmented_doc out
#pragma once

#include <memory>
#include <string>

#include <millrace/augment/operators.hpp>
#include <millrace/core/compose.hpp>
#include <millrace/core/param.hpp>

namespace millrace::augment {

/// The augmentation job as a module: the operators' own option structs (augment_options for
/// make_variants, guard_options for the guard) with parameters declared on their fields, and how to
/// build its pipeline. JSON names: ops, variants, seed, mode, the rates, max_senses, pos_aware,
/// guard, guard_lo, guard_hi, guard_ngram, guard_perm, with_originals.
struct augment_module {
  const wordnet* wn = nullptr;   ///< needed by synonym and insert; not a parameter
  /// The operations as text ("synonym,swap"); options() parses it into augment_options::ops.
  std::string ops = "synonym,insert,swap,delete";
  augment_options augment_opts{};  ///< make_variants' options (its ops come from `ops`)
  guard_options guard_opts{};      ///< the similarity guard's options
  bool guard = true;               ///< false: the guard keeps every variant ([0, 1], no sibling check)
  bool with_originals = true;      ///< emit each original as variant 0

  /// The declared parameters (names stable: configs and docs use them).
  auto parameters() {
    auto& a = augment_opts;
    auto& g = guard_opts;
    return millrace::params(
        millrace::param("ops", ops, "operations: synonym,insert,swap,delete,typo,case,mask,span"),
        millrace::param("variants", a.variants, "variants per record"),
        millrace::param("seed", a.seed, "random seed"),
        millrace::param("mode", a.mode, "cycle (one op per variant) or chain (all ops)")
            .one_of({{"cycle", compose_mode::cycle}, {"chain", compose_mode::chain}}),
        millrace::param("synonym_rate", a.synonym_rate, "P(replace) per eligible word").range(0, 1),
        millrace::param("insert_rate", a.insert_rate, "insertions ~ Binomial(words, rate)").range(0, 1),
        millrace::param("swap_rate", a.swap_rate, "swaps ~ Binomial(words, rate)").range(0, 1),
        millrace::param("delete_rate", a.delete_rate, "P(delete) per word").range(0, 1),
        millrace::param("typo_rate", a.typo_rate, "P(typo) per ASCII letter").range(0, 1),
        millrace::param("case_rate", a.case_rate, "P(case flip) per ASCII letter").range(0, 1),
        millrace::param("mask_rate", a.mask_rate, "P(mask) per word").range(0, 1),
        millrace::param("span_density", a.span_density, "span corruption: fraction of words").range(0, 1),
        millrace::param("span_mean_length", a.span_mean_length, "span corruption: mean span length").range(1, 1e6),
        millrace::param("max_senses", a.senses.max_senses, "WordNet senses per word, most frequent first (0 = all)"),
        millrace::param("pos_aware", a.pos_aware, "guess the part of speech before looking up synonyms"),
        millrace::param("guard", guard, "apply the similarity guard"),
        millrace::param("guard_lo", g.lo, "min estimated Jaccard to the source").range(0, 1),
        millrace::param("guard_hi", g.hi, "max estimated Jaccard to the source").range(0, 1),
        millrace::param("guard_ngram", g.ngram, "word n-gram size of the guard's shingles").range(1, 64),
        millrace::param("guard_perm", g.num_perm, "MinHash permutations of the guard").range(1, 4096),
        millrace::param("with_originals", with_originals, "emit each original as variant 0"));
  }

  /// make_variants' options: augment_opts with ops parsed from `ops` (std::invalid_argument names an unknown one).
  augment_options options() const {
    augment_options o = augment_opts;
    o.ops = parse_ops(ops);
    return o;
  }

  /// The guard's options: guard_opts, or without the guard [0, 1] with no sibling check (keeps every variant).
  guard_options guard_used() const {
    guard_options g = guard_opts;
    if (!guard) {
      g.lo = 0;
      g.hi = 1;
      g.siblings = false;
    }
    return g;
  }

  /// number -> make_variants -> guard -> dedup_variants -> flatten.
  auto forward() const {
    auto aug = std::make_shared<const augmenter>(wn, options());
    auto g = std::make_shared<const similarity_guard>(guard_used());
    return number() | make_variants(aug) | augment::guard(g) | dedup_variants() | flatten(with_originals);
  }
};

}  // namespace millrace::augment
