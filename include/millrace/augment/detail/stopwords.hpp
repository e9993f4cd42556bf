// millrace/augment/detail/stopwords.hpp — the stop-word list of the original EDA code (Wei & Zou
// 2019): words never replaced by synonyms. Example: millrace::augment::detail::is_stopword("the")
// == true
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace millrace::augment::detail {

// Sorted once on first use; lookup is a binary search.
inline constexpr std::array<std::string_view, 156> stopwords{
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "did", "do",
    "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not",
    "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over",
    "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
    "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
    "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "'", "-", "",
    "d", "ll", "m", "o", "re", "s", "t", "ve", "y", "ain", "aren", "couldn", "didn", "doesn", "hadn",
    "hasn", "haven", "isn", "ma", "mightn", "mustn", "needn", "shan", "shouldn", "wasn", "weren", "won",
    "wouldn"};

inline bool is_stopword(std::string_view lower_word) {
  static const auto sorted = [] {
    auto s = stopwords;
    std::sort(s.begin(), s.end());
    return s;
  }();
  return std::binary_search(sorted.begin(), sorted.end(), lower_word);
}

}  // namespace millrace::augment::detail
