#!/usr/bin/env python3
"""Table and CSV of an out-of-core near-dedup benchmark run (bench/dedup_ooc/run.sh); stdlib only.

    python3 bench/dedup_ooc/summarize.py --runs WORK/runs.tsv --csv bench/dedup_ooc/results.csv

Reads, for every run listed in runs.tsv, the job's JSON report (--report) and /usr/bin/time -v's
output. Throughput is input bytes / elapsed wall time of the whole process (1 MB = 1e6 bytes);
MB per CPU-second divides by user + system time instead, which does not depend on how much of a
shared machine the run got. Peak RSS: the largest of time -v's "Maximum resident set size", the report's peak_rss_bytes and
the report's per-stage peak_rss_bytes. The out-of-core job resets the kernel's high-water mark
(VmHWM, via /proc/self/clear_refs) before each stage, which also resets what getrusage and wait4
report as ru_maxrss: both then give the peak of the last stage only, and the per-stage peaks are
the only record of the process's peak. RSS per document above the budget =
(peak RSS - memory_budget) / documents.

    python3 bench/dedup_ooc/summarize.py --from-csv bench/dedup_ooc/results.csv   # table again
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
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--runs", help="runs.tsv written by run.sh")
    src.add_argument("--from-csv", action="append", help="an earlier results.csv: recompute the table from it "
                     "(repeatable: the rows of several invocations, e.g. two budgets, in one table and CSV)")
    ap.add_argument("--csv", help="write results.csv here")
    ap.add_argument("--identical", default="")
    ap.add_argument("--machine", default="")
    ap.add_argument("--unit-mb", type=float, default=1000)
    a = ap.parse_args()

    if a.from_csv:
        rows, stage_names = [], []
        for path in a.from_csv:
            r, n = rows_from_csv(path)
            rows += r
            stage_names += [x for x in n if x not in stage_names]
    else:
        rows, stage_names = rows_from_runs(a.runs)
    for row in rows:
        derive(row, stage_names)
    if a.csv:
        write_csv(a.csv, rows, stage_names)
    print_tables(rows, stage_names, a)
    return 1 if any(r["exit_status"] != 0 for r in rows) else 0


STAGE_KEYS = ("seconds", "records", "bytes_spilled", "peak_rss_bytes", "resumed")
INT_FIELDS = ("shards", "input_bytes", "documents", "kept", "duplicates", "threads", "memory_budget",
              "peak_rss_bytes_time", "peak_rss_bytes_report", "output_bytes", "tmp_left_bytes", "exit_status")
FLOAT_FIELDS = ("wall_s", "cpu_s", "report_wall_s", "loadavg_before")


def rows_from_csv(path):
    with open(path, encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    rows, stage_names = [], []
    for r in raw:
        row = {}
        for k, v in r.items():
            if "." in k:
                n, key = k.rsplit(".", 1)
                if n not in stage_names:
                    stage_names.append(n)
                if v == "":
                    continue
                row[k] = (v == "True") if key == "resumed" else (float(v) if key == "seconds" else int(v))
            elif k in INT_FIELDS:
                row[k] = int(v) if v != "" else None
            elif k in FLOAT_FIELDS:
                row[k] = float(v) if v != "" else None
            else:
                row[k] = v
        rows.append(row)
    return rows, stage_names


def rows_from_runs(path):
    with open(path, encoding="utf-8") as f:
        runs = list(csv.DictReader(f, delimiter="\t"))

    rows = []
    stage_names = []
    for r in runs:
        t = parse_time_v(r["time"])
        rep = load_report(r["report"]) or {}
        row = {
            "label": r["label"],
            "mode": r["mode"],
            "shards": int(r["shards"]),
            "input_bytes": int(r["input_bytes"]),
            "documents": rep.get("documents"),
            "kept": rep.get("kept"),
            "duplicates": rep.get("duplicates"),
            "threads": rep.get("threads"),
            "memory_flag": r["memory_flag"],
            "memory_budget": rep.get("memory_budget") if r["mode"] != "in-memory" else None,
            "wall_s": t.get("elapsed_s"),
            "cpu_s": (t.get("user_s", 0.0) + t.get("sys_s", 0.0)) if "user_s" in t else None,
            "report_wall_s": rep.get("wall_s"),
            "peak_rss_bytes_time": t.get("max_rss_bytes"),
            "peak_rss_bytes_report": rep.get("peak_rss_bytes"),
            "output_bytes": int(r["output_bytes"]),
            "tmp_left_bytes": int(r["tmp_left_bytes"]),
            "loadavg_before": float(r["loadavg_before"]),
            "exit_status": int(r["rc"]),
        }
        for st in rep.get("stages", []):
            n = st["name"]
            if n not in stage_names:
                stage_names.append(n)
            for k in STAGE_KEYS:
                row[f"{n}.{k}"] = st.get(k)
        rows.append(row)
    return rows, stage_names


def derive(row, stage_names):
    """Figures computed from the measured ones (so that --from-csv recomputes them too)."""
    b, docs, wall, cpu, budget = (row.get(k) for k in ("input_bytes", "documents", "wall_s", "cpu_s", "memory_budget"))
    row["mb_per_s"] = mb(b) / wall if wall else None
    row["mb_per_cpu_s"] = mb(b) / cpu if cpu else None
    stage_peaks = [row[f"{n}.peak_rss_bytes"] for n in stage_names if row.get(f"{n}.peak_rss_bytes") is not None]
    row["peak_rss_bytes_stages"] = max(stage_peaks) if stage_peaks else None
    peaks = [x for x in (row.get("peak_rss_bytes_time"), row.get("peak_rss_bytes_report"), row["peak_rss_bytes_stages"])
             if x is not None]
    rss = max(peaks) if peaks else None
    row["peak_rss_bytes"] = rss
    row["rss_per_doc"] = rss / docs if (rss and docs) else None
    row["rss_above_budget_per_doc"] = (rss - budget) / docs if (rss and budget is not None and docs) else None
    spilled = [row[f"{n}.bytes_spilled"] for n in stage_names if row.get(f"{n}.bytes_spilled") is not None]
    row["bytes_spilled_total"] = sum(spilled) if spilled else None
    row["bytes_spilled_per_doc"] = sum(spilled) / docs if (spilled and docs) else None


FIELDS = ("label", "mode", "shards", "input_bytes", "documents", "kept", "duplicates", "threads", "memory_flag",
          "memory_budget", "wall_s", "cpu_s", "mb_per_s", "mb_per_cpu_s", "report_wall_s", "peak_rss_bytes",
          "peak_rss_bytes_time", "peak_rss_bytes_report", "peak_rss_bytes_stages", "rss_per_doc",
          "rss_above_budget_per_doc", "bytes_spilled_total", "bytes_spilled_per_doc", "output_bytes",
          "tmp_left_bytes", "loadavg_before", "exit_status")


def write_csv(path, rows, stage_names):
    fields = list(FIELDS) + [f"{n}.{k}" for n in stage_names for k in STAGE_KEYS]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for row in rows:
            w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in fields})


def print_tables(rows, stage_names, a):
    if a.machine:
        print(f"machine: {a.machine}")
    hdr = ("run", "mode", "budget", "MB in", "docs", "wall s", "MB/s", "MB/CPU-s", "load", "peak RSS MB",
           "time -v MB", "report MB", "B/doc > budget", "spilled MB", "spilled B/doc", "exit")

    def m(x):
        return fmt_num(mb(x)) if x is not None else "-"
    table = []
    for r in rows:
        table.append((r["label"], r["mode"], r["memory_flag"], m(r["input_bytes"]), fmt_num(r["documents"]),
                      fmt_num(r["wall_s"]), fmt_num(r["mb_per_s"]), fmt_num(r["mb_per_cpu_s"]),
                      fmt_num(r["loadavg_before"]), m(r["peak_rss_bytes"]), m(r["peak_rss_bytes_time"]),
                      m(r["peak_rss_bytes_report"]), fmt_num(r["rss_above_budget_per_doc"]),
                      m(r["bytes_spilled_total"]), fmt_num(r["bytes_spilled_per_doc"]), str(r["exit_status"])))
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
        rin = max(p[1]["peak_rss_bytes"] or 0 for p in pairs)
        roc = max(p[0]["peak_rss_bytes"] or 0 for p in pairs)
        print(f"peak RSS on that corpus: in-memory {mb(rin):.0f} MB, out-of-core {mb(roc):.0f} MB")
    if a.identical:
        print(f"outputs of the two modes byte-identical: {a.identical}")
    all_sweeps = [r for r in rows if r["label"].startswith("ooc-") and r["exit_status"] == 0 and r["peak_rss_bytes"]]
    for budget in dict.fromkeys(r["memory_flag"] for r in all_sweeps):
        sweep = sorted((r for r in all_sweeps if r["memory_flag"] == budget), key=lambda r: r["input_bytes"])
        print(f"sweep with --memory {budget}:")
        big = sweep[-1]
        v = big["rss_above_budget_per_doc"]
        if v is not None:
            print(f"RSS per document above the budget on the largest corpus: {v:.1f} B "
                  f"-- goal <= 64: {'met' if v <= 64 else 'NOT met'}")
        goal = (f" -- goal <= 1500 MB with --memory 1G: {'met' if big['peak_rss_bytes'] <= 1.5e9 else 'NOT met'}"
                if big["memory_flag"] == "1G" else "")
        print(f"peak RSS on the largest corpus ({mb(big['input_bytes']):.0f} MB, --memory {big['memory_flag']}): "
              f"{mb(big['peak_rss_bytes']):.0f} MB{goal}")
        for lo, hi in zip(sweep, sweep[1:]):
            d = (hi["peak_rss_bytes"] - lo["peak_rss_bytes"]) / (hi["documents"] - lo["documents"])
            print(f"  RSS growth {lo['label']} -> {hi['label']}: {d:.1f} B per added document")
        if any(r["peak_rss_bytes_stages"] and r["peak_rss_bytes_time"]
               and r["peak_rss_bytes_stages"] > 1.05 * r["peak_rss_bytes_time"] for r in sweep):
            print("  note: time -v's maximum RSS is below the per-stage peaks: the job resets the high-water mark "
                  "per stage, so time -v and the report's top-level peak_rss_bytes show the last stage only")
    bad = [r["label"] for r in rows if r["exit_status"] != 0]
    if bad:
        print(f"FAILED runs: {', '.join(bad)}")


if __name__ == "__main__":
    sys.exit(main())
