#!/usr/bin/env bash
# Out-of-core near-dedup benchmark (issue 12, "Benchmarks"): memory and throughput of
# `millrace-dedup --mode near` as the corpus grows, against the in-memory operator on a corpus that
# fits, measured in the same invocation.
#
#   nice -n 10 bench/dedup_ooc/run.sh --build build            # full: 1 GB comparison, 1/2/5/10 GB sweep
#   bench/dedup_ooc/run.sh --build build --quick               # ~50 MB smoke test of this script
#
# Corpora are generated on the fly with millrace-gen-corpus into a temporary directory (under the
# build directory, or under --work DIR) that is removed at the end: 1 GB shards with different
# seeds, several at a time; the N GB corpus is the first N shards (near-duplicates therefore only
# occur within a shard, which is what a crawl split by time looks like too).
# Every run goes through /usr/bin/time -v (peak RSS, CPU time) and writes the job's JSON report
# (peak_rss_bytes, memory_budget, per-stage seconds / bytes spilled).
# Writes results.csv and rss_vs_size.png into --out (default: this folder; --quick: a folder in the
# build directory, so a smoke test never overwrites the figures) and prints a table.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
  cat <<EOF
usage: $0 [--build DIR] [--quick] [--work DIR] [--out DIR] [--memory "SIZE..."] [--threads N]
          [--reps N] [--sizes "1 2 5 10"] [--unit-mb MB] [--dedup BIN] [--gen BIN] [--python PY] [--keep]
  --build DIR    build directory holding examples/dedup/millrace-dedup and
                 examples/gen_corpus/millrace-gen-corpus (default: \$repo/build)
  --quick        ~50 MB version: 5 MB shards, sizes 1 2 5 10 shards, --memory 1M (forces spilling)
  --work DIR     parent of the temporary directory for corpora, outputs and spill files
                 (default: the build directory); the temporary directory is removed at the end
  --out DIR      where results.csv and rss_vs_size.png go (default: $here; --quick: BUILD/dedup_ooc-quick)
  --memory LIST  exchange budget(s) of the out-of-core mode (default 1G; --quick: 1M); with several,
                 e.g. "1G 256M", the comparison uses the first and the sweep runs every size with each
  --threads N    worker threads of every run (default: all cores, $(nproc))
  --reps N       in-memory / out-of-core pairs on the comparison corpus, alternating order
                 (default 2; 0: no comparison, the sweep only)
  --sizes LIST   corpus sizes in shards for the out-of-core sweep (default "1 2 5 10")
  --unit-mb MB   shard size in MB (1e6 bytes; default 1000; --quick: 5)
  --dedup BIN, --gen BIN   the binaries, if not in --build
  --python PY    a Python with matplotlib for the plot (default: BUILD/venv/bin/python if present,
                 else python3); without matplotlib the plot is skipped with a message
  --keep         keep the temporary directory
EOF
}

build="$repo/build"
quick=0
work_parent=""
out=""
memory=""
threads=$(nproc)
reps=2
sizes="1 2 5 10"
unit_mb=""
dedup=""
gen=""
python=""
keep=0
while (($#)); do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --work) work_parent=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --unit-mb) unit_mb=$2; shift 2 ;;
    --dedup) dedup=$2; shift 2 ;;
    --gen) gen=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
build=$(cd "$build" && pwd)
if ((quick)); then
  : "${unit_mb:=5}" "${memory:=1M}" "${out:=$build/dedup_ooc-quick}"
else
  : "${unit_mb:=1000}" "${memory:=1G}" "${out:=$here}"
fi
: "${dedup:=$build/examples/dedup/millrace-dedup}" "${gen:=$build/examples/gen_corpus/millrace-gen-corpus}"
if [[ -z "$python" ]]; then
  if [[ -x "$build/venv/bin/python" ]]; then python="$build/venv/bin/python"; else python=python3; fi
