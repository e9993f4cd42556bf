// millrace::compiled — dedup/'s non-template code, compiled once: MinHash (with its AVX-512, AVX2
// and portable kernels, picked at run time), LSH banding (xxh3 band keys), the union-finds, the
// b-bit signature check, exact Jaccard and the all-pairs join, exact dedup's digests (xxh3-128),
// batch, streaming and out-of-core near-dedup. Built with MILLRACE_SEPARATE_COMPILATION defined,
// so MILLRACE_INLINE is empty and every definition below is the program's one copy.
#include <millrace/dedup/detail/all_pairs_jaccard_impl.hpp>
#include <millrace/dedup/detail/components_impl.hpp>
#include <millrace/dedup/detail/exact_impl.hpp>
#include <millrace/dedup/detail/jaccard_impl.hpp>
#include <millrace/dedup/detail/lsh_impl.hpp>
#include <millrace/dedup/detail/minhash_impl.hpp>
#include <millrace/dedup/detail/near_dedup_impl.hpp>
#include <millrace/dedup/detail/near_out_of_core_impl.hpp>
#include <millrace/dedup/detail/near_streaming_impl.hpp>
#include <millrace/dedup/detail/shingle_set_store_impl.hpp>
#include <millrace/dedup/detail/signature_check_impl.hpp>
#include <millrace/dedup/detail/union_find_impl.hpp>
