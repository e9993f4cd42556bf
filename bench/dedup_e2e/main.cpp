// bench_dedup_e2e: end-to-end near-dedup of a JSONL file (read -> parse -> normalize -> shingle ->
// MinHash -> LSH -> components -> write the kept lines), millrace on 1 and 2 threads vs a plain
// serial loop (getline, simdjson, the same normalization, scalar MinHash, hash-map buckets,
// union-find) on the same file and parameters. Both must keep the same records.
//   bench_dedup_e2e [--mb 16] [--reps 2] [--dir /tmp/bench_dedup_e2e]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <ctime>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include <millrace/core.hpp>
#include <millrace/dedup/operators.hpp>
#include <millrace/io/json.hpp>
#include <millrace/io/read.hpp>
#include <millrace/io/write.hpp>
#include <millrace/synth/corpus.hpp>

namespace mr = millrace;
namespace dd = millrace::dedup;
namespace fs = std::filesystem;

namespace {

// The baseline: what one writes without a framework, serial, scalar (128-bit) MinHash.
std::size_t baseline(const fs::path& in, const fs::path& out, const dd::near_dedup_options& o) {
  const auto lsh = o.resolved_lsh();
  dd::splitmix64 g{o.seed};
  std::vector<std::uint64_t> a(o.num_perm), b(o.num_perm);
  for (std::size_t i = 0; i < o.num_perm; ++i) {
    a[i] = 1 + g.next() % (dd::mersenne61 - 1);
    b[i] = g.next() % dd::mersenne61;
  }
  std::ifstream f(in);
  std::vector<std::string> lines;
  std::vector<std::vector<std::uint64_t>> keys;
  simdjson::dom::parser parser;
  std::string line, norm;
  std::vector<std::uint64_t> sh, sig(o.num_perm);
  __extension__ using u128 = unsigned __int128;
  while (std::getline(f, line)) {
    std::string_view text;
    simdjson::padded_string ps(line);
    if (parser.parse(ps)["text"].get_string().get(text)) throw std::runtime_error("bad line");
    millrace::text::normalize_into(text, norm);
    millrace::text::word_shingle_hashes(norm, o.ngram, sh);
    std::fill(sig.begin(), sig.end(), ~0ull);
    for (auto x : sh)
      for (std::size_t i = 0; i < o.num_perm; ++i)
        sig[i] = std::min(sig[i], static_cast<std::uint64_t>((u128(a[i]) * x + b[i]) % dd::mersenne61));
    std::vector<std::uint64_t> k(lsh.bands);
    for (std::size_t band = 0; band < lsh.bands; ++band) k[band] = dd::band_key(sig, band, lsh.rows);
    keys.push_back(sh.empty() ? std::vector<std::uint64_t>{} : std::move(k));
    lines.push_back(line);
  }
  const std::size_t n = lines.size();
  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::size_t band = 0; band < lsh.bands; ++band) {
    std::unordered_map<std::uint64_t, std::size_t> first;
    for (std::size_t d = 0; d < n; ++d) {
      if (keys[d].empty()) continue;
      auto [it, fresh] = first.emplace(keys[d][band], d);
      if (!fresh) {
        std::size_t x = find(it->second), y = find(d);
        if (x != y) parent[std::max(x, y)] = std::min(x, y);
      }
    }
  }
  std::ofstream w(out);
  std::size_t kept = 0;
  for (std::size_t d = 0; d < n; ++d)
    if (find(d) == d) {
      w << lines[d] << '\n';
      ++kept;
    }
  return kept;
}

