// millrace/filters/fasttext_langid.hpp — a fastText language-ID model given as a file (lid.176.bin,
// GlotLID's model.bin, or one trained with `fasttext supervised`; labels "__label__<code>") as a
// language_detector for filters/langid.hpp. Needs libfasttext (Debian libfasttext-dev; link
// millrace::fasttext).
//   auto lid = mr::filters::language_filter{mr::filters::fasttext_detector{"lid.176.bin"}, {.languages = {"en"}}};
#pragma once

#include <algorithm>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fasttext/fasttext.h>

#include <millrace/filters/langid.hpp>

namespace millrace::filters {

/// The top label of a fastText classifier with its probability as score, the label prefix
/// ("__label__", or the model's own -label) removed: "en" for lid.176, "eng_Latn" for GlotLID.
/// Newlines are replaced by spaces first (fastText reads one line; datatrove does the same).
/// The model is loaded once and shared by copies. Thread-safe: FastText::predictLine is const
/// and keeps its scratch state on the caller's stack (fastText 0.9.2).
class fasttext_detector {
 public:
  /// Loads the model; a missing or unreadable file is a std::runtime_error naming it.
  explicit fasttext_detector(const std::filesystem::path& model_file) {
    auto m = std::make_shared<fasttext::FastText>();
    try {
      m->loadModel(model_file.string());
    } catch (const std::exception& e) {
      throw std::runtime_error("fasttext_detector: " + model_file.string() + ": cannot load the model (" + e.what() + ")");
    }
    if (m->getArgs().model != fasttext::model_name::sup)
      throw std::runtime_error("fasttext_detector: " + model_file.string() +
                               ": not a classifier (trained with `fasttext skipgram/cbow`, not `supervised`)");
    prefix_ = m->getArgs().label;
    model_ = std::move(m);
  }

  /// A text of only white space has no language: {"", 0} (fastText would still guess one).
  language_guess detect(std::string_view text) const {
    if (text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) return {"", 0.0};
    std::string line(text);
    for (char& c : line)
      if (c == '\n' || c == '\r') c = ' ';
    line += '\n';
    std::istringstream in(std::move(line));
    std::vector<std::pair<fasttext::real, std::string>> predictions;
    model_->predictLine(in, predictions, /*k=*/1, /*threshold=*/0.0);
    if (predictions.empty()) return {"", 0.0};
    std::string label = std::move(predictions[0].second);
    if (label.starts_with(prefix_)) label.erase(0, prefix_.size());
    // predictLine gives probabilities (softmax); clamp the rounding above 1.
    return {std::move(label), std::min(1.0, static_cast<double>(predictions[0].first))};
  }

  /// The labels the model knows, prefix removed (its languages).
  std::vector<std::string> labels() const {
    std::vector<std::string> out;
    auto dict = model_->getDictionary();
    for (int i = 0; i < dict->nlabels(); ++i) {
      std::string l = dict->getLabel(i);
      if (l.starts_with(prefix_)) l.erase(0, prefix_.size());
      out.push_back(std::move(l));
    }
    return out;
  }

 private:
  std::shared_ptr<const fasttext::FastText> model_;
  std::string prefix_;
};

}  // namespace millrace::filters
