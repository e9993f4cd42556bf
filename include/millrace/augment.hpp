// millrace/augment.hpp — seeded text augmentation: WordNet synonyms, EDA (insert, swap, delete),
// typos and case flips, masking and span corruption, a MinHash similarity guard, variant dedup.
//   auto p = src | mr::augment::number() | mr::augment::make_variants(aug) | mr::augment::guard(g) | sink;
#pragma once

#include <millrace/augment/module.hpp>
#include <millrace/augment/operators.hpp>
