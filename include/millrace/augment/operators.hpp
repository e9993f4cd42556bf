// Augmentation as pipeline operators: number -> generate -> guard -> dedup_variants -> flatten.
//   auto p = mr::from_range(docs) | mr::augment::number() | mr::augment::generate(aug)
//          | mr::augment::guard(g) | mr::augment::dedup_variants() | mr::augment::flatten() | mr::collect(out);
// Records: source_doc in, augmented_doc out; order is input order, then variant number.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/augment/augmenter.hpp>
#include <millrace/augment/guard.hpp>
#include <millrace/core.hpp>
#include <millrace/io/json.hpp>

namespace millrace::augment {

// A record to augment. key: its position in the input (set by number()); it seeds the variants'
// random streams, so the same input gives the same variants whatever the thread count.
struct source_doc {
  std::uint64_t key = 0;
  std::string id;    // source_id of its variants; number() sets it to the key when empty
  std::string text;
  std::string raw;   // optional: the original JSON line, written back unchanged as variant 0
};

// Counts per source; summed over a run they add up: generated = kept + too_similar +
// too_different + sibling_duplicate + duplicate.
struct augment_counts {
  std::uint64_t sources = 0, generated = 0, kept = 0, too_similar = 0, too_different = 0, sibling_duplicate = 0,
                duplicate = 0;
  augment_counts& operator+=(const augment_counts& o) {
    sources += o.sources; generated += o.generated; kept += o.kept; too_similar += o.too_similar;
    too_different += o.too_different; sibling_duplicate += o.sibling_duplicate; duplicate += o.duplicate;
    return *this;
  }
};

struct variant_group {
  source_doc source;
  std::vector<variant> variants;   // survivors so far, in variant order
  std::vector<double> jaccard;     // guard estimate per survivor (-1: not guarded)
  augment_counts counts;
};

struct augmented_doc {
  std::string id;          // "<source_id>" for variant 0, "<source_id>#<n>" for variant n
  std::string source_id;
  std::uint64_t key = 0;
  std::uint32_t variant = 0;   // 0 = the original
  std::vector<op_kind> ops;
  std::string text;
  std::string target;          // span corruption target, else empty
  double jaccard = -1;         // guard estimate to the source (-1: original or unguarded)
  std::string raw;             // variant 0 with a raw source: the original line

  // One JSON object (no newline): the original line for variant 0 when it has one, else
  // {"id","source_id","variant","ops","text"[,"target"][,"jaccard"]}.
  std::string to_json() const {
    if (variant == 0 && !raw.empty()) return raw;
    std::string s = "{\"id\":";
    io::json_append_string(s, id);
    s += ",\"source_id\":";
    io::json_append_string(s, source_id);
    s += ",\"variant\":" + std::to_string(variant) + ",\"ops\":[";
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (i) s += ',';
      io::json_append_string(s, op_name(ops[i]));
    }
    s += "],\"text\":";
    io::json_append_string(s, text);
    if (!target.empty()) {
      s += ",\"target\":";
      io::json_append_string(s, target);
    }
    if (jaccard >= 0) s += fmt::format(",\"jaccard\":{:.4f}", jaccard);
    s += '}';
    return s;
  }
};

namespace detail {
struct number_stage {
  std::uint64_t next = 0;
  std::vector<source_doc> process(std::vector<source_doc>&& batch) {
    for (auto& d : batch) {
      d.key = next++;
      if (d.id.empty()) d.id = std::to_string(d.key);
    }
    return std::move(batch);
  }
};

// Exact dedup in input order: a variant whose bytes equal an original (any original when seeded
// with all of them, else the ones seen so far) or an earlier kept variant is dropped.
struct dedup_stage {
  std::shared_ptr<exact_seen> seen;   // null: each run starts its own set (the run works on a copy)
  bool insert_originals = true;
  std::vector<variant_group> process(std::vector<variant_group>&& batch) {
    if (!seen) seen = std::make_shared<exact_seen>();
    for (auto& g : batch) {
      if (insert_originals) seen->insert(g.source.text);
      std::size_t w = 0;
      for (std::size_t i = 0; i < g.variants.size(); ++i) {
        if (g.variants[i].text == g.source.text || !seen->insert(g.variants[i].text)) {
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

// Serial, in order: gives each record its input position as key (and as id when it has none).
inline auto number() { return millrace::stage(detail::number_stage{}, "augment.number"); }

// Parallel: makes the variants of each record (all counted as kept until guard/dedup say otherwise).
inline auto generate(std::shared_ptr<const augmenter> aug) {
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
      "augment.generate");
}

// Parallel: keeps the variants whose estimated Jaccard to the source lies in [lo, hi].
inline auto guard(std::shared_ptr<const similarity_guard> guard) {
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
      "augment.guard");
}

// Serial, in order: exact dedup of variants against the originals and each other. Pass a set
// seeded with every original's text to dedup against originals that come later in the input too.
// A seeded set is shared, and grows, across runs; without one each run starts empty.
inline auto dedup_variants(std::shared_ptr<exact_seen> seen = nullptr) {
  const bool seeded = seen != nullptr;
  return millrace::stage(detail::dedup_stage{std::move(seen), !seeded}, "augment.dedup");
}

// Parallel: one augmented_doc per survivor, the original first (variant 0) when with_originals.
inline auto flatten(bool with_originals = true) {
  return millrace::flat_map(
      [with_originals](variant_group g) {
        std::vector<augmented_doc> out;
        out.reserve(g.variants.size() + 1);
        if (with_originals) {
          out.push_back({g.source.id, g.source.id, g.source.key, 0, {}, g.source.text, {}, -1, std::move(g.source.raw)});
        }
        for (std::size_t i = 0; i < g.variants.size(); ++i) {
          variant& v = g.variants[i];
          out.push_back({g.source.id + "#" + std::to_string(v.number), g.source.id, g.source.key, v.number,
                         std::move(v.ops), std::move(v.text), std::move(v.target), g.jaccard[i], {}});
        }
        return out;
      },
      "augment.flatten");
}

// Parallel, thread-safe tally of the groups' counts (read it after the run).
struct augment_tally {
  std::atomic<std::uint64_t> sources{0}, generated{0}, kept{0}, too_similar{0}, too_different{0},
      sibling_duplicate{0}, duplicate{0};
  augment_counts get() const {
    return {sources.load(), generated.load(), kept.load(), too_similar.load(), too_different.load(),
            sibling_duplicate.load(), duplicate.load()};
  }
};
inline auto tally(std::shared_ptr<augment_tally> t) {
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
      "augment.tally");
}

}  // namespace millrace::augment
