#!/usr/bin/env python3
"""Compile CPU seconds and peak memory per target, from a timeit.sh log.

Each log line is "<cpu-seconds> <peak-KB> <object>", the object as the compiler was given it
(CMakeFiles/<target>.dir/<source>.o). Prints one row per target: objects, CPU seconds summed,
the largest object's seconds and peak MB, sorted by CPU; --tests keeps the test binaries only
(<folder>[_<part>]_tests), --over S marks the targets above S seconds (default 60).
  usage: per_target.py LOG [--tests] [--over S] [--markdown]
"""
import re, sys
from collections import defaultdict

args = sys.argv[1:]
if not args or args[0].startswith("-"):
    sys.exit(__doc__)
log, tests_only, md = args[0], "--tests" in args, "--markdown" in args
over = float(args[args.index("--over") + 1]) if "--over" in args else 60.0

objects = {}   # object -> (cpu, kb): the last line of an object compiled twice wins
for line in open(log):
    parts = line.split(maxsplit=2)
    if len(parts) < 3 or not re.fullmatch(r"[0-9.]+", parts[0]) or not parts[1].isdigit():
        continue   # e.g. GNU time's "Command exited with non-zero status" of a failed compile
    if re.search(r"CMakeFiles/[^/]+\.dir/", parts[2]):
        objects[parts[2].strip()] = (float(parts[0]), int(parts[1]))
targets = defaultdict(lambda: {"cpu": 0.0, "n": 0, "max": 0.0, "kb": 0})
for obj, (cpu, kb) in objects.items():
    t = targets[re.search(r"CMakeFiles/([^/]+)\.dir/", obj).group(1)]
    t["cpu"] += cpu; t["n"] += 1; t["max"] = max(t["max"], cpu); t["kb"] = max(t["kb"], kb)

rows = sorted(((k, v) for k, v in targets.items() if not tests_only or k.endswith("_tests")),
              key=lambda kv: -kv[1]["cpu"])
total = sum(v["cpu"] for _, v in rows)
if md:
    print("| target | objects | CPU s | largest object s | peak MB |")
    print("|---|---:|---:|---:|---:|")
for k, v in rows:
    mark = " over" if v["cpu"] > over else ""
    if md:
        print(f"| {k}{' **>' + format(over, 'g') + ' s**' if mark else ''} | {v['n']} | {v['cpu']:.1f} | {v['max']:.1f} | {v['kb'] / 1024:.0f} |")
    else:
        print(f"{v['cpu']:8.1f} s {v['n']:3d} obj  max {v['max']:6.1f} s {v['kb'] / 1024:6.0f} MB  {k}{mark}")
print(f"{'|' if md else ''} total {total:.1f} CPU s in {len(rows)} targets{' |' if md else ''}")
