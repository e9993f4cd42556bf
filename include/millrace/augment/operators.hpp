// millrace/augment/operators.hpp — augmentation as pipeline operators: number -> make_variants ->
// guard -> dedup_variants -> flatten.
//   auto p = mr::from_range(docs) | mr::augment::number() | mr::augment::make_variants(aug)
//          | mr::augment::guard(g) | mr::augment::dedup_variants() | mr::augment::flatten() | mr::collect(out);
// Records: source_doc in, augmented_doc out; order is input order, then variant number. Each
// operator takes a trailing name (default "augment.<operator>"), its line in the run report.
// A record's variants depend on (seed, its key, variant number, text); the key comes from the
// record's position when it has one, so any thread count, batch size or split of the input gives
// the same variants. Stage objects keep the state of one run by value: a pipeline run twice gives
// the same output twice.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/augment/augmenter.hpp>
#include <millrace/augment/guard.hpp>
#include <millrace/core/compose.hpp>
#include <millrace/core/position.hpp>
#include <millrace/core/detail/position_order.hpp>
#include <millrace/core/json_value.hpp>
#include <millrace/core/random.hpp>

namespace millrace::augment {

/// The key that seeds the variants of the record at position p: a function of p alone. Position
/// {0, i} gives i, the key number() gives the i-th record of a stream without positions.
constexpr std::uint64_t position_key(const record_position& p) {
  return p.input == 0 ? p.offset : p.offset ^ millrace::splitmix64_mix(p.input);
}

/// A record to augment. key: set by number(), seeds the variants' random streams: position_key of
/// its position when it has one, else its arrival index at number() (for an in-memory source, the
/// element index), so the same input gives the same variants whatever the thread count.
struct source_doc {
  std::uint64_t key = 0;   ///< seed of its variants' random streams; set by number() (see above)
  std::string id;    ///< source_id of its variants; number() sets it when empty (see number())
  std::string text;  ///< the text to augment (and to compare variants against)
  std::string raw;   ///< optional: the original JSON line, written back unchanged as variant 0
  std::optional<record_position> position = std::nullopt;   ///< its place in the input (e.g. from io::json_record)
};

/// Counts per source; summed over a run they add up: generated = kept + too_similar +
/// too_different + sibling_duplicate + duplicate.
struct augment_counts {
  std::uint64_t sources = 0, generated = 0, kept = 0, too_similar = 0, too_different = 0, sibling_duplicate = 0,
                duplicate = 0;
  augment_counts& operator+=(const augment_counts& o) {
    sources += o.sources; generated += o.generated; kept += o.kept; too_similar += o.too_similar;
    too_different += o.too_different; sibling_duplicate += o.sibling_duplicate; duplicate += o.duplicate;
    return *this;
  }
};

/// A source document with the variants generated from it, before the guard.
struct variant_group {
  source_doc source;               ///< the document the variants were made from
  std::vector<variant> variants;   ///< survivors so far, in variant order
  std::vector<double> jaccard;     ///< guard estimate per survivor (-1: not guarded)
  augment_counts counts;           ///< this source's counts so far (kept falls as the guard and dedup drop)
};

/// One output record: the source (variant 0) or a variant, with its id and operations.
struct augmented_doc {
  std::string id;          ///< "<source_id>" for variant 0, "<source_id>#<n>" for variant n
  std::string source_id;   ///< id of the source document
  std::uint64_t key = 0;   ///< the source's key (see source_doc)
  std::uint32_t variant = 0;   ///< 0 = the original
  std::vector<op_kind> ops;    ///< operations that edited this variant (empty for the original)
  std::string text;            ///< the variant's (or original's) text
  std::string target;          ///< span corruption target, else empty
  double jaccard = -1;         ///< guard estimate to the source (-1: original or unguarded)
  std::string raw;             ///< variant 0 with a raw source: the original line
  std::optional<record_position> position = std::nullopt;   ///< the source's position, when it had one

