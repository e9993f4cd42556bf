// millrace::compiled — io's non-template code, compiled once: input listing and globbing, byte
// sources (zstd decompression), chunk readers, line parsing, the readers' sources, CSV, shard
// writers and manifests (zstd compression), rejects, output checks, the atomic-file mechanism
// with io's error type, json_record's getters, UTF-8 validation and the typed records' JSON
// decoder (the only places io parses with simdjson). Built with MILLRACE_SEPARATE_COMPILATION
// defined, so MILLRACE_INLINE is empty and every definition below is the program's one copy.
// Without simdjson or zstd (the component libraries io needs) there is no io to compile: this
// file is then empty.
#if __has_include(<simdjson.h>) && __has_include(<zstd.h>) && __has_include(<xxhash.h>)
#include <millrace/io/detail/atomic_file_impl.hpp>
#include <millrace/io/detail/byte_source_impl.hpp>
#include <millrace/io/detail/chunk_reader_impl.hpp>
#include <millrace/io/detail/csv_impl.hpp>
#include <millrace/io/detail/error_impl.hpp>
#include <millrace/io/detail/inputs_impl.hpp>
#include <millrace/io/detail/json_record_impl.hpp>
#include <millrace/io/detail/manifest_impl.hpp>
#include <millrace/io/detail/output_paths_impl.hpp>
#include <millrace/io/detail/parallel_chunk_reader_impl.hpp>
#include <millrace/io/detail/parse_impl.hpp>
#include <millrace/io/detail/partition_impl.hpp>
#include <millrace/io/detail/read_impl.hpp>
#include <millrace/io/detail/rejects_impl.hpp>
#include <millrace/io/detail/shard_writer_impl.hpp>
#include <millrace/io/detail/utf8_impl.hpp>
#include <millrace/io/detail/warc_impl.hpp>

template class millrace::detail::files::basic_atomic_file<millrace::io::output_error>;
#endif
