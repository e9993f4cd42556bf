#!/usr/bin/env bash
# The README's main command: near-dedup of the bundled sample corpus with the millrace-dedup job.
#   bash scripts/demo.sh <build-dir>        (default: build)
# Writes out/demo/ (kept records, clusters, report) and prints the JSON report.
# Environment: OUT (output folder, default out/demo), JOB (path of the job binary).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
job="${JOB:-$build/examples/dedup/millrace-dedup}"
out="${OUT:-out/demo}"
input="data/sample/sample.jsonl.zst"
if [[ ! -x "$job" ]]; then
  echo "demo: $job not found; build first: cmake -S . -B $build && cmake --build $build --target millrace-dedup" >&2
  exit 1
fi
if [[ ! -f "$input" ]]; then
  echo "demo: $input missing; regenerate it: $build/examples/gen_corpus/millrace-gen-corpus --docs 10000 --seed 1 --output $input" >&2
  exit 1
fi
mkdir -p "$out"
set -x
"$job" --input "$input" --output "$out" --mode near --threshold 0.8 --verify \
       --clusters "$out/clusters.jsonl" --report "$out/report.json"
{ set +x; } 2>/dev/null
echo "== report ($out/report.json)"
cat "$out/report.json"
echo
