// The io headers include no executor: every header under include/millrace/io/ builds without
// oneTBB (the reader sizes its helper threads from millrace::parallel_concurrency()), and an io
// pipeline can be built from them alone; running it needs an executor (<millrace/core.hpp>).
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/byte_source.hpp>
#include <millrace/io/chunk_reader.hpp>
#include <millrace/io/csv.hpp>
#include <millrace/io/digest.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/fields.hpp>
#include <millrace/io/inputs.hpp>
#include <millrace/io/json.hpp>
#include <millrace/io/json_record.hpp>
#include <millrace/io/manifest.hpp>
#include <millrace/io/output_paths.hpp>
#include <millrace/io/parallel_chunk_reader.hpp>
#include <millrace/io/parse.hpp>
#include <millrace/io/partition.hpp>
#include <millrace/io/read.hpp>
#include <millrace/io/rejects.hpp>
#include <millrace/io/shard_writer.hpp>
#include <millrace/io/utf8.hpp>
#include <millrace/io/warc.hpp>
#include <millrace/io/write.hpp>

#ifdef TBB_VERSION_MAJOR  // defined by every oneTBB header (oneapi/tbb/version.h)
#error "an io header includes oneTBB"
#endif

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>

namespace mr = millrace;
namespace io = millrace::io;

TEST_CASE("io.headers.no_executor.pipeline_builds") {
  mrtest::temp_dir d;
  mrtest::write_file(d / "a.jsonl", "{\"a\":1}\n");
  auto p = io::read_jsonl({(d / "a.jsonl").string()}) | io::write_jsonl(d / "out");
  static_assert(mr::detail::is_pipeline<decltype(p)>::value);
  CHECK(mr::parallel_concurrency() == 1);   // outside a run: the serial backend
  CHECK(io::partition_inputs({(d / "a.jsonl").string()}, 2).size() == 2);
}

TEST_CASE("io.digest128.hex_is_xxh3_canonical") {
  // The hex form is xxhsum -H2's (high half first), checked against xxhash's own canonical bytes.
  for (std::string_view s : {std::string_view(""), std::string_view("a"), std::string_view("hello world\n")}) {
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(s.data(), s.size()));
    std::string expected;
    for (unsigned char b : c.digest) expected += fmt::format("{:02x}", b);
    CHECK(io::digest128_hex(s) == expected);
    io::digest128_hasher streamed;
    for (char ch : s) streamed.update(std::string_view(&ch, 1));
    CHECK(streamed.hex() == expected);
    const XXH128_hash_t h = XXH3_128bits(s.data(), s.size());
    CHECK(streamed.value() == mr::digest128{h.low64, h.high64});
  }
}
