#!/usr/bin/env bash
# The one prepared device check (docs/gpu.md): run from the bundle scripts/gpu-bundle.sh made, on a
# machine with a GPU. Runs every GPU test, compute-sanitizer memcheck on them, the GPU benchmarks
# and the CPU dedup job on the same machine, and writes every figure to $OUT/gpu-figures.txt
# (OUT defaults to ./out). Exit status: the number of failed steps.
#   cd build-gpu-bundle && OUT=/tmp/out ./gpu-check.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
out=${OUT:-$here/out}
mkdir -p "$out"
fig="$out/gpu-figures.txt"
failed=0
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }  # no bc there
step() {  # step <name> <command...>: runs it, logs it, counts a failure
  local name=$1; shift
  local t0=$(date +%s.%N)
  "$@" > "$out/$name.log" 2>&1
  local rc=$?
  printf '%-28s rc=%-3s %6.1fs  %s\n' "$name" "$rc" "$(elapsed "$t0")" "$*" | tee -a "$fig"
  if [[ $rc -ne 0 ]]; then failed=$((failed + 1)); tail -20 "$out/$name.log" | sed 's/^/    /' | tee -a "$fig"; fi
}
{
  echo "== millrace gpu-check $(date -u +%FT%TZ) on $(hostname)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || echo "no nvidia-smi"
  echo "$(nproc) cores"
} | tee "$fig"
bin="$here/bin"
step gpu_device_logic_tests "$bin/gpu_device_logic_tests"
step gpu_tests "$bin/gpu_tests"
PATH="$PATH:/usr/local/cuda/bin"
if command -v compute-sanitizer > /dev/null; then
  step memcheck.gpu_tests compute-sanitizer --tool memcheck --error-exitcode 1 --leak-check full "$bin/gpu_tests"
else
  echo "compute-sanitizer not found (PATH, /usr/local/cuda/bin): memcheck not run" | tee -a "$fig"
  failed=$((failed + 1))
fi
step bench_gpu "$bin/bench_gpu" --docs "${DOCS:-1000000}" --out "$fig"
# The dedup job file to file, CPU (all cores) and GPU, on the bundled sample and a generated
# corpus (JOB_DOCS=2000000 gives about 1.2 GB); clusters and kept output must be byte-identical.
step gen_corpus "$bin/millrace-gen-corpus" --docs "${JOB_DOCS:-400000}" --output "$out/corpus.jsonl"
job() {  # job <name> <device> [sample]: the dedup job file to file, its MB/s into the figures
  local name=$1 dev=$2 in=${3:-$out/corpus.jsonl}
  local t0=$(date +%s.%N)
  step "$name" "$bin/millrace-dedup" -q -i "$in" -o "$out/$name" --no-fsync --device "$dev" \
    --clusters "$out/$name.clusters.jsonl" --report "$out/$name.report.json"
  local secs=$(elapsed "$t0") bytes=$(stat -c %s "$in")
  [[ -s "$out/$name.clusters.jsonl" ]] || return 0  # it failed: no figure
  echo "$name: $((bytes / 1000000)) MB of input file in ${secs} s = $(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", b / 1e6 / s }') MB/s" | tee -a "$fig"
}
same() {  # same <a> <b>: clusters and kept output byte-identical
  if cmp -s "$out/$1.clusters.jsonl" "$out/$2.clusters.jsonl" && \
     cmp -s <(cat "$out/$1"/dedup-*.jsonl) <(cat "$out/$2"/dedup-*.jsonl); then
    echo "identical $1 vs $2: yes" | tee -a "$fig"
  else
    echo "identical $1 vs $2: NO" | tee -a "$fig"; failed=$((failed + 1))
  fi
}
job sample_cpu cpu "$here/data/sample.jsonl.zst"
job sample_gpu gpu "$here/data/sample.jsonl.zst"
same sample_cpu sample_gpu
job corpus_cpu cpu
job corpus_gpu gpu
same corpus_cpu corpus_gpu
echo "== failed steps: $failed" | tee -a "$fig"
exit "$failed"
