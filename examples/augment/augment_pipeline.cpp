// Example: normalize -> filter -> augment -> guard -> dedup, on the bundled corpus.
//   augment_pipeline data/augment/corpus.jsonl out_dir
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include <millrace/augment/operators.hpp>
#include <millrace/core.hpp>
#include <millrace/io/read.hpp>
#include <millrace/io/write.hpp>
#include <millrace/text/normalize.hpp>

namespace mr = millrace;
namespace au = millrace::augment;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: augment_pipeline INPUT.jsonl OUT_DIR\n");
    return 2;
  }
  try {
    const auto wn = au::wordnet::load();   // /usr/share/wordnet or $WNSEARCHDIR
    auto aug = std::make_shared<const au::augmenter>(
        &wn, au::augment_options{.ops = au::parse_ops("synonym,insert,swap,delete"), .variants = 4, .seed = 42});
    auto guard = std::make_shared<const au::similarity_guard>(au::guard_options{.lo = 0.3, .hi = 0.95});
    auto tally = std::make_shared<au::augment_tally>();

    // Normalization keeps case and punctuation (augmentation needs words), folds Unicode forms.
    const mr::text::normalize_options norm{.lowercase = false, .strip_accents = false, .normalize_punctuation = false,
                                           .normalize_digits = false, .collapse_whitespace = true};
    auto pipeline =
        mr::io::read_jsonl({argv[1]})
        | mr::map([norm](mr::io::json_record r) {
            return au::source_doc{0, r.get_string("id").value_or(""), mr::text::normalize(r.get_string("text").value_or(""), norm), ""};
          }, "normalize")
        | mr::filter([](const au::source_doc& d) { return d.text.size() >= 40; }, "filter.min_length")
        | au::number() | au::make_variants(aug) | au::guard(guard) | au::dedup_variants() | au::tally(tally)
        | au::flatten(/*with_originals=*/true)
        | mr::map([](au::augmented_doc d) { return mr::io::json_record{d.to_json(), {}, 0, 0}; }, "to_json")
        | mr::io::write_jsonl(argv[2]);
    const auto report = mr::run(pipeline, mr::cpu{});
    const au::augment_counts c = tally->get();
    fmt::print("{}\n", report);
    fmt::print("{} sources, {} variants generated, {} kept ({} too similar, {} too different, {} sibling copies, {} duplicates)\n",
               c.sources, c.generated, c.kept, c.too_similar, c.too_different, c.sibling_duplicate, c.duplicate);
    // The example checks its own promise: every generated variant is accounted for.
    return c.generated == c.kept + c.too_similar + c.too_different + c.sibling_duplicate + c.duplicate && c.kept > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "augment_pipeline: %s\n", e.what());
    return 1;
  }
}
