// millrace/recipe/builtin.hpp — the operators millrace ships, registered for recipes: readers
// (read_jsonl, read_csv), text clean-up, the quality filters (Gopher, C4, FineWeb, NeMo, length,
// character ratios, bad words, URL), take / limit, exact, near, span and Bloom n-gram dedup, and
// the JSONL writer.
// builtin_registry() is the registry millrace-run uses; PII and language ID, which need optional
// libraries, are in recipe/builtin_pii.hpp and recipe/builtin_langid.hpp.
//   mr::recipe::registry reg = mr::recipe::builtin_registry();  reg.add(my_entry);
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/recipe/registry.hpp>

namespace millrace::recipe {

/// A registry holding every operator millrace ships (see docs/recipes.md for the list). Compiled
/// once into millrace::compiled in separate-compilation mode (recipe/detail/builtin_impl.hpp).
registry builtin_registry();

}  // namespace millrace::recipe

#if MILLRACE_HEADER_ONLY
#include <millrace/recipe/detail/builtin_impl.hpp>
#endif
