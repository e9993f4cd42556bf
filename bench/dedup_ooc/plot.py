#!/usr/bin/env python3
"""Plot peak RSS and throughput against input size from bench/dedup_ooc/results.csv (matplotlib).

    build/venv/bin/python bench/dedup_ooc/plot.py --csv bench/dedup_ooc/results.csv --png bench/dedup_ooc/rss_vs_size.png

Out-of-core sweep runs (labels ooc-...) as one line per budget; the in-memory runs of the
comparison as separate markers, for reference; each budget as a dashed line. Peak RSS is the
column peak_rss_bytes (the largest of time -v's, the report's and the per-stage peaks; see
summarize.py). --csv is repeatable (several invocations in one figure).
"""
import argparse
import csv

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True, action="append")
    ap.add_argument("--png", required=True)
    a = ap.parse_args()
    rows = []
    for path in a.csv:
        with open(path, encoding="utf-8") as f:
            rows += [r for r in csv.DictReader(f) if r["exit_status"] == "0"]

    def pts(pred, key, scale):
        sel = sorted((r for r in rows if pred(r) and r[key] != ""), key=lambda r: int(r["input_bytes"]))
        return [int(r["input_bytes"]) / 1e9 for r in sel], [float(r[key]) / scale for r in sel]

    sweep = lambda r: r["label"].startswith("ooc-")  # noqa: E731
    budgets = list(dict.fromkeys(r["memory_flag"] for r in rows if sweep(r)))
    inmem = lambda r: r["mode"] == "in-memory"  # noqa: E731
    cmp_oc = lambda r: r["label"].startswith("cmp-out-of-core-")  # noqa: E731

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 7), sharex=True)
    colors = ["tab:blue", "tab:green", "tab:purple", "tab:orange"]
    for i, bud in enumerate(budgets):
        c = colors[i % len(colors)]
        x, y = pts(lambda r: sweep(r) and r["memory_flag"] == bud, "peak_rss_bytes", 1e6)
        ax1.plot(x, y, "o-", color=c, label=f"out-of-core --memory {bud}, peak RSS")
        b = next(float(r["memory_budget"]) for r in rows if sweep(r) and r["memory_flag"] == bud)
        ax1.axhline(b / 1e6, ls="--", color=c, lw=1, alpha=0.6)
        ax1.annotate(f"budget {bud} = {b / 1e6:.0f} MB", (0.3 + 0.25 * i, b / 1e6), textcoords="offset points",
                     xytext=(4, -11),  # below the line and away from the points, which sit above it
                     xycoords=("axes fraction", "data"), color=c, fontsize=8)
    x, y = pts(inmem, "peak_rss_bytes", 1e6)
    if x:
        ax1.plot(x, y, "s", color="tab:red", label="in-memory, peak RSS")
    ax1.set_ylabel("peak RSS (MB)")
    ax1.set_ylim(bottom=0)
    ax1.legend(fontsize=8)
    ax1.grid(alpha=0.3)

    for i, bud in enumerate(budgets):
        c = colors[i % len(colors)]
        x, y = pts(lambda r: sweep(r) and r["memory_flag"] == bud, "mb_per_s", 1)
        ax2.plot(x, y, "o-", color=c, label=f"out-of-core --memory {bud}, MB/s (wall)")
        x, y = pts(lambda r: sweep(r) and r["memory_flag"] == bud, "mb_per_cpu_s", 1)
        ax2.plot(x, y, "x:", color=c, label=f"out-of-core --memory {bud}, MB per CPU-second")
    x, y = pts(inmem, "mb_per_s", 1)
    if x:
        ax2.plot(x, y, "s", color="tab:red", label="in-memory, MB/s (wall)")
    x, y = pts(cmp_oc, "mb_per_s", 1)
    if x:
        ax2.plot(x, y, "^", color="tab:blue", alpha=0.5, label="out-of-core, comparison runs")
    ax2.set_xlabel("input size (GB, 1e9 bytes)")
    ax2.set_ylabel("throughput (MB/s)")
    ax2.set_ylim(bottom=0)
    ax2.legend(fontsize=8)
    ax2.grid(alpha=0.3)
    threads = next((r["threads"] for r in rows if r["threads"]), "?")
    fig.suptitle(f"millrace-dedup --mode near, threshold 0.8, {threads} threads")
    fig.tight_layout()
    fig.savefig(a.png, dpi=110)
    print(f"wrote {a.png}")


if __name__ == "__main__":
    main()
