#!/usr/bin/env bash
# libFuzzer harnesses (tests/fuzz/): build with clang (ASan + UBSan + libFuzzer) and run each one.
#   bash scripts/fuzz.sh [seconds-per-target, default 45]      (FUZZ_TARGETS="jsonl csv" for a subset)
# Targets run FUZZ_JOBS at a time (default: JOBS, or 2), each for the full time on a core of its own
# (libFuzzer is single-threaded): the same executions per target, in a fraction of the wall time.
# Each target runs on a copy of its seed corpus under build-fuzz/corpus/<target> (the repository is
# not modified); a crash, sanitizer report, timeout or out-of-memory fails the script, naming the
# target and the file that reproduces it (build-fuzz/fuzz/<target>/crash-*).
set -uo pipefail
cd "$(dirname "$0")/.."
secs="${1:-45}"
jobs="${JOBS:-2}"
fuzz_jobs="${FUZZ_JOBS:-$jobs}"
dir=build-fuzz
targets=(${FUZZ_TARGETS:-jsonl csv zstd zstd_structured markdown module_config})   # FUZZ_TARGETS="csv zstd" runs some

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DMILLRACE_FUZZ=ON \
      -DMILLRACE_BUILD_EXAMPLES=OFF -DMILLRACE_BUILD_BENCHMARKS=OFF >/dev/null || exit 1
cmake --build "$dir" -j "$jobs" --target "${targets[@]/#/fuzz_}" || exit 1

# fuzz_one <target>: prints its result lines; exit status 1 when it failed.
fuzz_one() {
  local t="$1" corpus="$dir/corpus/$1" art="$dir/fuzz/$1" log="$dir/fuzz/$1.log"
  rm -rf "$corpus" "$art"; mkdir -p "$corpus" "$art"
  cp tests/fuzz/$t/seeds/* "$corpus"/ 2>/dev/null || true
  local dict=(); [[ -f tests/fuzz/$t/$t.dict ]] && dict=(-dict=tests/fuzz/$t/$t.dict)
  # Inputs that once crashed run first, as regression tests (and then seed the corpus).
  if compgen -G "tests/fuzz/$t/crashes-fixed/*" > /dev/null; then
    if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$dir/fuzz/fuzz_$t" -rss_limit_mb=2048 \
         tests/fuzz/$t/crashes-fixed/* > "$dir/fuzz/$t.regressions.log" 2>&1; then
      echo "== fuzz $t: a fixed crash is back: see $dir/fuzz/$t.regressions.log"
      grep -m1 -E 'ERROR: |runtime error|SUMMARY|Running: ' "$dir/fuzz/$t.regressions.log"
      return 1
    fi
    cp tests/fuzz/$t/crashes-fixed/* "$corpus"/
  fi
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$dir/fuzz/fuzz_$t" "$corpus" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$art/" >"$log" 2>&1
  local rc=$?
  local execs crash
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crash=$(ls "$art" 2>/dev/null | head -1)
  if [[ $rc -ne 0 || -n "$crash" ]]; then
    echo "== fuzz $t: FAILED (rc $rc) after ${execs:-?} executions; reproducer: $art/${crash:-?}; log: $log"
    grep -m1 -E 'ERROR: |runtime error|SUMMARY' "$log" || tail -5 "$log"
    return 1
  fi
  echo "== fuzz $t: ok, ${execs:-?} executions in ${secs}s"
}

# Up to fuzz_jobs targets at once; each one's lines are printed when it ends, in target order.
mkdir -p "$dir/fuzz"
for t in "${targets[@]}"; do
  while (( $(jobs -rp | wc -l) >= fuzz_jobs )); do wait -n || true; done
  rm -f "$dir/fuzz/$t.rc"
  { fuzz_one "$t" > "$dir/fuzz/$t.result" 2>&1; echo $? > "$dir/fuzz/$t.rc"; } &
done
wait
failed=()
for t in "${targets[@]}"; do
  cat "$dir/fuzz/$t.result"
  [[ "$(cat "$dir/fuzz/$t.rc" 2>/dev/null)" == 0 ]] || failed+=("$t")
done
if ((${#failed[@]})); then
  echo "== fuzz: crashes in ${failed[*]}" >&2
  exit 1
fi
echo "== fuzz: all targets ran clean"
