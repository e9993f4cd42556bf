#!/bin/sh
# check_recipe.sh RUN VERIFY RECIPE INPUT DIR: runs a shipped recipe on INPUT with 1 and 2 threads
# and checks: the report's counts add up (every step's in = out + dropped, the drops sum to in -
# out), the manifest verifies, both runs wrote the same bytes, and --dry-run prints the DOT graph.
set -eu
run=$1 verify=$2 recipe=$3 input=$4 dir=$5
rm -rf "$dir" && mkdir -p "$dir"
"$run" "$recipe" --dry-run -i "$input" -o "$dir/1T" > "$dir/dry.txt"
grep -q '^digraph millrace' "$dir/dry.txt"
grep -q 'write_jsonl.dir = ' "$dir/dry.txt"
test ! -e "$dir/1T"   # a dry run writes nothing
"$run" "$recipe" -q -t 1 -i "$input" -o "$dir/1T" --report "$dir/r1.json"
"$run" "$recipe" -q -t 2 -i "$input" -o "$dir/2T" --report "$dir/r2.json"
"$verify" "$dir/1T" > /dev/null
"$verify" "$dir/2T" > /dev/null
cat_shards() { for f in $(ls "$1" | grep '^part-' | sort); do case $f in *.zst) zstd -dc "$1/$f" ;; *) cat "$1/$f" ;; esac; done; }
cat_shards "$dir/1T" > "$dir/1T.jsonl"
cat_shards "$dir/2T" > "$dir/2T.jsonl"
cmp "$dir/1T.jsonl" "$dir/2T.jsonl"
python3 - "$dir/r1.json" "$dir/1T.jsonl" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
out_lines = sum(1 for _ in open(sys.argv[2], encoding="utf-8"))
assert r["records_in"] > 0, "no records read"
# Each step's records in = out + dropped (filters count theirs as rejected, dedup its duplicates
# as in - out); the drops add up to what the run lost.
ops = [op for op in r["operators"] if op["kind"] not in ("source", "sink")]
for prev, op in zip(ops, ops[1:]):
    assert op["in"] == prev["out"], (prev, op)
for op in ops:
    assert op["out"] <= op["in"] and op["rejected"] <= op["in"] - op["out"], op
assert sum(op["in"] - op["out"] for op in ops) == r["records_in"] - r["records_out"], r
sink = [op for op in r["operators"] if op["kind"] == "sink"][-1]
assert sink["in"] == out_lines == r["records_out"], (sink, out_lines)
print(f"recipe ok: {r['records_in']} in, {r['records_out']} written, {r['rejected']} dropped")
PY