fi
for b in "$dedup" "$gen" /usr/bin/time; do
  [[ -x "$b" ]] || { echo "run.sh: $b: not found or not executable (build the millrace-dedup and millrace-gen-corpus targets)" >&2; exit 2; }
done
help=$("$dedup" --help)  # not piped into grep -q: with pipefail its early exit would fail the pipe
if [[ $help != *--in-memory* ]]; then
  echo "run.sh: $dedup has no --in-memory flag (this benchmark needs the out-of-core near mode of issue 12)" >&2
  exit 2
fi

max_shards=0
for s in $sizes; do ((s > max_shards)) && max_shards=$s; done
unit_bytes=$((unit_mb * 1000000))

mkdir -p "$out"
work=$(mktemp -d "${work_parent:-$build}/dedup_ooc.XXXXXX")
cleanup() {
  if ((keep)); then echo "run.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/corpus" "$work/runs" "$work/tmp"

# Disk needed at the worst point: the whole corpus + the largest run's output (<= its input) +
# its spill (24 B x bands per document of sorted triples and the edges: a few % of the input).
need=$(( (max_shards * unit_bytes) * 23 / 10 ))
avail=$(( $(df -P -k "$work" | awk 'NR==2 {print $4}') * 1024 ))
if ((avail < need)); then
  echo "run.sh: $work has $((avail / 1000000)) MB free, this run needs about $((need / 1000000)) MB" >&2
  exit 2
fi

# Documents of a few KB (200-800 words; ~3.4 KB, the mean of a 1 TB / 300 M-document web crawl);
# every other generator setting is the default (40% edited copies, hard negatives, noise).
gen_flags=(--min-words 200 --max-words 800)
"$gen" "${gen_flags[@]}" --docs 4000 --seed 999 --output "$work/calib.jsonl" 2>/dev/null
bytes_per_doc=$(( $(stat -c %s "$work/calib.jsonl") / 4000 ))
rm -f "$work/calib.jsonl"
docs_per_shard=$(( (unit_bytes + bytes_per_doc / 2) / bytes_per_doc ))

echo "== generating $max_shards shards of ~$unit_mb MB ($docs_per_shard documents each, ~$bytes_per_doc B/doc), $threads at a time"
t0=$(date +%s)
pids=()
for ((i = 0; i < max_shards; i++)); do
  f=$(printf '%s/corpus/shard-%03d.jsonl' "$work" "$i")
  "$gen" "${gen_flags[@]}" --docs "$docs_per_shard" --seed $((1001 + i)) --output "$f" >"$f.log" 2>&1 ||
    { echo "run.sh: generating $f failed:" >&2; cat "$f.log" >&2; exit 1; } &
  pids+=($!)
  if ((${#pids[@]} >= threads)); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
rm -f "$work"/corpus/*.log
echo "   done in $(( $(date +%s) - t0 )) s"

shards_of() {  # the first N shards as repeated -i flags
  local n=$1 i
  for ((i = 0; i < n; i++)); do printf -- '-i\n%s\n' "$(printf '%s/corpus/shard-%03d.jsonl' "$work" "$i")"; done
}

# One run: label mode shards. Writes runs/<label>.{json,time,meta}; keeps the output only for
# the comparison (it is checked byte for byte against the other mode), otherwise removes it.
common=(--mode near --threshold 0.8 --threads "$threads" --no-fsync -q)
runs_tsv="$work/runs.tsv"
printf 'label\tmode\tshards\tinput_bytes\tdocs_generated\tmemory_flag\tloadavg_before\treport\ttime\trc\toutput_bytes\ttmp_left_bytes\n' >"$runs_tsv"
one_run() {
  local label=$1 mode=$2 n=$3 budget=${4:-}
  local o="$work/out-$label" rep="$work/runs/$label.json" tv="$work/runs/$label.time"
  local -a inputs flags
  mapfile -t inputs < <(shards_of "$n")
  if [[ $mode == in-memory ]]; then flags=(--in-memory); else flags=(--memory "$budget" --tmp "$work/tmp"); fi
  local bytes=0 i
  for ((i = 0; i < n; i++)); do bytes=$((bytes + $(stat -c %s "$(printf '%s/corpus/shard-%03d.jsonl' "$work" "$i")"))); done
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  echo "== $label: $mode, $n shard(s), $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB${flags[*]:+, ${flags[*]}} (load $load)"
  local rc=0
  /usr/bin/time -v -o "$tv" "$dedup" "${common[@]}" "${flags[@]}" "${inputs[@]}" -o "$o" --report "$rep" \
    >"$work/runs/$label.stdout" 2>"$work/runs/$label.stderr" || rc=$?
  cat "$work/runs/$label.stdout"
  if ((rc != 0)); then
    echo "   FAILED (exit $rc): $dedup ${common[*]} ${flags[*]} ${inputs[*]} -o $o --report $rep" >&2
    tail -n 20 "$work/runs/$label.stderr" >&2
    grep -E 'Command terminated|Maximum resident' "$tv" >&2 || true
  fi
  local ob=0 tl=0
  [[ -d $o ]] && ob=$(du -sb "$o" | cut -f1)
  tl=$(du -sb "$work/tmp" | cut -f1)
  tl=$((tl - $(stat -c %s "$work/tmp")))  # the directory entry itself is not a leftover
  ((tl > 0)) && echo "   note: $tl bytes left in --tmp after the run:" && find "$work/tmp" -mindepth 1 | head
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$mode" "$n" "$bytes" "$((n * docs_per_shard))" \
    "$([[ $mode == in-memory ]] && echo - || echo "$budget")" "$load" "$rep" "$tv" "$rc" "$ob" "$tl" >>"$runs_tsv"
  return 0
}

# 1. The comparison on one shard (fits in RAM): pairs in alternating order, so a change in the
#    machine's load during the run hurts both modes alike. Outputs must be byte-identical.
read -r -a budgets <<<"$memory"
identical=yes
((reps > 0)) || identical=n/a
for ((r = 1; r <= reps; r++)); do
  if ((r % 2)); then order=(in-memory out-of-core); else order=(out-of-core in-memory); fi
  for m in "${order[@]}"; do one_run "cmp-$m-$r" "$m" 1 "${budgets[0]}"; done
  if ! diff -r -q "$work/out-cmp-in-memory-$r" "$work/out-cmp-out-of-core-$r" >"$work/runs/diff-$r.txt" 2>&1; then
    identical=no
    echo "   outputs of pair $r DIFFER:" && head "$work/runs/diff-$r.txt"
  fi
  rm -rf "$work/out-cmp-in-memory-$r" "$work/out-cmp-out-of-core-$r"
done

# 2. The sweep: the out-of-core mode alone, growing corpus (for each budget; labels ooc-N for the
#    first budget, ooc-<budget>-N for the others).
for bi in "${!budgets[@]}"; do
  for n in $sizes; do
    label="ooc-${n}"
    ((bi == 0)) || label="ooc-${budgets[bi]}-${n}"
    one_run "$label" out-of-core "$n" "${budgets[bi]}"
    rm -rf "$work/out-$label"
  done
done

# 3. Table, CSV, plot.
machine=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
isa=$(grep -m1 -o -w 'avx512f' /proc/cpuinfo || grep -m1 -o -w 'avx2' /proc/cpuinfo || echo 'no AVX2')
python3 "$here/summarize.py" --runs "$runs_tsv" --csv "$out/results.csv" --identical "$identical" \
  --machine "$(nproc)-core $machine ($isa), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM" \
  --unit-mb "$unit_mb"
if "$python" -c 'import matplotlib' 2>/dev/null; then
  "$python" "$here/plot.py" --csv "$out/results.csv" --png "$out/rss_vs_size.png"
else
  echo "run.sh: $python has no matplotlib: plot skipped (python3 -m venv $build/venv && $build/venv/bin/pip install matplotlib)" >&2
fi
