// Modules (PyTorch / DSPy style): forward() composes operators; parameters are named, printed and
// loaded from JSON, so a run's configuration can be saved and replayed.
#include <millrace/core.hpp>

#include <string>
#include <vector>

namespace mr = millrace;

struct Doc {
  std::string id;
  std::string text;
};

struct QualityFilter {
  std::size_t min_words = 3;
  double max_upper_ratio = 0.5;
  auto parameters() {
    return mr::params(mr::param("min_words", min_words, "fewest words a kept document has"),
                      mr::param("max_upper_ratio", max_upper_ratio, "largest share of upper-case letters"));
  }
  auto forward() const {
    return mr::filter([n = min_words](const Doc& d) {
             std::size_t words = 0;
             bool in_word = false;
             for (char c : d.text) {
               const bool letter = c != ' ';
               words += letter && !in_word;
               in_word = letter;
             }
             return words >= n;
           }, "min_words") |
           mr::filter([r = max_upper_ratio](const Doc& d) {
             std::size_t upper = 0, letters = 0;
             for (unsigned char c : d.text) {
               letters += std::isalpha(c) != 0;
               upper += std::isupper(c) != 0;
             }
             return letters == 0 || double(upper) <= r * double(letters);
           }, "upper_ratio");
  }
};

struct Pipeline {
  QualityFilter quality;
  std::string tag = "v1";
  auto parameters() { return mr::params(mr::param("quality", quality), mr::param("tag", tag, "prefix added to ids")); }
  auto forward() const {
    return quality | mr::map([t = tag](Doc d) { d.id = t + "/" + d.id; return d; }, "tag_id");
  }
};

int main() {
  Pipeline p;
  mr::load_config(p, R"({"quality": {"min_words": 2}, "tag": "run42"})");
  fmt::print("parameters:\n{}\nas JSON: {}\n\n", mr::describe(p), mr::config_json(p));

  std::vector<Doc> docs = {{"1", "one"}, {"2", "two words"}, {"3", "SHOUTING IS NOT NICE"}, {"4", "a calm sentence here"}};
  auto out = mr::to_vector(mr::from_range(docs) | p);
  for (const auto& d : out) fmt::print("{}: {}\n", d.id, d.text);
  return out.size() == 2 && out[0].id == "run42/2" ? 0 : 1;
}
