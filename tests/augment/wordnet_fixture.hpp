// One WordNet load per test binary (about 0.15 s), shared read-only by the test cases.
#pragma once
#include <unistd.h>

#include <millrace/augment/wordnet.hpp>

namespace test {
inline const millrace::augment::wordnet& shared_wordnet() {
  static const millrace::augment::wordnet wn = millrace::augment::wordnet::load("/usr/share/wordnet");
  return wn;
}
}  // namespace test
