// millrace/recipe/detail/builtin_impl.hpp — the definitions behind recipe/builtin.hpp: every
// operator millrace ships, registered (their parameters, docs and builders). Header-only mode
// includes this from builtin.hpp; separate compilation compiles it once, in src/recipe.cpp, so a
// program that only calls builtin_registry() (millrace-run) instantiates none of the ~60 operator
// stages it registers (about a minute of compile CPU per translation unit: docs/compile-time.md).
#pragma once


#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <millrace/dedup/bloom_ngram.hpp>
#include <millrace/dedup/operators.hpp>
#include <millrace/dedup/span_dedup.hpp>
#include <millrace/filters/apply.hpp>
#include <millrace/filters/bad_words.hpp>
#include <millrace/filters/basic.hpp>
#include <millrace/filters/c4.hpp>
#include <millrace/filters/fineweb.hpp>
#include <millrace/filters/gopher.hpp>
#include <millrace/filters/nemo.hpp>
#include <millrace/filters/unicode_cleanup.hpp>
#include <millrace/filters/url.hpp>
#include <millrace/recipe/io.hpp>
#include <millrace/recipe/quality_step.hpp>
#include <millrace/recipe/registry.hpp>
#include <millrace/recipe/builtin.hpp>
#include <millrace/recipe/step_exclusions.hpp>
#include <millrace/text/normalize.hpp>

