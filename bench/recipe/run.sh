#!/bin/sh
# bench/recipe/run.sh BUILD_DIR [MB] [PYTHON]: bench_recipe, then datatrove's same filters on the
# same corpus (skipped with a message when PYTHON cannot import datatrove), and the ratio per core.
#   sh bench/recipe/run.sh build 16 /tmp/venv/bin/python
set -eu
build=$1 mb=${2:-16} py=${3:-python3}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/recipe/bench_recipe" --mb "$mb" --jsonl "$tmp/corpus.jsonl" | tee "$tmp/mr.txt"
"$py" "$here/datatrove_recipe.py" "$tmp/corpus.jsonl" | tee "$tmp/dt.txt"
m=$(sed -n 's/^RECIPE_DT_STEPS_MB_PER_CPU_S //p' "$tmp/mr.txt")
d=$(sed -n 's/^DATATROVE_MB_PER_CPU_S //p' "$tmp/dt.txt")
if [ -n "$d" ]; then
  awk -v m="$m" -v d="$d" 'BEGIN { printf "  millrace recipe / datatrove on the same filters, per core: %.1fx\n", m / d }'
fi
