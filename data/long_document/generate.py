#!/usr/bin/env python3
"""Generates handbook.md, a long synthetic Markdown document (~0.7 MB) for examples/long_document,
and planted.tsv, the section pairs it planted as near-duplicates (a copy with a few words edited).

  python3 data/long_document/generate.py [--seed 2026] [--out data/long_document]

Words come from WordNet's noun/verb/adjective index (Debian wordnet-base) when present, else from
made-up syllable words; word frequencies follow a Zipf law so the text has a realistic head/tail.
"""
import argparse
import os
import random

def vocabulary(rng):
    words = []
    for pos in ("noun", "verb", "adj"):
        path = f"/usr/share/wordnet/index.{pos}"
        if not os.path.exists(path):
            continue
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                w = line.split(" ", 1)[0]
                if w.isalpha() and 3 <= len(w) <= 11:
                    words.append(w)
    if not words:
        syl = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
        words = sorted({"".join(rng.choice(syl) for _ in range(rng.randint(1, 3))) for _ in range(20000)})
    words = sorted(set(words))
    rng.shuffle(words)
    return words[:12000]

class Writer:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        n = len(self.words)
        # Zipf(0.85) cumulative weights
        w = [1.0 / (i + 1) ** 0.85 for i in range(n)]
        self.cum = []
        s = 0.0
        for x in w:
            s += x
            self.cum.append(s)

    def word(self):
        import bisect
        r = self.rng.random() * self.cum[-1]
        return self.words[bisect.bisect_left(self.cum, r)]

    def sentence(self):
        ws = [self.word() for _ in range(self.rng.randint(8, 22))]
        ws[0] = ws[0].capitalize()
        if self.rng.random() < 0.3:
            ws.insert(self.rng.randint(1, len(ws) - 1), ",")
        return " ".join(ws).replace(" ,", ",") + "."

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(self.rng.randint(3, 7)))

    def title(self):
        return " ".join(self.word().capitalize() for _ in range(self.rng.randint(2, 4)))

    def code(self):
        lines = [f"{self.word()} = {self.word()}({self.word()}, {self.rng.randint(0, 99)})" for _ in range(self.rng.randint(2, 6))]
        lines.insert(1, "# a comment, not a heading")
        return "```python\n" + "\n".join(lines) + "\n```"

def edit(text, rng, rate):
    """Replaces about `rate` of the words of a block with other words of the same block."""
    tokens = text.split(" ")
    for i in range(len(tokens)):
        if rng.random() < rate and not tokens[i].startswith(("`", "#")):
            tokens[i] = rng.choice(tokens)
    return " ".join(tokens)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--chapters", type=int, default=24)
    args = ap.parse_args()
    w = Writer(args.seed)
    rng = w.rng

    # sections[(chapter, section)] = list of blocks; planted copies refer to an earlier section
    out = ["# The Millrace Handbook", "", "A generated document for the long-document example. "
           "It has chapters, sections and subsections; a few sections are near-copies of others.", ""]
    leaves = []      # (title, blocks) of ### sections without subsections, candidates to copy
    planted = []     # (original title, copy title)
    copy_plan = {}   # chapter -> number of planted copies to place in it
    for c in range(args.chapters):
        chapter_title = f"{c + 1}. {w.title()}"
        out += [f"## {chapter_title}", "", w.paragraph(), ""]
        for s in range(rng.randint(4, 7)):
            sec_title = f"{c + 1}.{s + 1} {w.title()}"
            copy_from = None
            if c >= 3 and leaves and rng.random() < 0.12:
                copy_from = leaves[rng.randrange(len(leaves))]
            if copy_from is not None:
                src_title, src_blocks = copy_from
                rate = rng.choice([0.0, 0.004, 0.008, 0.012])
                blocks = [b if b.startswith("```") else edit(b, rng, rate) for b in src_blocks]
                planted.append((src_title, sec_title))
                out += [f"### {sec_title}", ""]
                for b in blocks:
                    out += [b, ""]
                continue
            out += [f"### {sec_title}", ""]
            blocks = []
            for _ in range(rng.randint(2, 5)):
                b = w.code() if rng.random() < 0.1 else w.paragraph()
                blocks.append(b)
                out += [b, ""]
            if rng.random() < 0.35:
                for u in range(rng.randint(2, 4)):
                    out += [f"#### {c + 1}.{s + 1}.{u + 1} {w.title()}", ""]
                    for _ in range(rng.randint(1, 4)):
                        out += [w.paragraph(), ""]
            else:
                leaves.append((sec_title, blocks))
    with open(os.path.join(args.out, "handbook.md"), "w") as f:
        f.write("\n".join(out))
    with open(os.path.join(args.out, "planted.tsv"), "w") as f:
        f.write("# original section<TAB>near-copy section (planted by generate.py)\n")
        for a, b in planted:
            f.write(f"{a}\t{b}\n")
    print(f"handbook.md: {sum(len(x) + 1 for x in out)} bytes, {len(planted)} planted near-copies")

if __name__ == "__main__":
    main()
