"""datatrove's Gopher quality, Gopher repetition, C4 quality and FineWeb quality filters on the
corpus bench_filters writes (--jsonl): MB/s on one core per filter and for the four in a row,
and per-filter keep/drop agreement with millrace's decisions (<jsonl>.decisions.tsv).
    bench_filters --mb 4 --jsonl /tmp/c.jsonl && python datatrove_baseline.py /tmp/c.jsonl
Needs `pip install datatrove spacy` (datatrove's English word tokenizer is spaCy's)."""
import collections
import json
import sys
import time

try:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter,
                                            GopherQualityFilter, GopherRepetitionFilter)
except ImportError as e:  # a dev/bench dependency only
    print(f"skipped: datatrove not importable ({e})")
    sys.exit(0)

path = sys.argv[1]
docs = [json.loads(l) for l in open(path, encoding="utf-8")]
mine = {}
for line in open(path + ".decisions.tsv", encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    mine[f[0]] = f[1:]
mb = sum(len(d["text"].encode()) for d in docs) / 1e6
filters = [("gopher_quality", GopherQualityFilter()), ("gopher_repetition", GopherRepetitionFilter()),
           ("c4_quality", C4QualityFilter()), ("fineweb_quality", FineWebQualityFilter())]
filters[0][1].filter(Document(text="warm up the tokenizer", id="0"))
total = 0.0
for k, (name, flt) in enumerate(filters):
    agree, confusion = 0, collections.Counter()
    t0 = time.process_time()
    for d in docs:
        r = flt.filter(Document(text=d["text"], id=d["id"]))
        reason = "" if r is True or (isinstance(r, tuple) and r[0]) else (r[1] if isinstance(r, tuple) else "dropped")
        ours = mine[d["id"]][k]
        if (reason == "") == (ours == ""):
            agree += 1
        else:
            confusion[(reason or "keep", ours or "keep")] += 1
    dt = time.process_time() - t0
    total += dt
    print(f"{name:<20} datatrove {mb / dt:8.2f} MB/CPU-s   keep/drop agreement {100 * agree / len(docs):6.2f}%"
          f"   top disagreements (datatrove, millrace): {confusion.most_common(3)}")
print(f"{'all four':<20} datatrove {mb / total:8.2f} MB/CPU-s on {len(docs)} documents, {mb:.1f} MB")
