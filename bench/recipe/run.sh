#!/bin/sh
# bench/recipe/run.sh BUILD_DIR [MB] [PYTHON] [CORPUS]: bench_recipe, then datatrove's same filters
# on the same corpus (skipped with a message when PYTHON cannot import datatrove), and the ratio per
# core. The corpus is generated (MB megabytes) unless CORPUS names a JSONL file ({"id", "text"} per
# line, e.g. bench/filters/real_corpus.py's real prose).
#   sh bench/recipe/run.sh build 16 /tmp/venv/bin/python
#   python3 bench/filters/real_corpus.py /tmp/real.jsonl --mb 8 && sh bench/recipe/run.sh build 0 python3 /tmp/real.jsonl
set -eu
build=$1 mb=${2:-16} py=${3:-python3} corpus=${4:-}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "$corpus" ]; then
  "$build/bench/recipe/bench_recipe" --corpus "$corpus" | tee "$tmp/mr.txt"
else
  corpus="$tmp/corpus.jsonl"
  "$build/bench/recipe/bench_recipe" --mb "$mb" --jsonl "$corpus" | tee "$tmp/mr.txt"
fi
"$py" "$here/datatrove_recipe.py" "$corpus" | tee "$tmp/dt.txt"
m=$(sed -n 's/^RECIPE_DT_STEPS_MB_PER_CPU_S //p' "$tmp/mr.txt")
d=$(sed -n 's/^DATATROVE_MB_PER_CPU_S //p' "$tmp/dt.txt")
if [ -n "$d" ]; then
  awk -v m="$m" -v d="$d" 'BEGIN { printf "  millrace recipe / datatrove on the same filters, per core: %.1fx\n", m / d }'
fi
