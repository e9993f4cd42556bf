// synth::corpus_source as a pipeline source: the same documents as generate_corpus, on any executor.
#include <millrace/core.hpp>
#include <millrace/synth/corpus.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace mr = millrace;

TEST_CASE("synth.corpus_source.pipeline.serial_1T_2T_equal_generate_corpus") {
  const mr::synth::corpus_options o{.docs = 700, .seed = 12};
  const auto expected = mr::synth::generate_corpus(o);
  auto check = [&](const std::vector<std::string>& got) {
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == expected[i].id + "\n" + expected[i].text);
  };
  auto pipeline = [&](std::vector<std::string>& out) {
    return mr::source(mr::synth::corpus_source(o), "corpus") |
           mr::map([](mr::synth::document d) { return d.id + "\n" + d.text; }, "join") | mr::collect(out);
  };
  std::vector<std::string> serial, one, two;
  mr::run(pipeline(serial), mr::serial_executor{});
  mr::run(pipeline(one), mr::cpu{.threads = 1, .batch_size = 64});
  mr::run(pipeline(two), mr::cpu{.threads = 2, .batch_size = 50});
  check(serial);
  check(one);
  check(two);
}
