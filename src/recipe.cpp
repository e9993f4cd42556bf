// millrace::compiled — recipe/'s built-in operator registry, compiled once: the parameters, docs
// and builders of every operator millrace ships (recipe/builtin.hpp). Built with
// MILLRACE_SEPARATE_COMPILATION defined, so MILLRACE_INLINE is empty and builtin_registry() below
// is the program's one copy. (PII and language ID need optional libraries: recipe/builtin_pii.hpp
// and builtin_langid.hpp stay in the user's translation unit.)
#include <millrace/recipe/detail/builtin_impl.hpp>
