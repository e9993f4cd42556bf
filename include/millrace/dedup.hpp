// millrace/dedup.hpp — deduplication: exact (xxh3-128) and MinHash-LSH near-dedup (batch and
// streaming) as pipeline operators, plus the text normalization and shingling they use.
//   auto p = src | mr::dedup::near({.threshold = 0.8}, [](const Doc& d) -> std::string_view { return d.text; }) | sink;
#pragma once

#include <millrace/dedup/bloom_ngram.hpp>
#include <millrace/dedup/operators.hpp>
#include <millrace/dedup/span_dedup.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>