  /// One JSON object (no newline): the original line for variant 0 when it has one, else
  /// {"id","source_id","variant","ops","text"[,"target"][,"jaccard"]}.
  std::string to_json() const {
    if (variant == 0 && !raw.empty()) return raw;
    std::string s = "{\"id\":";
    millrace::json::append_quoted(s, id);
    s += ",\"source_id\":";
    millrace::json::append_quoted(s, source_id);
    s += ",\"variant\":" + std::to_string(variant) + ",\"ops\":[";
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (i) s += ',';
      millrace::json::append_quoted(s, op_name(ops[i]));
    }
    s += "],\"text\":";
    millrace::json::append_quoted(s, text);
    if (!target.empty()) {
      s += ",\"target\":";
      millrace::json::append_quoted(s, target);
    }
    if (jaccard >= 0) s += fmt::format(",\"jaccard\":{:.4f}", jaccard);
    s += '}';
    return s;
  }
};

namespace detail {
// The arrival index is a counter of this run (the stage is copied per run, so every run starts
// at 0); positioned records do not use it, so that records keep their key across processes.
struct number_stage {
  std::uint64_t next = 0;
  enum class positions { unknown, all, none } seen = positions::unknown;
  std::vector<source_doc> process(std::vector<source_doc>&& batch) {
    for (auto& d : batch) {
      // A stream numbered half by position and half by arrival could give two records one key.
      const positions mine = d.position ? positions::all : positions::none;
      if (seen == positions::unknown) seen = mine;
      if (mine != seen)
        throw std::invalid_argument("augment.number: record " + std::to_string(next) +
                                    (d.position ? " has a position and the records before it have none"
                                                : " has no position and the records before it have one") +
                                    "; give every source_doc a position or none");
      if (d.position) {
        d.key = position_key(*d.position);
        if (d.id.empty())
          d.id = d.position->input == 0 ? std::to_string(d.position->offset)
                                        : std::to_string(d.position->input) + ":" + std::to_string(d.position->offset);
      } else {
        d.key = next;
        if (d.id.empty()) d.id = std::to_string(d.key);
      }
      ++next;
    }
    return std::move(batch);
  }
};

// Exact dedup in input order: a variant whose bytes equal an original (any original when seeded
// with all of them, else the ones seen so far) or an earlier kept variant is dropped. The seed
// set is configuration (read only); what a run adds lives in `seen`, a value, so a second run
// starts from the seed set again. Positioned sources must arrive in position order ("earlier"
// then means a smaller position).
struct dedup_stage {
  std::shared_ptr<const exact_seen> originals;   // null: only the originals seen so far count
  exact_seen seen;
  millrace::detail::position_order order;
  std::string name;   // the operator's name, in an out-of-order error
  std::vector<variant_group> process(std::vector<variant_group>&& batch) {
    for (auto& g : batch) {
      if (g.source.position) order.check(*g.source.position, name);
      if (!originals) seen.insert(g.source.text);
      std::size_t w = 0;
      for (std::size_t i = 0; i < g.variants.size(); ++i) {
        const std::string& t = g.variants[i].text;
        if (t == g.source.text || (originals && originals->contains(t)) || !seen.insert(t)) {
          ++g.counts.duplicate;
          --g.counts.kept;
          continue;
        }
        if (w != i) {
          g.variants[w] = std::move(g.variants[i]);
          g.jaccard[w] = g.jaccard[i];
        }
        ++w;
      }
      g.variants.resize(w);
      g.jaccard.resize(w);
    }
    return std::move(batch);
  }
};
}  // namespace detail

/// Serial, in order: gives each record its key. With a position: key = position_key(position),
/// id (when empty) = "<offset>" for input 0, else "<input>:<offset>". Without: key = id (when
/// empty) = its arrival index. Either every record has a position or none (else it throws).
inline auto number(std::string name = "augment.number") { return millrace::stage(detail::number_stage{}, std::move(name)); }

/// Parallel: makes the variants of each record (all counted as kept until guard/dedup say otherwise).
/// Its report row keeps the old name "augment.generate" unless `name` says.
inline auto make_variants(std::shared_ptr<const augmenter> aug, std::string name = "augment.generate") {
  return millrace::map(
      [aug](source_doc d) {
        variant_group g;
        aug->make_all(d.text, d.key, g.variants);
        g.jaccard.assign(g.variants.size(), -1.0);
        g.counts.sources = 1;
        g.counts.generated = g.counts.kept = g.variants.size();
        g.source = std::move(d);
        return g;
      },
      std::move(name));
}