std::size_t millrace_run(const fs::path& in, const fs::path& out, const dd::near_dedup_options& o, std::size_t threads) {
  fs::remove_all(out);
  auto text_of = [](const mr::io::json_record& r) { return r.get_string("text"); };
  auto rep = mr::run(mr::io::read_jsonl({in.string()}) | dd::near(o, text_of) | mr::io::write_jsonl(out),
                     mr::cpu{.threads = threads});
  return rep.records_out();
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Best of `reps` by wall time, with the CPU seconds of that run (all threads): on a shared machine
// MB per CPU-second is the per-core figure; wall time also counts the time other jobs held a core.
struct timing {
  double wall = 1e30, cpu = 0;
};
template <class F>
timing best_seconds(int reps, F f) {
  timing best;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_seconds();
    f();
    const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (w < best.wall) best = {w, process_cpu_seconds() - c0};
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  double mb = 16;
  int reps = 2;
  fs::path dir = fs::temp_directory_path() / "bench_dedup_e2e";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mb") && i + 1 < argc) mb = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_dedup_e2e [--mb 16] [--reps 2] [--dir DIR]\n");
      return 2;
    }
  }
  fs::create_directories(dir);
  const fs::path in = dir / "corpus.jsonl";
  millrace::synth::corpus_options co;
  co.seed = 3;
  co.docs = std::max<std::size_t>(10, static_cast<std::size_t>(mb * 1e6 / 1300));
  {
    const auto docs = millrace::synth::generate_corpus(co);
    std::string buf;
    for (auto& d : docs) {
      buf += "{\"id\":";
      mr::io::json_append_string(buf, d.id);
      buf += ",\"text\":";
      mr::io::json_append_string(buf, d.text);
      buf += "}\n";
    }
    std::ofstream(in, std::ios::binary) << buf;
  }
  const double mbytes = double(fs::file_size(in)) / 1e6;
  dd::near_dedup_options o;  // threshold 0.8, 112 perms, word 5-grams, mersenne61, normalized
  o.check_signatures = false;  // the same work as the plain loop; the check is measured apart below
  fmt::print("bench_dedup_e2e: {} docs, {:.1f} MB JSONL, near-dedup threshold {}, {} perms, {}x{} bands, word {}-grams, "
             "best of {}\n",
             co.docs, mbytes, o.threshold, o.num_perm, o.resolved_lsh().bands, o.resolved_lsh().rows, o.ngram, reps);
  std::size_t kept_base = 0, kept1 = 0, kept2 = 0;
  const timing tb = best_seconds(reps, [&] { kept_base = baseline(in, dir / "baseline.jsonl", o); });
  const timing t1 = best_seconds(reps, [&] { kept1 = millrace_run(in, dir / "out1", o, 1); });
  const timing t2 = best_seconds(reps, [&] { kept2 = millrace_run(in, dir / "out2", o, 2); });
  // Issue 18: the signature check of candidate pairs (the default), against the same run without it.
  dd::near_dedup_options checked = o;
  checked.check_signatures = true;
  std::size_t kept_checked = 0;
  const timing tc = best_seconds(reps, [&] { kept_checked = millrace_run(in, dir / "out3", checked, 2); });
  fmt::print("{:<36} {:>6} {:>10} {:>12} {:>14} {:>12}\n", "variant", "kept", "wall MB/s", "vs baseline", "MB/CPU-second",
             "vs baseline");
  auto row = [&](const char* name, std::size_t kept, timing t) {
    fmt::print("{:<36} {:>6} {:>10.1f} {:>11.2f}x {:>14.1f} {:>11.2f}x\n", name, kept, mbytes / t.wall, tb.wall / t.wall,
               mbytes / t.cpu, tb.cpu / t.cpu);
  };
  row("plain serial loop (scalar MinHash)", kept_base, tb);
  row("millrace pipeline, 1 thread", kept1, t1);
  row("millrace pipeline, 2 threads", kept2, t2);
  row("  + signature check (the default)", kept_checked, tc);
  fmt::print("signature check: {:+.1f}% wall, {:+.1f}% CPU against the same run without it; {} B/document of sketches; "
             "it keeps {} more documents\n",
             100 * (tc.wall / t2.wall - 1), 100 * (tc.cpu / t2.cpu - 1), dd::signature_check(o.num_perm, o.threshold).bytes_per_document(),
             static_cast<long long>(kept_checked) - static_cast<long long>(kept2));
  fmt::print("2-thread wall speedup over 1 thread: {:.2f}x (CPU seconds used: {:.2f} vs {:.2f})\n", t1.wall / t2.wall, t2.cpu,
             t1.cpu);
  if (kept1 != kept2 || kept1 != kept_base) {
    fmt::print(stderr, "bench_dedup_e2e: kept counts differ ({} baseline, {} 1T, {} 2T)\n", kept_base, kept1, kept2);
    return 1;
  }
  return 0;
}