namespace millrace::recipe {

namespace detail {

// Parameters every quality filter has: drop failing records or only annotate them.
inline param_spec action_param() {
  return string_param("action", "drop",
                      "drop: failing records leave the stream; annotate: every record stays and carries "
                      "the filter's statistics and reason in the written JSON (\"filter_result\")")
      .one_of({"drop", "annotate"});
}

// A top-level string field of a JSON object as it is written between its quotes (a view into
// `raw`); empty when absent, not a string, or escaped (a URL rarely is: "\/" would be).
inline std::string_view raw_string_field(std::string_view raw, std::string_view field) {
  std::vector<json::member_text> members;
  if (!json::check_grammar(raw, &members).empty()) return {};
  std::string_view out;
  for (auto& m : members)
    if (m.key == field) out = m.value;  // the last occurrence, as the readers take it
  if (out.size() < 2 || out.front() != '"' || out.find('\\') != std::string_view::npos) return {};
  return out.substr(1, out.size() - 2);
}

inline filters::on_fail action_of(const param_values& v) {
  return v.string("action") == "annotate" ? filters::on_fail::annotate : filters::on_fail::drop;
}

// One quality filter as a step named as the step; recipe::build fuses adjacent ones into one
// filters::apply (one analysis of the text for all of them).
template <class F>
built_step quality_step(F f, const param_values& v, const step_context& ctx, bool rewrites_text = false) {
  f.name = ctx.step_name;
  return make_quality_step(action_of(v), ctx, rewrites_text, std::move(f));
}

// The text accessor the dedup operators read.
struct document_text {
  std::string_view operator()(const document& d) const { return d.text; }
};
// The text accessor of the dedup operators that cut spans out of the text.
struct document_text_ref {
  std::string& operator()(document& d) const { return d.text; }
};

// The action parameter of the corpus-level dedup steps that cut text.
inline param_spec dedup_action_param() {
  return string_param("action", "remove",
                      "remove: cut the duplicate spans (a document left too small is dropped); annotate: change no "
                      "text, write what remove would cut into \"filter_result\" (<step>.duplicate_fraction and the "
                      "byte spans <step>.duplicate_spans, as Dolma's dedup taggers)")
      .one_of({"remove", "annotate"});
}
inline dedup::dedup_action dedup_action_of(const param_values& v) {
  return v.string("action") == "annotate" ? dedup::dedup_action::annotate : dedup::dedup_action::remove;
}

inline void add_readers_writers(registry& reg) {
  reg.add({.name = "read_jsonl",
           .doc = "JSON lines (files, directories, globs; .zst and .gz read transparently); the text is the "
                  "recipe's text_field, every other field is kept",
           .kind = op_kind::reader,
           .params = {[] {
                        auto p = strings_param("inputs", {}, "input files, directories or globs (--input replaces them)");
                        p.required = true;
                        return p;
                      }(),
                      string_param("on_bad", "fail", "a bad line (invalid JSON, no text field): fail the run naming "
                                                     "file:line, or reject it to rejects_file")
                          .one_of({"fail", "reject"}),
                      string_param("rejects_file", "", "with on_bad: reject, where rejected lines go (empty: counted only)")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 io::read_options o;
                 o.policy = v.string("on_bad") == "reject" ? io::on_bad_record::reject : io::on_bad_record::fail;
                 o.rejects_file = v.string("rejects_file");
                 return make_reader_step(read_jsonl_documents(v.strings("inputs"), ctx.text_field, o));
               },
           .group = "io"});
  reg.add({.name = "read_csv",
           .doc = "CSV (RFC 4180) with a header row; one column is the text, each row is written as a JSON "
                  "object of its columns",
           .kind = op_kind::reader,
           .params = {[] {
                        auto p = strings_param("inputs", {}, "input files, directories or globs (--input replaces them)");
                        p.required = true;
                        return p;
                      }(),
                      string_param("text_column", "text", "the column holding the text"),
                      string_param("delimiter", ",", "the field separator (one character)"),
                      string_param("on_bad", "fail", "a bad row: fail naming file:line, or reject it").one_of({"fail", "reject"})},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 if (v.string("delimiter").size() != 1) throw std::invalid_argument("read_csv: delimiter must be one character");
                 io::csv_options c;
                 c.delimiter = v.string("delimiter")[0];
                 c.header = true;
                 io::read_options o;
                 o.policy = v.string("on_bad") == "reject" ? io::on_bad_record::reject : io::on_bad_record::fail;
                 return make_reader_step(read_csv_documents(v.strings("inputs"), v.string("text_column"), ctx.text_field, c, o));
               },
           .group = "io"});
  reg.add({.name = "write_jsonl",
           .doc = "JSON lines in sharded files written atomically with a manifest (millrace-verify checks it); "
                  "unchanged records are written byte for byte",
           .kind = op_kind::writer,
           .params = {[] {
                        auto p = string_param("dir", "", "output directory (--output replaces it)");
                        p.required = true;
                        return p;
                      }(),
                      int_param("max_records_per_shard", 0, "records per shard (0: no limit)").range(0, 1e15),
                      int_param("max_bytes_per_shard", 0, "uncompressed bytes per shard (0: no limit)").range(0, 1e18),
                      string_param("compression", "none", "shard compression").one_of({"none", "zstd", "gzip"}),
                      string_param("prefix", "part", "shard names: <prefix>-00000.jsonl"),
                      flag_param("fsync", true, "fsync each shard and the manifest before renaming them into place")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 io::write_options o;
                 o.max_records_per_shard = v.size("max_records_per_shard");
                 o.max_bytes_per_shard = v.size("max_bytes_per_shard");
                 o.zstd = v.string("compression") == "zstd";
                 o.gzip = v.string("compression") == "gzip";
                 o.prefix = v.string("prefix");
                 o.fsync = v.flag("fsync");
                 return make_sink_step(write_jsonl_documents(v.string("dir"), ctx.text_field, o, ctx.step_name));
               },
           .group = "io"});
}

inline void add_text_ops(registry& reg) {
  reg.add({.name = "normalize_whitespace",
           .doc = "collapses runs of Unicode white space to one space (or newline / paragraph break) and trims; "
                  "nothing else changes",
           .params = {flag_param("keep_newlines", true, "a run holding '\\n' becomes one '\\n' (else ' ')"),
                      flag_param("keep_paragraphs", true, "with keep_newlines: two or more '\\n' become \"\\n\\n\"")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::whitespace_options o;
                 o.keep_newlines = v.flag("keep_newlines");
                 o.keep_paragraphs = v.flag("keep_paragraphs");
                 return make_step(filters::normalize_whitespace_op<document>(o, ctx.step_name));
               },
           .group = "text"});
  const filters::unicode_cleanup_options uc{};
  reg.add({.name = "unicode_cleanup",
           .doc = "invalid UTF-8 and lone surrogates replaced (or dropped), control and invisible characters "
                  "removed, NFC",
           .params = {flag_param("nfc", uc.nfc, "canonical composition (NFC)"),
                      flag_param("remove_controls", uc.remove_controls, "C0 / C1 controls and DEL except tab and newlines"),
                      flag_param("remove_invisible", uc.remove_invisible, "zero-width and invisible format characters"),
                      flag_param("remove_joiners", uc.remove_joiners, "also ZWNJ / ZWJ (they matter in Persian, Indic scripts, emoji)"),
                      flag_param("remove_bidi", uc.remove_bidi, "bidirectional marks and controls"),
                      string_param("invalid", "replace", "ill-formed UTF-8: replace it (U+FFFD) or drop it").one_of({"replace", "drop"}),
                      flag_param("join_surrogate_pairs", uc.join_surrogate_pairs, "an encoded surrogate pair becomes its code point")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::unicode_cleanup_options o;
                 o.nfc = v.flag("nfc");
                 o.remove_controls = v.flag("remove_controls");
                 o.remove_invisible = v.flag("remove_invisible");
                 o.remove_joiners = v.flag("remove_joiners");
                 o.remove_bidi = v.flag("remove_bidi");
                 o.invalid = v.string("invalid") == "drop" ? filters::invalid_utf8::drop : filters::invalid_utf8::replace;
                 o.join_surrogate_pairs = v.flag("join_surrogate_pairs");
                 return make_step(filters::unicode_cleanup_op<document>(o, ctx.step_name));
               },
           .group = "text"});
  reg.add({.name = "normalize",
           .doc = "Unicode normalization of the text (NFKC, then each flag); the defaults suit dedup keys, not "
                  "training text",
           .params = {flag_param("lowercase", true, "Unicode full case folding"),
                      flag_param("strip_accents", true, "drop nonspacing marks"),
                      flag_param("normalize_punctuation", true, "punctuation and symbols become one space"),
                      flag_param("normalize_digits", true, "every decimal digit becomes '0'"),
                      flag_param("collapse_whitespace", true, "runs of white space become one ' ', trimmed")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 text::normalize_options o;
                 o.lowercase = v.flag("lowercase");
                 o.strip_accents = v.flag("strip_accents");
                 o.normalize_punctuation = v.flag("normalize_punctuation");
                 o.normalize_digits = v.flag("normalize_digits");
                 o.collapse_whitespace = v.flag("collapse_whitespace");
                 return make_step(millrace::map(
                     [o](document d) {
                       d.text = text::normalize(d.text, o);
                       return d;
                     },
                     ctx.step_name));
               },
           .group = "text"});
}

inline void add_quality_filters(registry& reg) {
  const filters::gopher_quality_params gq{};
  reg.add({.name = "gopher_quality",
           .doc = "Gopher quality (datatrove GopherQualityFilter): word counts, mean word length, symbol and "
                  "ellipsis ratios, bullet / ellipsis lines, alphabetic words, stop words",
           .params = {action_param(),
                      int_param("min_doc_words", double(*gq.min_doc_words), "fewest words").range(0, 1e12).or_null(),
                      int_param("max_doc_words", double(*gq.max_doc_words), "most words").range(0, 1e12).or_null(),
                      number_param("min_avg_word_length", *gq.min_avg_word_length, "shortest mean word length").range(0, 1e6).or_null(),
                      number_param("max_avg_word_length", *gq.max_avg_word_length, "longest mean word length").range(0, 1e6).or_null(),
                      number_param("max_symbol_word_ratio", *gq.max_symbol_word_ratio, "'#' and ellipses per token").range(0, 1e6).or_null(),
                      number_param("max_bullet_lines_ratio", *gq.max_bullet_lines_ratio, "lines starting with a bullet").range(0, 1).or_null(),
                      number_param("max_ellipsis_lines_ratio", *gq.max_ellipsis_lines_ratio, "lines ending with an ellipsis").range(0, 1).or_null(),
                      number_param("min_alpha_words_ratio", *gq.min_alpha_words_ratio, "tokens holding a letter").range(0, 1).or_null(),
                      int_param("min_stop_words", double(*gq.min_stop_words), "distinct stop words present").range(0, 1e6).or_null(),
                      strings_param("stop_words", gq.stop_words, "the stop words")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::gopher_quality f;
                 auto& p = f.params;
                 p.min_doc_words = v.optional_size("min_doc_words");
                 p.max_doc_words = v.optional_size("max_doc_words");
                 p.min_avg_word_length = v.optional_number("min_avg_word_length");
                 p.max_avg_word_length = v.optional_number("max_avg_word_length");
                 p.max_symbol_word_ratio = v.optional_number("max_symbol_word_ratio");
                 p.max_bullet_lines_ratio = v.optional_number("max_bullet_lines_ratio");
                 p.max_ellipsis_lines_ratio = v.optional_number("max_ellipsis_lines_ratio");
                 p.min_alpha_words_ratio = v.optional_number("min_alpha_words_ratio");
                 p.min_stop_words = v.optional_size("min_stop_words");
                 p.stop_words = v.strings("stop_words");
                 return quality_step(std::move(f), v, ctx);
               },
           .group = "filters"});
  const filters::gopher_repetition_params gr{};
  reg.add({.name = "gopher_repetition",
           .doc = "Gopher repetition (datatrove GopherRepetitionFilter): duplicate lines / paragraphs, top 2..4-gram "
                  "and duplicate 5..10-gram character fractions (the n-gram thresholds keep datatrove's defaults)",
           .params = {action_param(),
                      number_param("dup_line_frac", *gr.dup_line_frac, "duplicate lines / lines").range(0, 1).or_null(),
                      number_param("dup_para_frac", *gr.dup_para_frac, "duplicate paragraphs / paragraphs").range(0, 1).or_null(),
                      number_param("dup_line_char_frac", *gr.dup_line_char_frac, "characters in duplicate lines").range(0, 1).or_null(),
                      number_param("dup_para_char_frac", *gr.dup_para_char_frac, "characters in duplicate paragraphs").range(0, 1).or_null()},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::gopher_repetition f;
                 f.params.dup_line_frac = v.optional_number("dup_line_frac");
                 f.params.dup_para_frac = v.optional_number("dup_para_frac");
                 f.params.dup_line_char_frac = v.optional_number("dup_line_char_frac");
                 f.params.dup_para_char_frac = v.optional_number("dup_para_char_frac");
                 return quality_step(std::move(f), v, ctx);
               },
           .group = "filters"});
  const filters::c4_quality_params c4{};
  reg.add({.name = "c4_quality",
           .doc = "C4 quality (datatrove C4QualityFilter): removes lines without terminal punctuation, short lines, "
                  "javascript and policy lines, citations; drops lorem ipsum, curly braces, too few sentences",
           .params = {action_param(),
                      flag_param("remove_citations", c4.remove_citations, "drop \"[1]\", \"[edit]\", \"[citation needed]\""),
                      flag_param("filter_no_terminal_punct", c4.filter_no_terminal_punct, "keep only lines ending in . ? ! \" '"),
                      int_param("min_num_sentences", c4.min_num_sentences, "sentences in the kept lines (-1: off)").range(-1, 1e9),
                      int_param("min_words_per_line", c4.min_words_per_line, "words per kept line (-1: off)").range(-1, 1e9),
                      int_param("max_word_length", c4.max_word_length, "drop lines with a longer word (-1: off)").range(-1, 1e9),
                      flag_param("filter_lorem_ipsum", c4.filter_lorem_ipsum, "drop documents with lorem ipsum"),
                      flag_param("filter_javascript", c4.filter_javascript, "drop lines mentioning javascript"),
                      flag_param("filter_curly_bracket", c4.filter_curly_bracket, "drop documents with '{'"),
                      flag_param("filter_policy", c4.filter_policy, "drop terms-of-use / privacy / cookie lines"),
                      flag_param("remove_lines", c4.remove_lines, "write the kept lines back as the text")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::c4_quality f;
                 auto& p = f.params;
                 p.remove_citations = v.flag("remove_citations");
                 p.filter_no_terminal_punct = v.flag("filter_no_terminal_punct");
                 p.min_num_sentences = int(v.integer("min_num_sentences"));
                 p.min_words_per_line = int(v.integer("min_words_per_line"));
                 p.max_word_length = int(v.integer("max_word_length"));
                 p.filter_lorem_ipsum = v.flag("filter_lorem_ipsum");
                 p.filter_javascript = v.flag("filter_javascript");
                 p.filter_curly_bracket = v.flag("filter_curly_bracket");
                 p.filter_policy = v.flag("filter_policy");
                 p.remove_lines = v.flag("remove_lines");
                 return quality_step(std::move(f), v, ctx, p.remove_lines);
               },
           .group = "filters"});
  const filters::fineweb_quality_params fw{};
  reg.add({.name = "fineweb_quality",
           .doc = "FineWeb quality (datatrove FineWebQualityFilter): terminal-punctuation lines, short lines, "
                  "duplicate-line characters, newlines per token",
           .params = {action_param(),
                      number_param("line_punct_thr", fw.line_punct_thr, "min fraction of lines ending in punctuation").range(0, 1),
                      flag_param("line_punct_exclude_zero", fw.line_punct_exclude_zero, "a fraction of exactly 0 passes"),
                      number_param("short_line_thr", fw.short_line_thr, "max fraction of short lines").range(0, 1),
                      int_param("short_line_length", double(fw.short_line_length), "a short line has at most this many characters").range(0, 1e9),
                      number_param("char_duplicates_ratio", fw.char_duplicates_ratio, "max characters in duplicate lines").range(0, 1),
                      number_param("new_line_ratio", fw.new_line_ratio, "max newlines per token").range(0, 1e9)},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::fineweb_quality f;
                 auto& p = f.params;
                 p.line_punct_thr = v.number("line_punct_thr");
                 p.line_punct_exclude_zero = v.flag("line_punct_exclude_zero");
                 p.short_line_thr = v.number("short_line_thr");
                 p.short_line_length = v.size("short_line_length");
                 p.char_duplicates_ratio = v.number("char_duplicates_ratio");
                 p.new_line_ratio = v.number("new_line_ratio");
                 return quality_step(std::move(f), v, ctx);
               },
           .group = "filters"});
  reg.add({.name = "length_filter",
           .doc = "bounds on code points, words and non-blank lines (null: not tested)",
           .params = {action_param(), int_param("min_chars", {}, "fewest code points").range(0, 1e15),
                      int_param("max_chars", {}, "most code points").range(0, 1e15),
                      int_param("min_words", {}, "fewest words").range(0, 1e15), int_param("max_words", {}, "most words").range(0, 1e15),
                      int_param("min_lines", {}, "fewest non-blank lines").range(0, 1e15),
                      int_param("max_lines", {}, "most non-blank lines").range(0, 1e15)},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::length_filter f;
                 auto& p = f.params;
                 p.min_chars = v.optional_size("min_chars");
                 p.max_chars = v.optional_size("max_chars");
                 p.min_words = v.optional_size("min_words");
                 p.max_words = v.optional_size("max_words");
                 p.min_lines = v.optional_size("min_lines");
                 p.max_lines = v.optional_size("max_lines");
                 return quality_step(std::move(f), v, ctx);
               },
           .group = "filters"});
  reg.add({.name = "char_ratio_filter",
           .doc = "character-class fractions of the text (null: not tested)",
           .params = {action_param(), number_param("min_letter_ratio", {}, "letters and ideographs / code points").range(0, 1),
                      number_param("max_digit_ratio", {}, "digits / code points").range(0, 1),
                      number_param("max_symbol_ratio", {}, "punctuation and symbols / code points").range(0, 1),
                      number_param("max_whitespace_ratio", {}, "white space / code points").range(0, 1),
                      number_param("max_uppercase_ratio", {}, "upper-case letters / letters").range(0, 1)},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::char_ratio_filter f;
                 auto& p = f.params;
                 p.min_letter_ratio = v.optional_number("min_letter_ratio");
                 p.max_digit_ratio = v.optional_number("max_digit_ratio");
                 p.max_symbol_ratio = v.optional_number("max_symbol_ratio");
                 p.max_whitespace_ratio = v.optional_number("max_whitespace_ratio");
                 p.max_uppercase_ratio = v.optional_number("max_uppercase_ratio");
                 return quality_step(std::move(f), v, ctx);
               },
           .group = "filters"});
  reg.add({.name = "nemo_english",
           .doc = "NeMo Curator's default English heuristic set (28 filters, NeMo's order and defaults) in one "
                  "pass over the shared analysis",
           .params = {action_param()},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 return std::apply([&](auto... f) { return make_quality_step(action_of(v), ctx, false, std::move(f)...); },
                                   filters::nemo::english_filters());
               },
           .group = "filters"});
  reg.add({.name = "c4_bad_words",
           .doc = "C4's bad-words rule: drops a document holding any word or phrase of a list file (whole words, "
                  "case-folded)",
           .params = {action_param(),
                      [] {
                        auto p = string_param("file", "", "the list: one word or phrase a line (e.g. data/bad_words/en.txt)");
                        p.required = true;
                        return p;
                      }(),
                      string_param("language", "en", "the list's language (in the reason)")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 return quality_step(filters::c4_bad_words::from_file(v.string("file"), v.string("language"), ctx.step_name), v, ctx);
               },
           .group = "filters"});
  reg.add({.name = "url_filter",
           .doc = "block lists of domains (and subdomains) and substrings, allow lists of domains that override "
                  "them, datatrove's banned / soft-banned words and banned subwords, inline or from files, tested on "
                  "the record's URL field; domains compare in IDNA ASCII form (bücher.example = xn--bcher-kva.example)",
           .params = {action_param(), string_param("url_field", "url", "the JSON string field holding the URL (no escapes in it)"),
                      strings_param("block_domains", {}, "domains blocked with their subdomains"),
                      strings_param("block_substrings", {}, "substrings blocked anywhere in the URL"),
                      strings_param("domain_files", {}, "files of domains, one a line, '#' comments"),
                      strings_param("substring_files", {}, "files of substrings, one a line"),
                      strings_param("allow_domains", {}, "domains allowed with their subdomains: they pass whatever "
                                                        "substring or broader blocked domain matches (a more specific block wins)"),
                      strings_param("allow_files", {}, "files of allowed domains, one a line, '#' comments"),
                      strings_param("banned_words", {}, "datatrove's banned_words: a URL with one among its words fails "
                                                       "(words: the lower-cased URL split at every character but a-z 0-9; reason banned_word)"),
                      strings_param("soft_banned_words", {}, "a URL with at least soft_word_threshold of them among its words "
                                                            "fails (reason soft_banned_words)"),
                      int_param("soft_word_threshold", 2, "distinct soft-banned words that make a URL fail").range(1, 1e9),
                      strings_param("banned_subwords", {}, "substrings of the normalized URL (a-z 0-9 only, lower-cased) that "
                                                          "make it fail (reason banned_subword)"),
                      strings_param("banned_word_files", {}, "files of banned words, one a line, '#' comments"),
                      strings_param("soft_banned_word_files", {}, "files of soft-banned words, one a line, '#' comments"),
                      strings_param("banned_subword_files", {}, "files of banned subwords, one a line, '#' comments"),
                      flag_param("drop_missing_url", false, "a record without the URL field fails (reason missing_url)")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::url_filter_options<document> o;
                 o.rules.block_domains = v.strings("block_domains");
                 o.rules.block_substrings = v.strings("block_substrings");
                 o.rules.domain_files = v.strings("domain_files");
                 o.rules.substring_files = v.strings("substring_files");
                 o.rules.allow_domains = v.strings("allow_domains");
                 o.rules.allow_files = v.strings("allow_files");
                 o.rules.banned_words = v.strings("banned_words");
                 o.rules.soft_banned_words = v.strings("soft_banned_words");
                 o.rules.soft_word_threshold = std::size_t(v.integer("soft_word_threshold"));
                 o.rules.banned_subwords = v.strings("banned_subwords");
                 o.rules.banned_word_files = v.strings("banned_word_files");
                 o.rules.soft_banned_word_files = v.strings("soft_banned_word_files");
                 o.rules.banned_subword_files = v.strings("banned_subword_files");
                 o.drop_missing_url = v.flag("drop_missing_url");
                 o.annotate = v.string("action") == "annotate";
                 o.tally = ctx.tally;
                 o.exclusions = filter_exclusions(ctx);
                 o.url_of = [field = v.string("url_field")](const document& d) { return raw_string_field(d.raw, field); };
                 return make_step(filters::url_filter<document>(std::move(o), ctx.step_name));
               },
           .group = "filters"});
  for (const char* name : {"take", "limit"})
    reg.add({.name = name,
             .doc = "the first n records in input order, then none (the input is still read to its end); the "
                    "others are counted and excluded with reason beyond_take_limit",
             .params = {[] {
               auto p = int_param("n", 0, "records kept").range(0, 1e18);
               p.required = true;
               return p;
             }()},
             .build =
                 [](const param_values& v, const step_context& ctx) {
                   return make_step(millrace::stage(take_stage(v.size("n"), step_drops(ctx)), ctx.step_name));
                 },
             .group = "basic"});
}

