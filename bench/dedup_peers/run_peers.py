#!/usr/bin/env python3
"""MinHash signature throughput: millrace vs datasketch and rensa, same documents, same parameters.

    python3 bench/dedup_peers/run_peers.py --build build      # needs the millrace-minhash-driver and
                                                              # millrace-gen-corpus targets built
Parameters shared by every peer: 112 permutations, word 5-grams (words = whitespace split, joined by
one space), seed 1. Peers receive the raw text (no normalization); millrace is timed both raw (the
like-for-like figure) and with its full Unicode normalization. Times cover shingling + signing of
texts already in memory. A peer that is not installed (pip install datasketch rensa) is skipped with
a message, never faked. Every peer runs once per round (--rounds); prints each peer's median MB/s
and the median over rounds of the per-round ratios millrace / peer.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

NUM_PERM = 112
NGRAM = 5
SEED = 1


def shingles(text):
    words = text.split()
    if len(words) < NGRAM:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)]


def best_of(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peer_datasketch(texts, repeat):
    try:
        from datasketch import MinHash
    except ImportError as e:
        print(f"datasketch: skipped (not installed: {e}); pip install datasketch")
        return None

    def run():
        for t in texts:
            m = MinHash(num_perm=NUM_PERM, seed=SEED)
            m.update_batch([s.encode("utf-8") for s in shingles(t)])
            m.digest()
    return best_of(run, repeat)


def peer_rensa(texts, repeat, kind):
    try:
        import rensa
    except ImportError as e:
        print(f"rensa ({kind}): skipped (not installed: {e}); pip install rensa")
        return None
    cls = getattr(rensa, kind, None)
    if cls is None:
        print(f"rensa: skipped {kind} (not in this rensa version)")
        return None

    def run():
        for t in texts:
            m = cls(num_perm=NUM_PERM, seed=SEED)
            m.update(shingles(t))
            m.digest()
    return best_of(run, repeat)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="CMake build directory (with benchmarks and examples)")
    ap.add_argument("--input", help="JSONL with a 'text' field; default: generate --docs with millrace-gen-corpus")
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=3, help="corpus seed")
    ap.add_argument("--non-ascii", type=float, help="corpus: share of non-ASCII vocabulary words (generator default 0.06)")
    ap.add_argument("--noise-rate", type=float, help="corpus: share of copies with Unicode noise (generator default 0.3)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per peer and round; the best is kept")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of all peers; figures are medians over rounds")
    ap.add_argument("--threads", type=int, nargs="*", default=[1], help="millrace thread counts to add")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()

    driver = os.path.join(a.build, "bench", "dedup_peers", "millrace-minhash-driver")
    gen = os.path.join(a.build, "examples", "gen_corpus", "millrace-gen-corpus")
    tmp = tempfile.TemporaryDirectory()
    path = a.input
    if not path:
        path = os.path.join(tmp.name, "peers.jsonl")
        cmd = [gen, "--docs", str(a.docs), "--seed", str(a.seed), "--output", path]
        if a.non_ascii is not None:
            cmd += ["--non-ascii", str(a.non_ascii)]
        if a.noise_rate is not None:
            cmd += ["--noise-rate", str(a.noise_rate)]
        subprocess.run(cmd, check=True)
    with open(path, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    print(f"documents: {len(texts)}, {nbytes / 1e6:.2f} MB of text; {NUM_PERM} permutations, word {NGRAM}-grams")

    def one_round():
        """Seconds (best of --repeat) of every peer, keyed by (name, threads)."""
        got = {}
        for threads in a.threads:
            for family in ("m61", "f32"):
                for normalize in (False, True):
                    cmd = [driver, "--input", path, "--num-perm", str(NUM_PERM), "--ngram", str(NGRAM),
                           "--family", family, "--seed", str(SEED), "--threads", str(threads),
                           "--repeat", str(a.repeat)]
                    if normalize:
                        cmd.append("--normalize")
                    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
                    got[(f"millrace {family}{' +normalize' if normalize else ''}", threads)] = out["seconds"]
        for name, seconds in (("datasketch", peer_datasketch(texts, a.repeat)),
                              ("rensa RMinHash", peer_rensa(texts, a.repeat, "RMinHash")),
                              ("rensa CMinHash", peer_rensa(texts, a.repeat, "CMinHash"))):
            if seconds is not None:
                got[(name, 1)] = seconds
        return got

    # Every peer runs once per round and figures are medians over rounds: a slow spell of a shared
    # machine then weighs on one round of every peer instead of on one peer.
    rounds = [one_round() for _ in range(max(a.rounds, 1))]
    median = statistics.median
    results, results_ratio = [], []
    for key in rounds[0]:
        name, threads = key
        seconds = median(r[key] for r in rounds)
        results.append({"peer": name, "threads": threads, "seconds": seconds, "mb_per_s": nbytes / 1e6 / seconds,
                        "rounds_seconds": [r[key] for r in rounds]})

    print(f"\n{len(rounds)} rounds, median of each peer's best of {a.repeat}")
    print(f"{'peer':28} {'threads':>7} {'seconds':>9} {'MB/s':>9} {'MB/s/core':>9}")
    for r in results:
        print(f"{r['peer']:28} {r['threads']:>7} {r['seconds']:9.3f} {r['mb_per_s']:9.2f} {r['mb_per_s'] / r['threads']:9.2f}")
    mine = [k for k in rounds[0] if k[0].startswith("millrace") and k[1] == 1]
    peers = [k for k in rounds[0] if not k[0].startswith("millrace")]
    if peers:
        print("\nratio (millrace MB/s per core, 1 thread) / (peer MB/s, 1 process), median over rounds [each round]:")
        print(f"{'':28} " + " ".join(f"{p[0]:>24}" for p in peers))
        for m in mine:
            cells = []
            for p in peers:
                per_round = [r[p] / r[m] for r in rounds]
                cells.append(f"{median(per_round):6.1f}x [" + " ".join(f"{x:.0f}" for x in per_round) + "]")
                results_ratio.append({"millrace": m[0], "peer": p[0], "ratio": median(per_round), "rounds": per_round})
            print(f"{m[0]:28} " + " ".join(f"{c:>24}" for c in cells))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"docs": len(texts), "bytes": nbytes, "results": results, "ratios": results_ratio}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
