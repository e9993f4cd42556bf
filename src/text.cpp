// millrace::compiled — text/'s non-template code, compiled once: normalization (the ASCII fast
// path with its SSSE3 kernel, the utf8proc path), tokenization and shingle hashes (xxh3), the
// Markdown outline parser. Built with MILLRACE_SEPARATE_COMPILATION defined, so MILLRACE_INLINE is
// empty and every definition below is the program's one copy.
#include <millrace/text/detail/markdown_impl.hpp>
#include <millrace/text/detail/normalize_impl.hpp>
#include <millrace/text/detail/shingle_impl.hpp>
