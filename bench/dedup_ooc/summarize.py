#!/usr/bin/env python3
"""Table and CSV of an out-of-core near-dedup benchmark run (bench/dedup_ooc/run.sh); stdlib only.

    python3 bench/dedup_ooc/summarize.py --runs WORK/runs.tsv --csv bench/dedup_ooc/results.csv

Reads, for every run listed in runs.tsv, the job's JSON report (--report) and /usr/bin/time -v's
output. Throughput is input bytes / elapsed wall time of the whole process (1 MB = 1e6 bytes);
MB per CPU-second divides by user + system time instead, which does not depend on how much of a
shared machine the run got. Peak RSS: time -v's "Maximum resident set size" (the kernel's
ru_maxrss of the process) and the report's peak_rss_bytes (the job's own getrusage).
RSS per document above the budget = (peak RSS - memory_budget) / documents.
"""
import argparse
import csv
import json
import statistics
import sys


def parse_time_v(path):
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("Maximum resident set size (kbytes):"):
                out["max_rss_bytes"] = int(line.rsplit(":", 1)[1]) * 1024
            elif line.startswith("User time (seconds):"):
                out["user_s"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("System time (seconds):"):
                out["sys_s"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("Elapsed (wall clock) time"):
                v = line.split("):", 1)[1].strip()  # h:mm:ss or m:ss.ss
                parts = [float(x) for x in v.split(":")]
                s = 0.0
                for p in parts:
                    s = s * 60 + p
                out["elapsed_s"] = s
            elif line.startswith("Exit status:"):
                out["exit_status"] = int(line.rsplit(":", 1)[1])
            elif line.startswith("Command terminated by signal"):
                out["signal"] = int(line.rsplit(" ", 1)[1])
    return out


def load_report(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def mb(x):
    return x / 1e6


def fmt_num(x, digits=1):
    if x is None or x == "":
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--identical", default="?")
    ap.add_argument("--machine", default="")
    ap.add_argument("--unit-mb", type=float, default=1000)
    a = ap.parse_args()

    with open(a.runs, encoding="utf-8") as f:
        runs = list(csv.DictReader(f, delimiter="\t"))

    rows = []
    stage_names = []
    for r in runs:
        t = parse_time_v(r["time"])
        rep = load_report(r["report"]) or {}
        input_bytes = int(r["input_bytes"])
        docs = rep.get("documents")
        wall = t.get("elapsed_s")
        cpu = (t.get("user_s", 0.0) + t.get("sys_s", 0.0)) if "user_s" in t else None
        budget = rep.get("memory_budget")
        rss = t.get("max_rss_bytes")
        row = {
            "label": r["label"],
            "mode": r["mode"],
            "shards": int(r["shards"]),
            "input_bytes": input_bytes,
            "documents": docs,
            "kept": rep.get("kept"),
            "duplicates": rep.get("duplicates"),
            "threads": rep.get("threads"),
            "memory_flag": r["memory_flag"],
            "memory_budget": budget if r["mode"] != "in-memory" else "",
            "wall_s": wall,
            "cpu_s": cpu,
            "mb_per_s": mb(input_bytes) / wall if wall else None,
            "mb_per_cpu_s": mb(input_bytes) / cpu if cpu else None,
            "report_wall_s": rep.get("wall_s"),
            "peak_rss_bytes_time": rss,
            "peak_rss_bytes_report": rep.get("peak_rss_bytes"),
            "rss_above_budget_per_doc": ((rss - budget) / docs)
            if (r["mode"] != "in-memory" and rss and budget is not None and docs) else "",
            "rss_per_doc": (rss / docs) if (rss and docs) else None,
            "bytes_spilled_total": sum(s.get("bytes_spilled", 0) for s in rep.get("stages", [])) if "stages" in rep else "",
            "output_bytes": int(r["output_bytes"]),
            "tmp_left_bytes": int(r["tmp_left_bytes"]),
            "loadavg_before": float(r["loadavg_before"]),
            "exit_status": int(r["rc"]),
        }
        for s in rep.get("stages", []):
            n = s["name"]
            if n not in stage_names:
                stage_names.append(n)
            for k in ("seconds", "records", "bytes_spilled", "peak_rss_bytes", "resumed"):
                row[f"{n}.{k}"] = s.get(k)
        rows.append(row)

    fields = list(rows[0].keys()) if rows else []
    for n in stage_names:
        for k in ("seconds", "records", "bytes_spilled", "peak_rss_bytes", "resumed"):
            if f"{n}.{k}" not in fields:
                fields.append(f"{n}.{k}")
    with open(a.csv, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for row in rows:
            w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in fields})

    print(f"machine: {a.machine}")
    hdr = ("run", "mode", "MB in", "docs", "wall s", "MB/s", "MB/CPU-s", "RSS MB (time)",
           "RSS MB (report)", "B/doc > budget", "spilled MB", "exit")
    table = []
    for r in rows:
        table.append((r["label"], r["mode"], fmt_num(mb(r["input_bytes"])), fmt_num(r["documents"]),
                      fmt_num(r["wall_s"]), fmt_num(r["mb_per_s"]), fmt_num(r["mb_per_cpu_s"]),
                      fmt_num(mb(r["peak_rss_bytes_time"]) if r["peak_rss_bytes_time"] else None),
                      fmt_num(mb(r["peak_rss_bytes_report"]) if r["peak_rss_bytes_report"] else None),
                      fmt_num(r["rss_above_budget_per_doc"]),
                      fmt_num(mb(r["bytes_spilled_total"]) if r["bytes_spilled_total"] != "" else None),
                      str(r["exit_status"])))
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(hdr)]
    print("  ".join(h.rjust(w) for h, w in zip(hdr, widths)))
    for t in table:
        print("  ".join(c.rjust(w) for c, w in zip(t, widths)))

    # Stages of each out-of-core run.
    if stage_names:
        print()
        print("per stage (out-of-core runs): seconds / MB spilled / peak RSS MB at the end of the stage")
        hdr2 = ["run"] + stage_names
        t2 = []
        for r in rows:
            if r["mode"] == "in-memory":
                continue
            cells = [r["label"]]
            for n in stage_names:
                sec, sp, pr = r.get(f"{n}.seconds"), r.get(f"{n}.bytes_spilled"), r.get(f"{n}.peak_rss_bytes")
                res = " (resumed)" if r.get(f"{n}.resumed") else ""
                cells.append("-" if sec is None else f"{sec:.1f} s / {mb(sp or 0):.1f} / {mb(pr or 0):.0f}{res}")
            t2.append(cells)
        w2 = [max(len(h), *(len(c[i]) for c in t2)) for i, h in enumerate(hdr2)] if t2 else []
        print("  ".join(h.rjust(w) for h, w in zip(hdr2, w2)))
        for c in t2:
            print("  ".join(x.rjust(w) for x, w in zip(c, w2)))

    # Throughput ratio on the corpus that fits: best of each mode, and the median of the pairs.
    cmp_in = {r["label"].rsplit("-", 1)[1]: r for r in rows if r["label"].startswith("cmp-in-memory-")}
    cmp_oc = {r["label"].rsplit("-", 1)[1]: r for r in rows if r["label"].startswith("cmp-out-of-core-")}
    pairs = [(cmp_oc[k], cmp_in[k]) for k in sorted(cmp_in) if k in cmp_oc
             and cmp_oc[k]["mb_per_s"] and cmp_in[k]["mb_per_s"]]
    print()
    if pairs:
        best_oc = max(p[0]["mb_per_s"] for p in pairs)
        best_in = max(p[1]["mb_per_s"] for p in pairs)
        ratios = [p[0]["mb_per_s"] / p[1]["mb_per_s"] for p in pairs]
        cpu_ratios = [p[0]["mb_per_cpu_s"] / p[1]["mb_per_cpu_s"] for p in pairs
                      if p[0]["mb_per_cpu_s"] and p[1]["mb_per_cpu_s"]]
        status = "met" if best_oc / best_in >= 0.8 else "NOT met"
        print(f"throughput out-of-core / in-memory on {mb(pairs[0][1]['input_bytes']):.0f} MB: "
              f"best {best_oc:.1f} / {best_in:.1f} MB/s = {best_oc / best_in:.2f}x "
              f"(pairs: {', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}x); "
              f"per CPU-second: {', '.join(f'{x:.2f}' for x in cpu_ratios)} -- goal >= 0.8x: {status}")
        rin = max(p[1]["peak_rss_bytes_time"] or 0 for p in pairs)
        roc = max(p[0]["peak_rss_bytes_time"] or 0 for p in pairs)
        print(f"peak RSS on that corpus: in-memory {mb(rin):.0f} MB, out-of-core {mb(roc):.0f} MB")
    print(f"outputs of the two modes byte-identical: {a.identical}")
    sweep = [r for r in rows if r["label"].startswith("ooc-") and r["exit_status"] == 0]
    if sweep:
        worst = max((r for r in sweep if r["rss_above_budget_per_doc"] != ""),
                    key=lambda r: r["rss_above_budget_per_doc"], default=None)
        big = max(sweep, key=lambda r: r["input_bytes"])
        if worst:
            print(f"RSS per document above the budget, worst of the sweep: {worst['rss_above_budget_per_doc']:.1f} B "
                  f"({worst['label']}) -- goal <= 64: {'met' if worst['rss_above_budget_per_doc'] <= 64 else 'NOT met'}")
        goal = (f" -- goal <= 1500 MB with --memory 1G: {'met' if big['peak_rss_bytes_time'] <= 1.5e9 else 'NOT met'}"
                if big["memory_flag"] == "1G" else "")
        print(f"peak RSS on the largest corpus ({mb(big['input_bytes']):.0f} MB, --memory {big['memory_flag']}): "
              f"{mb(big['peak_rss_bytes_time']):.0f} MB{goal}")
    bad = [r["label"] for r in rows if r["exit_status"] != 0]
    if bad:
        print(f"FAILED runs: {', '.join(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