inline void add_dedup_ops(registry& reg) {
  reg.add({.name = "dedup.exact",
           .doc = "exact dedup on the XXH3-128 digest of the text; the first record by input order is kept (a "
                  "duplicate is excluded with reason exact_duplicate and the file:line of the kept one)",
           .params = {flag_param("normalize", false, "digest text::normalize(text) instead of the bytes")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 dedup::exact_options o;
                 o.normalize = v.flag("normalize");
                 dedup::exact_stage<document, document_text> s(o, document_text{});
                 s.on_cluster(duplicate_drops(step_drops(ctx), "exact_duplicate"));
                 return make_step(millrace::stage(tallied(std::move(s), step_drops(ctx)), ctx.step_name));
               },
           .group = "dedup"});
  const dedup::near_dedup_options nd{};
  auto near_params = [&nd](bool streaming) {
    std::vector<param_spec> p = {
        // The limits and choices of dedup::near_dedup_options::parameters() (the module's), so that a
        // recipe and a C++ config accept the same values; "character" is the recipes' older spelling of "char".
        number_param("threshold", nd.threshold, "Jaccard similarity from which documents are duplicates (picks the LSH bands)")
            .range(0, 1)
            .exclusive_min(),
        int_param("num_perm", double(nd.num_perm), "MinHash permutations").range(1, 65536),
        int_param("ngram", double(nd.ngram), "shingle size (words or characters)").range(1, 65536),
        string_param("shingle", "word", "word or character (char) n-grams").one_of({"word", "char", "character"}),
        flag_param("verify", nd.verify, "drop candidate pairs whose exact Jaccard is below threshold"),
        flag_param("check_signatures", nd.check_signatures, "drop candidate pairs whose sketched Jaccard is clearly below threshold"),
        flag_param("normalize", nd.normalize, "text::normalize before shingling"),
        int_param("seed", double(nd.seed), "MinHash seed").range(0, 9e15),
        string_param("family", "mersenne61", "MinHash family: (a*x+b) mod 2^61-1 (datatrove) or fast 32-bit").one_of({"mersenne61", "fast32"})};
    if (streaming) p.push_back(int_param("max_index_docs", 0, "documents kept in the online index (0: all)").range(0, 1e15));
    return p;
  };
  auto near_options = [](const param_values& v) {
    dedup::near_dedup_options o;
    o.threshold = v.number("threshold");
    o.num_perm = v.size("num_perm");
    o.ngram = v.size("ngram");
    o.shingle = v.string("shingle") == "word" ? dedup::shingle_kind::word : dedup::shingle_kind::character;
    o.verify = v.flag("verify");
    o.check_signatures = v.flag("check_signatures");
    o.normalize = v.flag("normalize");
    o.seed = std::uint64_t(v.integer("seed"));
    o.family = v.string("family") == "fast32" ? dedup::hash_family::fast32 : dedup::hash_family::mersenne61;
    return o;
  };
  reg.add({.name = "dedup.near",
           .doc = "MinHash-LSH near-dedup in batch mode (a barrier): each cluster keeps its first record by input order "
                  "(the others are excluded with reason near_duplicate and the file:line of the kept one)",
           .params = near_params(false),
           .build =
               [near_options](const param_values& v, const step_context& ctx) {
                 auto s = dedup::make_near_stage(near_options(v), document_text{}, duplicate_drops(step_drops(ctx), "near_duplicate"));
                 return make_step(millrace::stage(tallied(std::move(s), step_drops(ctx)), ctx.step_name));
               },
           .group = "dedup"});
  reg.add({.name = "dedup.near_streaming",
           .doc = "MinHash-LSH near-dedup against an online index of the kept documents (no barrier, bounded memory); "
                  "duplicates are excluded as by dedup.near",
           .params = near_params(true),
           .build =
               [near_options](const param_values& v, const step_context& ctx) {
                 dedup::near_streaming_stage<document, document_text> s(
                     dedup::near_streaming_options{.near = near_options(v), .max_index_docs = v.size("max_index_docs")}, document_text{},
                     duplicate_drops(step_drops(ctx), "near_duplicate"));
                 return make_step(millrace::stage(tallied(std::move(s), step_drops(ctx)), ctx.step_name));
               },
           .group = "dedup"});
  const dedup::span_dedup_options sp{};
  reg.add({.name = "dedup.spans",
           .doc = "corpus-wide line / paragraph / sentence-span dedup (C4's three-sentence spans): a span seen earlier "
                  "is cut from later documents; the first occurrence by input order stays (a document left too small "
                  "is excluded with reason too_little_left)",
           .params = {dedup_action_param(),
                      string_param("unit", "line", "what a span is made of").one_of({"line", "paragraph", "sentence"}),
                      int_param("span_length", double(sp.span_length), "units per span (3 sentences: C4)").range(1, 1000),
                      flag_param("within_document", sp.within_document, "also cut a span repeated inside one document"),
                      int_param("min_remaining_bytes", double(sp.min_remaining_bytes), "a document that lost spans and keeps fewer bytes is dropped").range(0, 1e12),
                      flag_param("normalize", false, "match units after text::normalize (case, punctuation)")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 dedup::span_dedup_options o;
                 const std::string& u = v.string("unit");
                 o.unit = u == "sentence" ? dedup::span_unit::sentence : u == "paragraph" ? dedup::span_unit::paragraph : dedup::span_unit::line;
                 o.span_length = v.size("span_length");
                 o.within_document = v.flag("within_document");
                 o.min_remaining_bytes = v.size("min_remaining_bytes");
                 o.match.normalize = v.flag("normalize");
                 o.action = dedup_action_of(v);
                 dedup::span_dedup_stage<document, document_text_ref> s(o, document_text_ref{}, ctx.step_name);
                 s.on_dropped(dropped_drops(step_drops(ctx)));
                 return make_step(millrace::stage(tallied(std::move(s), step_drops(ctx)), ctx.step_name));
               },
           .group = "dedup"});
  const dedup::bloom_ngram_options bl{};
  reg.add({.name = "dedup.bloom_ngrams",
           .doc = "Bloom-filter n-gram dedup (Dolma bff): paragraphs (or documents) whose n-grams were mostly seen "
                  "before are removed; bounded memory at a stated false-positive rate (a document dropped is excluded "
                  "with reason duplicate_document or too_little_left)",
           .params = {dedup_action_param(),
                      int_param("ngram", double(bl.ngram), "words per n-gram").range(1, 1000),
                      int_param("min_words", double(bl.min_words), "shorter paragraphs are left alone").range(1, 1000),
                      number_param("threshold", bl.threshold, "duplicate when the found share of n-grams reaches it").range(0, 1),
                      string_param("scope", "paragraph", "each line on its own, or the whole document").one_of({"paragraph", "document"}),
                      int_param("expected_ngrams", double(bl.expected_ngrams), "distinct n-grams the filter is sized for").range(1, 1e15),
                      number_param("false_positive_rate", bl.false_positive_rate, "the filter's rate at expected_ngrams").range(1e-9, 0.5),
                      int_param("min_remaining_bytes", double(bl.min_remaining_bytes), "a document that lost paragraphs and keeps fewer bytes is dropped").range(0, 1e12)},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 dedup::bloom_ngram_options o;
                 o.ngram = v.size("ngram");
                 o.min_words = v.size("min_words");
                 o.threshold = v.number("threshold");
                 o.scope = v.string("scope") == "document" ? dedup::bloom_scope::document : dedup::bloom_scope::paragraph;
                 o.expected_ngrams = std::uint64_t(v.integer("expected_ngrams"));
                 o.false_positive_rate = v.number("false_positive_rate");
                 o.min_remaining_bytes = v.size("min_remaining_bytes");
                 o.action = dedup_action_of(v);
                 dedup::bloom_ngram_stage<document, document_text_ref, true> s(o, document_text_ref{}, ctx.step_name);
                 s.on_dropped(dropped_drops(step_drops(ctx)));
                 return make_step(millrace::stage(tallied(std::move(s), step_drops(ctx)), ctx.step_name));
               },
           .group = "dedup"});
}

}  // namespace detail

MILLRACE_INLINE registry builtin_registry() {
  registry reg;
  detail::add_readers_writers(reg);
  detail::add_text_ops(reg);
  detail::add_quality_filters(reg);
  detail::add_dedup_ops(reg);
  return reg;
}

}  // namespace millrace::recipe
