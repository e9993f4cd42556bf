// millrace/io.hpp — the I/O subsystem: JSONL/CSV/line readers and sharded writers with manifests,
// transparent zstd, bad-input policies, resumable outputs. Needs simdjson, zstd and xxHash.
//   auto p = mr::io::read_jsonl({"shards/*.jsonl.zst"}) | mr::io::write_jsonl("out/");
#pragma once

// The io headers include no executor; this umbrella adds the core's (run, cpu, serial).
#include "core.hpp"
#include "io/atomic_file.hpp"
#include "io/csv.hpp"
#include "io/error.hpp"
#include "io/json_record.hpp"
#include "io/output_paths.hpp"
#include "io/read.hpp"
#include "io/write.hpp"
