#!/bin/sh
# CTest for scripts/demo.sh: runs the millrace-dedup job on the bundled sample corpus, checks that the
# counts add up, and scores its clusters against the exact ground truth with millrace-dedup-score.
#   check_demo.sh <source-dir> <millrace-dedup> <millrace-dedup-score> <out-dir>
set -eu
src="$1"; job="$2"; score="$3"; out="$4"
rm -rf "$out"
OUT="$out" JOB="$job" bash "$src/scripts/demo.sh" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
n=$(wc -l < "$out/clusters.jsonl")
dup=$(grep -c '"kept":false' "$out/clusters.jsonl" || true)
echo "clusters: $n documents, $dup duplicates"
test "$n" -eq 10000
grep -q "\"documents\":10000,\"kept\":$((10000 - dup)),\"duplicates\":$dup" "$out/report.json"
kept_lines=$(cat "$out"/dedup-*.jsonl | grep -c '"text"' || true)
test "$kept_lines" -eq $((10000 - dup))
# Quality against the exact all-pairs ground truth at the demo's threshold (0.8, word 5-grams).
"$score" --input "$src/data/sample/sample.jsonl.zst" --clusters "$out/clusters.jsonl" --threshold 0.8 > "$out/score.json"
cat "$out/score.json"
python3 - "$out/score.json" "$dup" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
dup = int(sys.argv[2])
assert s["removed"] == dup, s
# --verify: every merge is backed by a pair with J >= 0.8, so clusters lie inside ground-truth components
assert s["removed"] <= s["ground_truth_removed"], s
assert s["precision"] >= 0.995, s
assert s["recall"] >= 0.9, s
PY
