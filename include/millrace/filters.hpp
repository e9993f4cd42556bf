// millrace/filters.hpp — the quality-filter subsystem: one Unicode-aware scan per document
// (text_view.hpp) feeding Gopher, C4 and FineWeb heuristics (gopher.hpp, c4.hpp, fineweb.hpp),
// run as a pipeline operator that drops or annotates (apply.hpp); length/ratio filters, take,
// when, count_by_key and whitespace normalization (basic.hpp); the language filter (langid.hpp;
// its CLD2 and fastText detectors, cld2.hpp and fasttext_langid.hpp, are included apart: they need
// millrace::cld2 / millrace::fasttext); URL block lists (url.hpp) and Unicode clean-up
// (unicode_cleanup.hpp); NeMo Curator's 28-filter English set (nemo.hpp) and C4's bad words
// (bad_words.hpp); the PII filter (pii.hpp) is included apart: it needs millrace::pii (RE2).
// Needs utf8proc.
//   auto q = mr::filters::apply<Doc>(mr::filters::gopher_quality{}, mr::filters::fineweb_quality{});
#pragma once

#include <millrace/filters/apply.hpp>
#include <millrace/filters/bad_words.hpp>
#include <millrace/filters/basic.hpp>
#include <millrace/filters/c4.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/fineweb.hpp>
#include <millrace/filters/gopher.hpp>
#include <millrace/filters/langid.hpp>
#include <millrace/filters/nemo.hpp>
#include <millrace/filters/text_view.hpp>
#include <millrace/filters/unicode_cleanup.hpp>
#include <millrace/filters/url.hpp>
