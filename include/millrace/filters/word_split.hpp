// millrace/filters/word_split.hpp — which word split a filter counts over: millrace's rule (the
// one scan of text_view.hpp, any script) or datatrove's English split (spaCy's blank English
// tokenizer, detail/spacy_en.hpp), to reproduce datatrove's decisions document for document
// (docs/filters.md, "Agreement with datatrove").
//   mf::gopher_quality{.params = {.words = mf::word_split::datatrove_english}}
#pragma once

namespace millrace::filters {

/// The word split of gopher_quality, gopher_repetition and fineweb_quality (`words`) and of
/// c4_quality's sentence count (`sentences`).
/// `millrace` (the default): words and symbol tokens of analyze(), any script, no dictionary;
/// C4 sentences end at a run of terminal marks followed by a space. `datatrove_english`:
/// datatrove's split_into_words / split_into_sentences for English, i.e. spaCy's blank "en"
/// tokenizer (punctuation tokens are words, "don't" is "do" "n't", "Mr." and "e.g." one token,
/// a run of Han ideographs one token) and spaCy's Sentencizer; a second scan of the text.
enum class word_split { millrace, datatrove_english };

}  // namespace millrace::filters
