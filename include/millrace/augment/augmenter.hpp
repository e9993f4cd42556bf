// millrace/augment/augmenter.hpp — the augmenter: makes N seeded variants of a text with a list of
// operations (EDA, character noise, masking, span corruption). Thread-safe and deterministic: a
// variant depends only on (seed, record key, variant number, text). Example:
//   millrace::augment::augmenter a(&wn, {.ops = {op_kind::synonym, op_kind::swap}, .variants = 4, .seed = 7});
//   std::vector<millrace::augment::variant> v; a.make_all("The quick brown fox", /*key=*/0, v);
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/augment/char_noise.hpp>
#include <millrace/augment/eda.hpp>
#include <millrace/augment/masking.hpp>
#include <millrace/augment/rng.hpp>
#include <millrace/augment/tokens.hpp>
#include <millrace/augment/wordnet.hpp>

namespace millrace::augment {

/// One augmentation operation (EDA's four, keyboard typos, case flips, T5 masking and span corruption).
enum class op_kind : std::uint8_t { synonym, insert, swap, del, typo, case_flip, mask, span };
/// Number of op_kind values.
inline constexpr std::size_t op_kind_count = 8;

/// The name of an operation as `--ops` spells it ("synonym", ..., "span").
constexpr std::string_view op_name(op_kind k) {
  constexpr std::string_view names[] = {"synonym", "insert", "swap", "delete", "typo", "case", "mask", "span"};
  return names[static_cast<std::size_t>(k)];
}

/// "synonym,insert,swap" -> kinds; throws std::invalid_argument naming an unknown operation.
inline std::vector<op_kind> parse_ops(std::string_view list) {
  std::vector<op_kind> out;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    bool found = false;
    for (std::size_t k = 0; k < op_kind_count && !found; ++k) {
      if (op_name(static_cast<op_kind>(k)) == item) {
        out.push_back(static_cast<op_kind>(k));
        found = true;
      }
    }
    if (!found) {
      throw std::invalid_argument("unknown augmentation operation '" + std::string(item) +
                                  "' (known: synonym, insert, swap, delete, typo, case, mask, span)");
    }
  }
  return out;
}

/// cycle: variant k (1-based) applies ops[(k-1) % ops.size()] alone (EDA: one operation per variant);
/// chain: every variant applies all ops in the listed order.
enum class compose_mode { cycle, chain };

/// Which operations an augmenter applies, their rates, how many variants per document and the seed.
struct augment_options {
  /// Operations to apply, in order; must not be empty (default: EDA's four).
  std::vector<op_kind> ops{op_kind::synonym, op_kind::insert, op_kind::swap, op_kind::del};
  std::size_t variants = 4;                  ///< variants per document (make_all makes 1..variants)
  compose_mode mode = compose_mode::cycle;   ///< one op per variant (cycle) or all ops on each (chain)
  std::uint64_t seed = 0;                    ///< with the record key and variant number, fixes every draw
  bool at_least_one = true;   ///< force one edit when the random draws made none
  /// Rates (see eda.hpp for their exact meaning). EDA's paper default is 0.1 for all four.
  double synonym_rate = 0.1, insert_rate = 0.1, swap_rate = 0.1, delete_rate = 0.1;
  double typo_rate = 0.02, case_rate = 0.02;   ///< per ASCII letter
  double mask_rate = 0.15;                     ///< per token (BERT's 15%)
  double span_density = 0.15, span_mean_length = 3.0;   ///< T5 defaults
  std::string mask_token = "[MASK]";                ///< text that replaces a masked token (mask op)
  std::string sentinel_format = "<extra_id_{}>";   ///< span sentinel; the first "{}" becomes the span number
  synonym_options senses{};   ///< which WordNet senses synonym and insert draw from
  bool pos_aware = true;      ///< guess each word's part of speech; false: all parts (original EDA)
};

/// One generated variant of a document: its number, text and the operations applied.
struct variant {
  std::uint32_t number = 0;      ///< 1..variants
  std::vector<op_kind> ops;      ///< operations that made at least one edit, in order
  std::size_t edits = 0;         ///< total edits made by all operations
  std::string text;              ///< the edited text
  std::string target;            ///< span corruption only: the spans to reconstruct
};

/// Generates seeded variants of a text: the same seed and text give the same variants on any thread.
class augmenter {
 public:
  /// wn may be null when no operation needs WordNet (synonym and insert do); throws
  /// std::invalid_argument when ops is empty or needs a missing WordNet.
  augmenter(const wordnet* wn, augment_options o) : wn_(wn), o_(std::move(o)) {
    if (o_.ops.empty()) throw std::invalid_argument("augmenter: no operations given");
    for (op_kind k : o_.ops)
      if ((k == op_kind::synonym || k == op_kind::insert) && wn_ == nullptr)
        throw std::invalid_argument("augmenter: operation '" + std::string(op_name(k)) + "' needs a WordNet database");
  }

  /// The options this augmenter was built with.
  const augment_options& options() const { return o_; }

  /// Makes variant `number` (1-based) of text for the record `key`; the result depends only on
  /// (seed, key, number, text). In cycle mode `number` picks the operation.
  variant make(std::string_view text, std::uint64_t key, std::uint32_t number) const {
    variant v;
    v.number = number;
    const synonym_lookup lk{wn_, o_.senses, o_.pos_aware};
    std::string current(text);
    auto apply = [&](op_kind k, std::uint64_t stream) {
      rng r(o_.seed, key, number, stream);
      std::size_t edits = 0;
      if (k == op_kind::typo || k == op_kind::case_flip) {
        edits = k == op_kind::typo ? keyboard_typos(current, r, o_.typo_rate, o_.at_least_one)
                                   : case_flips(current, r, o_.case_rate, o_.at_least_one);
      } else {
        token_list t(current);
        switch (k) {
          case op_kind::synonym: edits = synonym_replace(t, r, lk, o_.synonym_rate, o_.at_least_one); break;
          case op_kind::insert: edits = random_insert(t, r, lk, o_.insert_rate, o_.at_least_one); break;
          case op_kind::swap: edits = random_swap(t, r, o_.swap_rate, o_.at_least_one); break;
          case op_kind::del: edits = random_delete(t, r, o_.delete_rate, o_.at_least_one); break;
          case op_kind::mask: edits = mask_tokens(t, r, o_.mask_rate, o_.at_least_one, o_.mask_token); break;
          case op_kind::span: {
            auto res = span_corrupt(t, r, o_.span_density, o_.span_mean_length, o_.sentinel_format);
            edits = res.noise_tokens;
            if (edits > 0) v.target = std::move(res.target);
            break;
          }
          default: break;
        }
        if (edits > 0) current = t.join();   // join before t (whose views may point into current) dies
      }
      if (edits > 0) {
        v.ops.push_back(k);
        v.edits += edits;
      }
    };
    if (o_.mode == compose_mode::cycle) {
      apply(o_.ops[(number - 1) % o_.ops.size()], 0);
    } else {
      for (std::size_t i = 0; i < o_.ops.size(); ++i) apply(o_.ops[i], i);
    }
    v.text = std::move(current);
    return v;
  }

  /// Appends variants 1..options().variants of text to out.
  void make_all(std::string_view text, std::uint64_t key, std::vector<variant>& out) const {
    for (std::size_t n = 1; n <= o_.variants; ++n) out.push_back(make(text, key, static_cast<std::uint32_t>(n)));
  }

 private:
  const wordnet* wn_;
  augment_options o_;
};

}  // namespace millrace::augment
