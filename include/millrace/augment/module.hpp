// augment_module: the whole augmentation chain (number -> generate -> guard -> dedup_variants ->
// flatten) as a module with named parameters, printable and loadable from a JSON config.
//   au::augment_module m{.wn = &wn};  mr::load_config(m, R"({"variants": 8, "guard_lo": 0.4})");
//   auto p = mr::from_range(docs) | m | mr::collect(out);   // source_doc in, augmented_doc out
#pragma once

#include <memory>
#include <string>

#include <millrace/augment/operators.hpp>
#include <millrace/core/compose.hpp>

namespace millrace::augment {

/// The augmentation job as a module: its declared parameters (ops, variants, seed, guard bounds) and how to build its pipeline.
struct augment_module {
  const wordnet* wn = nullptr;   // needed by synonym and insert; not a parameter
  std::string ops = "synonym,insert,swap,delete";
  std::size_t variants = 4;
  std::uint64_t seed = 0;
  std::string mode = "cycle";
  double synonym_rate = 0.1, insert_rate = 0.1, swap_rate = 0.1, delete_rate = 0.1;
  double typo_rate = 0.02, case_rate = 0.02, mask_rate = 0.15, span_density = 0.15, span_mean_length = 3.0;
  std::size_t max_senses = 3;
  bool pos_aware = true;
  bool guard = true;
  double guard_lo = 0.3, guard_hi = 0.95;
  std::size_t guard_ngram = 2, guard_perm = 128;
  bool with_originals = true;

  auto parameters() {
    return millrace::params(
        millrace::param("ops", ops, "operations: synonym,insert,swap,delete,typo,case,mask,span"),
        millrace::param("variants", variants, "variants per record"),
        millrace::param("seed", seed, "random seed"),
        millrace::param("mode", mode, "cycle (one op per variant) or chain (all ops)").one_of({"cycle", "chain"}),
        millrace::param("synonym_rate", synonym_rate, "P(replace) per eligible word").range(0, 1),
        millrace::param("insert_rate", insert_rate, "insertions ~ Binomial(words, rate)").range(0, 1),
        millrace::param("swap_rate", swap_rate, "swaps ~ Binomial(words, rate)").range(0, 1),
        millrace::param("delete_rate", delete_rate, "P(delete) per word").range(0, 1),
        millrace::param("typo_rate", typo_rate, "P(typo) per ASCII letter").range(0, 1),
        millrace::param("case_rate", case_rate, "P(case flip) per ASCII letter").range(0, 1),
        millrace::param("mask_rate", mask_rate, "P(mask) per word").range(0, 1),
        millrace::param("span_density", span_density, "span corruption: fraction of words").range(0, 1),
        millrace::param("span_mean_length", span_mean_length, "span corruption: mean span length").range(1, 1e6),
        millrace::param("max_senses", max_senses, "WordNet senses per word, most frequent first (0 = all)"),
        millrace::param("pos_aware", pos_aware, "guess the part of speech before looking up synonyms"),
        millrace::param("guard", guard, "apply the similarity guard"),
        millrace::param("guard_lo", guard_lo, "min estimated Jaccard to the source").range(0, 1),
        millrace::param("guard_hi", guard_hi, "max estimated Jaccard to the source").range(0, 1),
        millrace::param("guard_ngram", guard_ngram, "word n-gram size of the guard's shingles").range(1, 64),
        millrace::param("guard_perm", guard_perm, "MinHash permutations of the guard").range(1, 4096),
        millrace::param("with_originals", with_originals, "emit each original as variant 0"));
  }

  augment_options options() const {
    augment_options o;
    o.ops = parse_ops(ops);
    o.variants = variants;
    o.seed = seed;
    if (mode != "cycle" && mode != "chain") throw std::invalid_argument("augment_module: mode must be cycle or chain, not '" + mode + "'");
    o.mode = mode == "chain" ? compose_mode::chain : compose_mode::cycle;
    o.synonym_rate = synonym_rate;
    o.insert_rate = insert_rate;
    o.swap_rate = swap_rate;
    o.delete_rate = delete_rate;
    o.typo_rate = typo_rate;
    o.case_rate = case_rate;
    o.mask_rate = mask_rate;
    o.span_density = span_density;
    o.span_mean_length = span_mean_length;
    o.senses.max_senses = max_senses;
    o.pos_aware = pos_aware;
    return o;
  }

  // Without the guard, [0, 1] with no sibling check keeps every variant.
  guard_options guard_opts() const {
    if (!guard) return {.lo = 0, .hi = 1, .ngram = guard_ngram, .num_perm = guard_perm, .siblings = false};
    return {.lo = guard_lo, .hi = guard_hi, .ngram = guard_ngram, .num_perm = guard_perm};
  }

  auto forward() const {
    auto aug = std::make_shared<const augmenter>(wn, options());
    auto g = std::make_shared<const similarity_guard>(guard_opts());
    return number() | make_variants(aug) | augment::guard(g) | dedup_variants() | flatten(with_originals);
  }
};

}  // namespace millrace::augment
