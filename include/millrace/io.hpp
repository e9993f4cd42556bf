// millrace/io.hpp — the I/O subsystem: JSONL/CSV/line readers and sharded writers with manifests,
// transparent zstd and gzip, standard input/output ("-"), WARC/WET records (warc.hpp), bad-input
// policies, resumable outputs. Needs simdjson, zstd and xxHash (gzip: zlib).
//   auto p = mr::io::read_jsonl({"shards/*.jsonl.zst"}) | mr::io::write_jsonl("out/");
#pragma once

// The io headers include no executor; this umbrella adds the core's (run, cpu, serial).
#include <millrace/core.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/csv.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/json_record.hpp>
#include <millrace/io/output_paths.hpp>
#include <millrace/io/read.hpp>
#include <millrace/io/warc.hpp>
#include <millrace/io/write.hpp>
#include <millrace/io/write_formatted.hpp>
