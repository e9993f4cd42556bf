// bench_minhash: MB/s per core of text -> MinHash signature (112 permutations, word 5-grams), for
// millrace (normalize + shingle + vectorized MinHash) and a plain scalar loop (shingle + MinHash
// with 128-bit arithmetic, no normalization), both hash families, on the same synthetic documents.
//   bench_minhash [--mb 16] [--reps 3] [--ascii]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <ctime>
#include <vector>

#include <fmt/format.h>

#include <millrace/dedup/minhash.hpp>
#include <millrace/synth/corpus.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>

namespace dd = millrace::dedup;
namespace tx = millrace::text;

namespace {

// The baseline: the loop a careful programmer writes first (datatrove's formula, no SIMD dispatch,
// no normalization): split on spaces, hash 5-grams with xxh3, then for every permutation and every
// shingle (a*x + b) mod p in 128-bit arithmetic, or the 32-bit multiply-shift.
struct scalar_baseline {
  std::vector<std::uint64_t> a, c, b;
  dd::hash_family fam;
  scalar_baseline(std::size_t perms, std::uint64_t seed, dd::hash_family f) : a(perms), c(perms), b(perms), fam(f) {
    dd::splitmix64 g{seed};
    for (std::size_t i = 0; i < perms; ++i) {
      if (f == dd::hash_family::mersenne61) {
        a[i] = 1 + g.next() % (dd::mersenne61 - 1);
        b[i] = g.next() % dd::mersenne61;
      } else {
        a[i] = g.next();
        c[i] = g.next();
        b[i] = g.next();
      }
    }
  }
  void sign(std::string_view text, std::vector<std::uint64_t>& sh, std::vector<std::uint64_t>& sig) const {
    tx::word_shingle_hashes(text, 5, sh);
    std::fill(sig.begin(), sig.end(), ~0ull);
    __extension__ using u128 = unsigned __int128;
    for (auto x : sh) {
      for (std::size_t i = 0; i < a.size(); ++i) {
        std::uint64_t h;
        if (fam == dd::hash_family::mersenne61) h = static_cast<std::uint64_t>((u128(a[i]) * x + b[i]) % dd::mersenne61);
        else h = (a[i] * (x & 0xFFFFFFFFu) + c[i] * (x >> 32) + b[i]) >> 32;
        sig[i] = std::min(sig[i], h);
      }
    }
  }
};

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Best of `reps` by CPU time of this thread: on a machine shared with other jobs, CPU seconds
// measure the work per core; wall time would also count the time others held the core.
struct timing {
  double cpu = 1e30, wall = 1e30;
};
template <class F>
timing best_seconds(int reps, F f) {
  timing best;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_seconds();
    f();
    best.cpu = std::min(best.cpu, thread_cpu_seconds() - c0);
    best.wall = std::min(best.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  double mb = 16;
  int reps = 3;
  bool ascii = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mb") && i + 1 < argc) mb = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--ascii")) ascii = true;
    else {
      std::fprintf(stderr, "usage: bench_minhash [--mb 16] [--reps 3] [--ascii]\n");
      return 2;
    }
  }
  // Synthetic documents (Zipf words; 6% of the vocabulary non-ASCII unless --ascii), ~mb MB.
  millrace::synth::corpus_options co;
  co.seed = 11;
  co.non_ascii_words = ascii ? 0.0 : 0.06;
  co.docs = 1;
  const auto probe = millrace::synth::generate_corpus({.docs = 200, .seed = 11});
  std::size_t probe_bytes = 0;
  for (auto& d : probe) probe_bytes += d.text.size();
  co.docs = std::max<std::size_t>(1, static_cast<std::size_t>(mb * 1e6 / (double(probe_bytes) / 200)));
  const auto docs = millrace::synth::generate_corpus(co);
  std::size_t bytes = 0, non_ascii_docs = 0;
  for (auto& d : docs) {
    bytes += d.text.size();
    non_ascii_docs += !tx::detail::is_ascii(d.text);
  }
  const double mbytes = double(bytes) / 1e6;
  fmt::print("bench_minhash: {} docs, {:.1f} MB ({:.0f}% of docs with non-ASCII text), 112 perms, word 5-grams, 1 thread, "
             "best of {}, SIMD level {} (0 portable, 1 AVX2, 2 AVX-512)\n",
             docs.size(), mbytes, 100.0 * double(non_ascii_docs) / double(docs.size()), reps, dd::detail::simd_level());

  std::uint64_t sink = 0;
  std::vector<std::uint64_t> sh, sig(112);
  std::string norm;
  fmt::print("{:<48} {:>14} {:>10} {:>10}\n", "variant", "MB/s per core", "vs scalar", "wall MB/s");
  for (auto fam : {dd::hash_family::mersenne61, dd::hash_family::fast32}) {
    const char* fname = fam == dd::hash_family::mersenne61 ? "mersenne61" : "fast32";
    scalar_baseline base(112, 1, fam);
    const timing t_base = best_seconds(reps, [&] {
      for (auto& d : docs) {
        base.sign(d.text, sh, sig);
        sink += sig[0];
      }
    });
    dd::minhasher mh({112, 1, fam});
    auto run_mh = [&](bool normalize) -> timing {
      return best_seconds(reps, [&] {
        for (auto& d : docs) {
          std::string_view t = d.text;
          if (normalize) {
            tx::normalize_into(d.text, norm);
            t = norm;
          }
          tx::word_shingle_hashes(t, 5, sh);
          mh.sign(sh, sig);
          sink += sig[0];
        }
      });
    };
    const timing t_mh = run_mh(true);
    const timing t_mh_raw = run_mh(false);
    auto row = [&](const std::string& name, timing t, bool ratio = true) {
      fmt::print("{:<48} {:>14.1f} {:>10} {:>10.1f}\n", name, mbytes / t.cpu,
                 ratio ? fmt::format("{:.2f}x", t_base.cpu / t.cpu) : std::string("-"), mbytes / t.wall);
    };
    row(fmt::format("scalar loop, no normalization ({})", fname), t_base);
    row(fmt::format("millrace normalize+shingle+minhash ({})", fname), t_mh);
    row(fmt::format("millrace shingle+minhash, no normalize ({})", fname), t_mh_raw);
    if (fam == dd::hash_family::mersenne61) {  // the stages alone, once: they do not depend on the family
      row("millrace normalize only", best_seconds(reps, [&] {
            for (auto& d : docs) {
              tx::normalize_into(d.text, norm);
              sink += norm.size();
            }
          }), false);
      row("millrace word 5-gram shingles only", best_seconds(reps, [&] {
            for (auto& d : docs) {
              tx::word_shingle_hashes(d.text, 5, sh);
              sink += sh.size();
            }
          }), false);
    }
  }
  std::fprintf(stderr, "(checksum %llu)\n", static_cast<unsigned long long>(sink));
  return 0;
}
