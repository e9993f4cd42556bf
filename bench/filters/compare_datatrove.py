"""Per-filter keep/drop agreement of millrace's quality filters with datatrove's, on corpora
written as JSONL ({"id", "text"[, "source"]} per line) next to millrace's decisions
(<corpus>.decisions.tsv: id, then one reason per filter, "" for keep; filter_decisions writes
it). For each filter: the agreement, and the disagreement classes as
(datatrove's reason, millrace's reason) with their counts and, with --examples N, document ids.
    compare_datatrove.py CORPUS.jsonl [CORPUS.jsonl ...] [--min NAME=PCT,...] [--examples 2]
(NAME a decisions column, e.g. --min gopher_quality@datatrove_english=99.5)
Exit status: 0; 1 when a filter in --min's list agrees less than the given percentage on some
corpus; 77 when datatrove cannot be imported (a benchmark/dev dependency only:
`pip install datatrove spacy`).
The decisions file has a header line "id<TAB>name..." naming its columns; the filters compared
are datatrove's with their defaults (English word tokenizer: spaCy's blank "en")."""
import collections
import json
import sys

try:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter,
                                            GopherQualityFilter, GopherRepetitionFilter)
except ImportError as e:  # a dev/bench dependency only
    print(f"skipped: datatrove is not importable ({e}); pip install datatrove spacy")
    sys.exit(77)

DATATROVE = {"gopher_quality": GopherQualityFilter, "gopher_repetition": GopherRepetitionFilter,
             "c4_quality": C4QualityFilter, "fineweb_quality": FineWebQualityFilter}


def reason_of(r):
    if r is True or (isinstance(r, tuple) and r[0]):
        return ""
    return r[1] if isinstance(r, tuple) else "dropped"


def compare(path, examples):
    docs = [json.loads(l) for l in open(path, encoding="utf-8")]
    rows = [l.rstrip("\n").split("\t") for l in open(path + ".decisions.tsv", encoding="utf-8")]
    header, rows = rows[0], rows[1:]
    # Row k decides document k (ids need not be unique: the generated corpus repeats some).
    if len(rows) != len(docs) or any(r[0] != d["id"] for r, d in zip(rows, docs)):
        sys.exit(f"{path}.decisions.tsv: not one row per document of {path}, in order (rerun filter_decisions)")
    mb = sum(len(d["text"].encode()) for d in docs) / 1e6
    print(f"{path}: {len(docs)} documents, {mb:.1f} MB")
    result = {}
    # Columns "name" or "name@variant" (a millrace option): each against datatrove's filter "name".
    cache = {}
    for col, column in enumerate(header[1:]):  # row[1 + col]
        name = column.split("@")[0]
        if name not in DATATROVE:
            continue
        if name not in cache:
            flt = DATATROVE[name]()
            cache[name] = [reason_of(flt.filter(Document(text=d["text"], id=d["id"]))) for d in docs]
        theirs = cache[name]
        agree, classes = 0, collections.defaultdict(list)
        by_source = collections.defaultdict(lambda: [0, 0])
        for d, r, row in zip(docs, theirs, rows):
            ours = row[1 + col]
            same = (r == "") == (ours == "")
            agree += same
            src = by_source[d.get("source", "").split(".")[0] or "all"]
            src[0] += same
            src[1] += 1
            if not same:
                classes[(r or "keep", ours or "keep")].append(d["id"])
        pct = 100.0 * agree / len(docs)
        result[column] = pct
        print(f"  {column:<34} agreement {pct:7.2f}%  ({len(docs) - agree} of {len(docs)} differ)")
        if len(by_source) > 1:
            print("    by source: " + ", ".join(f"{s} {100.0 * a / n:.2f}% of {n}" for s, (a, n) in sorted(by_source.items())))
        for (r, ours), ids in sorted(classes.items(), key=lambda kv: -len(kv[1])):
            ex = f"  e.g. {', '.join(ids[:examples])}" if examples else ""
            print(f"    datatrove {r:<30} millrace {ours:<30} {len(ids):5}{ex}")
    return result


def main():
    args, paths, minimum, examples = sys.argv[1:], [], {}, 0
    i = 0
    while i < len(args):
        if args[i] == "--min":
            minimum = {c.split("=")[0]: float(c.split("=")[1]) for c in args[i + 1].split(",")}
            i += 2
        elif args[i] == "--examples":
            examples = int(args[i + 1])
            i += 2
        else:
            paths.append(args[i])
            i += 1
    failed = []
    for p in paths:
        for column, pct in compare(p, examples).items():
            if column in minimum and pct < minimum[column]:
                failed.append(f"{p}: {column} {pct:.2f}% < {minimum[column]}%")
    for f in failed:
        print("below the goal:", f)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
