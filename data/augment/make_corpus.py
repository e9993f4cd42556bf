#!/usr/bin/env python3
"""Builds data/augment/corpus.jsonl: short English texts for augmentation tests and benchmarks.

Source: the glosses and example sentences of Debian's wordnet-base (WordNet 3.0, Princeton license,
redistribution permitted with the copyright notice). One record per selected synset:
"<definition>. <example 1>. <example 2>." Deterministic: every k-th synset with examples.
Usage: python3 data/augment/make_corpus.py [/usr/share/wordnet] > data/augment/corpus.jsonl
"""
import json
import sys

WN = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
TARGET = 3000

records = []
for pos in ("noun", "verb", "adj", "adv"):
    with open(f"{WN}/data.{pos}", encoding="latin-1") as f:
        rows = [line for line in f if not line.startswith("  ")]
    picked = [r for r in rows if '"' in r.split(" | ", 1)[-1]]
    step = max(1, len(picked) // (TARGET // 4))
    for line in picked[::step][: TARGET // 4]:
        offset, _, ss_type = line.split(" ", 3)[:3]
        gloss = line.split(" | ", 1)[1].strip()
        parts = [p.strip() for p in gloss.split(";")]
        definition = [p for p in parts if not p.startswith('"')]
        examples = [p.strip('"') for p in parts if p.startswith('"')]
        sentences = ["; ".join(definition)] + examples
        text = " ".join(s[0].upper() + s[1:] + ("" if s.endswith((".", "!", "?")) else ".") for s in sentences if s)
        records.append({"id": f"wn-{pos}-{offset}", "text": text})

for r in records:
    print(json.dumps(r, ensure_ascii=False))
