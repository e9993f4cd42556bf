#!/bin/sh
# CTest for scripts/demo.sh: runs the millrace-dedup job on the bundled sample corpus and checks that
# the counts add up and stay within the exact ground truth.
#   check_demo.sh <source-dir> <millrace-dedup> <out-dir>
set -eu
src="$1"; job="$2"; out="$3"
rm -rf "$out"
OUT="$out" JOB="$job" bash "$src/scripts/demo.sh" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
n=$(wc -l < "$out/clusters.jsonl")
dup=$(grep -c '"kept":false' "$out/clusters.jsonl" || true)
echo "clusters: $n documents, $dup duplicates"
test "$n" -eq 10000
grep -q "\"documents\":10000,\"kept\":$((10000 - dup)),\"duplicates\":$dup" "$out/report.json"
# kept records written = kept in the clusters file
kept_lines=$(cat "$out"/*.jsonl* 2>/dev/null | grep -c '"text"' || true)
test "$kept_lines" -eq $((10000 - dup))
# With --verify every merge is backed by a pair with exact J >= 0.8, so clusters lie inside the
# ground-truth components: at most 811 documents removed (data/sample/README.md, exact all-pairs join).
test "$dup" -gt 0
test "$dup" -le 811
