"""Writes a JSONL corpus ({"id", "text", "source"} per line) of documents cut from real prose
found on a Debian machine, for the side-by-side check with datatrove (compare_datatrove.py):

  wordnet   WordNet 3 glosses (/usr/share/wordnet/data.*), 3..40 per document, as definition
            lines ("lemma: gloss") or as one paragraph of glosses
  licenses  /usr/share/common-licenses, 1..8 paragraphs per document
  docs      /usr/share/doc/*/README*, NEWS*, changelog* (gzip or plain), 10..150 lines per document
  info      /usr/share/info/*.info*.gz (GNU manuals), 10..150 lines per document
  po        translated messages of the .mo catalogues in /usr/share/locale (git, PostgreSQL, gas,
            glib, ... in the languages installed: ru, uk, de, fr, es, ja, zh_CN, ...), 5..40
            messages of one catalogue and language per document

Everything is English except `po`; the languages are whatever the machine's .mo files hold.
Missing sources are skipped (the corpus says which it used on stderr). Deterministic for a seed.
    python3 real_corpus.py OUT.jsonl [--mb 4] [--seed 1]
"""
import glob
import gettext
import gzip
import json
import os
import random
import re
import sys


def read_text(path):
    try:
        raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    except OSError:
        return ""
    return raw.decode("utf-8", errors="replace")


def chunks(rng, items, lo, hi, joiner):
    i = 0
    while i < len(items):
        n = rng.randint(lo, hi)
        yield joiner.join(items[i:i + n])
        i += n


def wordnet(rng):
    for pos in ("noun", "verb", "adj", "adv"):
        path = f"/usr/share/wordnet/data.{pos}"
        if not os.path.exists(path):
            continue
        entries = []
        for line in open(path, encoding="utf-8", errors="replace"):
            if line.startswith("  ") or " | " not in line:
                continue  # the licence header
            head, gloss = line.split(" | ", 1)
            f = head.split()
            entries.append((f[4].replace("_", " "), gloss.strip()))
        i = 0
        while i < len(entries):
            n = rng.randint(3, 40)
            part = entries[i:i + n]
            i += n
            if rng.random() < 0.5:
                yield "\n".join(f"{w}: {g}" for w, g in part)
            else:  # a paragraph of sentences
                yield " ".join(g[0].upper() + g[1:] + ("" if g.endswith((".", "?", "!", '"')) else ".") for _, g in part)


def licenses(rng):
    for path in sorted(glob.glob("/usr/share/common-licenses/*")):
        if os.path.isdir(path) or os.path.islink(path):
            continue
        paras = [p.strip("\n") for p in re.split(r"\n\s*\n", read_text(path)) if p.strip()]
        yield from chunks(rng, paras, 1, 8, "\n\n")


def line_chunks(rng, paths):
    for path in paths:
        lines = read_text(path).split("\n")
        for c in chunks(rng, lines, 10, 150, "\n"):
            if c.strip():
                yield c


def docs(rng):
    paths = []
    for pat in ("README*", "NEWS*", "changelog*"):
        paths += glob.glob(f"/usr/share/doc/*/{pat}")
    paths = sorted(p for p in paths if os.path.isfile(p) and not p.endswith((".html", ".pdf")))
    yield from line_chunks(rng, paths)


def info(rng):
    yield from line_chunks(rng, sorted(glob.glob("/usr/share/info/*.info*.gz")))


def po(rng):
    for path in sorted(glob.glob("/usr/share/locale/*/LC_MESSAGES/*.mo")):
        lang = path.split("/")[4]
        if lang.startswith("en"):
            continue
        try:
            with open(path, "rb") as f:
                cat = gettext.GNUTranslations(f)._catalog
        except Exception:
            continue
        msgs = [v for k, v in cat.items() if isinstance(v, str) and k and len(v) >= 40]
        if len(msgs) < 20:
            continue  # the country and language name lists, and tiny catalogues
        for c in chunks(rng, msgs, 5, 40, rng.choice(["\n", "\n\n"])):
            yield lang, c


def main():
    out = sys.argv[1]
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    budget = float(args.get("--mb", 4)) * 1e6
    rng = random.Random(int(args.get("--seed", 1)))
    # Each source gets its share of the budget; a document is kept with the probability that
    # spreads the share over the whole source (so every package and language has a chance).
    shares = {"wordnet": 0.2, "licenses": 0.1, "docs": 0.3, "info": 0.15, "po": 0.25}
    gens = {"wordnet": wordnet, "licenses": licenses, "docs": docs, "info": info, "po": po}
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for name, gen in gens.items():
            all_docs = list(gen(random.Random(rng.random())))
            if not all_docs:
                print(f"real_corpus: {name}: no source on this machine", file=sys.stderr)
                continue
            size = sum(len((d[1] if isinstance(d, tuple) else d).encode()) for d in all_docs)
            keep = min(1.0, shares[name] * budget / max(size, 1))
            written, langs = 0, set()
            for d in all_docs:
                if rng.random() >= keep:
                    continue
                source, text = (f"po.{d[0]}", d[1]) if isinstance(d, tuple) else (name, d)
                langs.add(source)
                f.write(json.dumps({"id": f"{name}-{n}", "text": text, "source": source}, ensure_ascii=False) + "\n")
                n += 1
                written += len(text.encode())
            extra = f", {len(langs)} languages" if name == "po" else ""
            print(f"real_corpus: {name}: {written / 1e6:.2f} MB of {size / 1e6:.1f} MB{extra}", file=sys.stderr)
    print(f"real_corpus: {n} documents in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