/// Old name of make_variants (it shared its name with the core source mr::generate).
[[deprecated("use augment::make_variants (mr::generate is the core source)")]] inline auto generate(
    std::shared_ptr<const augmenter> aug, std::string name = "augment.generate") {
  return make_variants(std::move(aug), std::move(name));
}

/// Parallel: keeps the variants whose estimated Jaccard to the source lies in [lo, hi].
inline auto guard(std::shared_ptr<const similarity_guard> guard, std::string name = "augment.guard") {
  return millrace::map(
      [guard](variant_group g) {
        std::vector<std::string_view> texts;
        texts.reserve(g.variants.size());
        for (const auto& v : g.variants) texts.push_back(v.text);
        std::vector<guard_verdict> verdict;
        std::vector<double> j;
        guard->judge(g.source.text, texts, verdict, &j);
        std::size_t w = 0;
        for (std::size_t i = 0; i < g.variants.size(); ++i) {
          switch (verdict[i]) {
            case guard_verdict::too_similar: ++g.counts.too_similar; break;
            case guard_verdict::too_different: ++g.counts.too_different; break;
            case guard_verdict::sibling_duplicate: ++g.counts.sibling_duplicate; break;
            case guard_verdict::kept: break;
          }
          if (verdict[i] != guard_verdict::kept) {
            --g.counts.kept;
            continue;
          }
          if (w != i) g.variants[w] = std::move(g.variants[i]);
          g.jaccard[w] = j[i];
          ++w;
        }
        g.variants.resize(w);
        g.jaccard.resize(w);
        return g;
      },
      std::move(name));
}

/// Serial, in order: exact dedup of variants against the originals and each other. Pass a set
/// seeded with every original's text to dedup against originals that come later in the input too.
/// The run only reads the seeded set (it is not changed); each run starts from it, or empty.
inline auto dedup_variants(std::shared_ptr<const exact_seen> originals = nullptr, std::string name = "augment.dedup") {
  return millrace::stage(detail::dedup_stage{std::move(originals), {}, {}, name}, name);
}

/// Parallel: one augmented_doc per survivor, the original first (variant 0) when with_originals.
inline auto flatten(bool with_originals = true, std::string name = "augment.flatten") {
  return millrace::flat_map(
      [with_originals](variant_group g) {
        std::vector<augmented_doc> out;
        out.reserve(g.variants.size() + 1);
        if (with_originals) {
          out.push_back({g.source.id, g.source.id, g.source.key, 0, {}, g.source.text, {}, -1, std::move(g.source.raw),
                         g.source.position});
        }
        for (std::size_t i = 0; i < g.variants.size(); ++i) {
          variant& v = g.variants[i];
          out.push_back({g.source.id + "#" + std::to_string(v.number), g.source.id, g.source.key, v.number,
                         std::move(v.ops), std::move(v.text), std::move(v.target), g.jaccard[i], {}, g.source.position});
        }
        return out;
      },
      std::move(name));
}

/// Parallel, thread-safe tally of the groups' counts (read it after the run). Like mr::collect's
/// vector it is the caller's output, not stage state: a second run adds its counts to it.
struct augment_tally {
  std::atomic<std::uint64_t> sources{0}, generated{0}, kept{0}, too_similar{0}, too_different{0},
      sibling_duplicate{0}, duplicate{0};
  /// A snapshot of the counts so far.
  augment_counts get() const {
    return {sources.load(), generated.load(), kept.load(), too_similar.load(), too_different.load(),
            sibling_duplicate.load(), duplicate.load()};
  }
};
/// An inspect operator counting kept and dropped variants into `t`.
inline auto tally(std::shared_ptr<augment_tally> t, std::string name = "augment.tally") {
  return millrace::inspect(
      [t](const variant_group& g) {
        t->sources += g.counts.sources;
        t->generated += g.counts.generated;
        t->kept += g.counts.kept;
        t->too_similar += g.counts.too_similar;
        t->too_different += g.counts.too_different;
        t->sibling_duplicate += g.counts.sibling_duplicate;
        t->duplicate += g.counts.duplicate;
      },
      std::move(name));
}

}  // namespace millrace::augment
