"""datatrove's filters of the FineWeb-style recipe, one after the other as a datatrove pipeline
runs them (a dropped document goes no further), on the corpus bench_recipe writes (--jsonl):
JSON parsed and written back per document as the recipe does, MB and documents per CPU-second.
    bench_recipe --jsonl /tmp/c.jsonl && python datatrove_recipe.py /tmp/c.jsonl
Needs `pip install "datatrove[processing]" spacy`. Not run here, as datatrove has no equivalent
offline: language ID (its LanguageFilter downloads a fastText model) and Unicode clean-up."""
import json
import sys
import time

try:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter,
                                            GopherQualityFilter, GopherRepetitionFilter)
    from datatrove.pipeline.formatters import PIIFormatter
except ImportError as e:  # a dev/bench dependency only
    print(f"skipped: datatrove not importable ({e})")
    sys.exit(0)

lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
mb = sum(len(l.encode()) + 1 for l in lines) / 1e6
filters = [GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(filter_no_terminal_punct=False),
           FineWebQualityFilter()]
pii = PIIFormatter()
filters[1].filter(Document(text="warm up the tokenizer", id="0"))
kept = 0
out = []
t0 = time.process_time()
for line in lines:
    d = json.loads(line)
    doc = Document(text=d["text"], id=d["id"])
    ok = True
    for f in filters:
        r = f.filter(doc)
        if not (r is True or (isinstance(r, tuple) and r[0])):
            ok = False
            break
    if ok:
        doc.text = pii.format(doc.text)
        d["text"] = doc.text
        out.append(json.dumps(d))
        kept += 1
dt = time.process_time() - t0
print(f"  {'datatrove (same filters)':<26} {mb / dt:9.2f} MB/CPU-s {len(lines) / dt:10.0f} docs/CPU-s  kept {kept}")
print(f"DATATROVE_MB_PER_CPU_S {mb / dt:.4f}")
