#!/usr/bin/env python3
"""Python `re` baseline for bench_pii: the same seven patterns, one re.sub per kind and document,
on the corpus `bench_pii --dump DIR` wrote. Prints MB per CPU-second (time.process_time).
    python3 bench/filters_pii/python_re.py DIR [--reps 3]
"""
import json
import sys
import time


def main():
    d = sys.argv[1]
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 3
    import re
    texts = [json.loads(line)["text"] for line in open(f"{d}/corpus.jsonl", encoding="utf-8", errors="surrogateescape")]
    pats = [(re.compile(p), tok) for p, tok in json.load(open(f"{d}/patterns.json"))]
    nbytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
    best, found = 0.0, 0
    for _ in range(reps):
        t0 = time.process_time()
        out = []
        for t in texts:
            for p, tok in pats:
                t = p.sub(tok, t)
            out.append(t)
        best = max(best, nbytes / 1e6 / (time.process_time() - t0))
        found = sum(sum(s.count(tok) for tok in ("<EMAIL>", "<IP_ADDRESS>", "<PHONE>", "<CREDIT_CARD>", "<IBAN>", "<SSN>")) for s in out)
    print(f"| Python {sys.version.split()[0]} re, {len(pats)} re.sub per document (MB/CPU-s) | {best:.2f} | replacements {found} |")


if __name__ == "__main__":
    main()
