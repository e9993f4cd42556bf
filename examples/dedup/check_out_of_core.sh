#!/bin/sh
# check_out_of_core.sh JOB GEN DIR: the out-of-core near-dedup (the default mode) against the
# in-memory operator (--in-memory): byte-identical kept output and clusters for tiny and large
# budgets, 1 and 2 threads, odd batch sizes, with and without --verify; a kill -9 in each stage
# resumes to the same output; a damaged stage output and an unwritable --tmp fail cleanly.
set -eu
job=$1; gen=$2; dir=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
"$gen" --docs 2500 --seed 11 --output corpus.jsonl >/dev/null
head -n 1200 corpus.jsonl > in-a.jsonl
tail -n +1201 corpus.jsonl | zstd -q -o in-b.jsonl.zst

for flags in "--threshold 0.7" "--threshold 0.6 --verify"; do
  # shellcheck disable=SC2086
  "$job" -q -i 'in-*' -o ref --in-memory $flags --clusters ref.cl > /dev/null
  n=0
  for run in "--memory 64K --threads 1 --batch-size 7" "--memory 64K --threads 2 --batch-size 300 --no-resume" \
             "--threads 2" "--memory 1G --threads 1 --no-resume"; do
    n=$((n + 1))
    mkdir -p tmp$n
    # shellcheck disable=SC2086
    "$job" -q -i 'in-*' -o out$n $flags $run --tmp tmp$n --clusters cl$n --report rep$n.json > /dev/null
    cmp ref/dedup-00000.jsonl out$n/dedup-00000.jsonl || fail "$flags $run: kept output differs from --in-memory"
    cmp ref.cl cl$n || fail "$flags $run: clusters differ from --in-memory"
    [ -z "$(ls -A tmp$n)" ] || fail "$flags $run: work files left in --tmp: $(ls -A tmp$n)"
    [ -z "$(ls -A out$n | grep millrace-near || true)" ] || fail "work directory left in the output"
  done
  grep -q '"name":"sign"' rep1.json && grep -q '"bytes_spilled":[1-9]' rep1.json || fail "rep1.json: no spilled stage: $(cat rep1.json)"
  grep -q '"peak_rss_bytes":[1-9]' rep1.json || fail "rep1.json: no peak memory"
  rm -rf ref ref.cl out* cl* rep* tmp*
done

# kill -9 in each stage (MILLRACE_TEST_KILL=<stage>:<records>), then the same command resumes.
"$job" -q -i 'in-*' -o ref --in-memory --verify --clusters ref.cl > /dev/null
for point in sign:500 link:1 components:1 output:300; do
  rm -rf out tmp && mkdir tmp
  set +e
  MILLRACE_TEST_KILL=$point "$job" -q -i 'in-*' -o out --verify --memory 64K --batch-size 100 --tmp tmp --clusters cl > /dev/null 2>&1
  rc=$?
  set -e
  [ $rc -eq 137 ] || fail "$point: the test kill did not happen (exit $rc)"
  [ -n "$(ls -A tmp)" ] || fail "$point: no work directory survived the kill"
  "$job" -q -i 'in-*' -o out --verify --memory 64K --batch-size 100 --tmp tmp --clusters cl --report rep.json > /dev/null
  cmp ref/dedup-00000.jsonl out/dedup-00000.jsonl || fail "$point: resumed output differs"
  cmp ref.cl cl || fail "$point: resumed clusters differ"
  case $point in sign:*) ;; *) grep -q '"name":"sign","resumed":true' rep.json || fail "$point: sign was not resumed: $(cat rep.json)" ;; esac
  [ -z "$(ls -A tmp)" ] || fail "$point: work files left after the resumed run"
done

# A damaged stage output (a byte flipped in every file after the sign stage): a clear error,
# nothing marked complete, the work directory removed.
rm -rf out tmp && mkdir tmp
set +e
MILLRACE_TEST_KILL=link:1 "$job" -q -i 'in-*' -o out --memory 64K --tmp tmp > /dev/null 2>&1
set -e
for f in tmp/millrace-near-*/*; do
  case $f in *stages.json) continue ;; esac
  [ "$(wc -c < "$f")" -gt 100 ] || continue
  printf 'X' | dd of="$f" bs=1 seek=60 conv=notrunc 2> /dev/null
done
! "$job" -q -i 'in-*' -o out --memory 64K --tmp tmp 2> err > /dev/null || fail "a damaged spill file gave exit 0"
grep -qi "checksum\|corrupt\|damaged" err || fail "the error does not say the file is damaged: $(cat err)"
grep -q "millrace-near-" err || fail "the error does not name the file: $(cat err)"
grep -q '"complete": true' out/manifest.json 2> /dev/null && fail "a failed run says complete"
[ -z "$(ls -A tmp)" ] || fail "work files left after the failure"

# --index: A (already deduplicated), then B, keeps exactly what one run over A+B keeps of B.
rm -rf out* idx ab* a.jsonl b.jsonl cl*
"$job" -q -i in-a.jsonl -o outA > /dev/null
cp outA/dedup-00000.jsonl a.jsonl
zstd -dcq in-b.jsonl.zst > b.jsonl
na=$(wc -l < a.jsonl)
"$job" -q -i a.jsonl -i b.jsonl -o ab --clusters ab.cl > /dev/null
awk -v na="$na" 'NR > na && /"kept":true/ { print NR - na }' ab.cl > keep_b
awk 'NR==FNR { want[$1] = 1; next } (FNR in want)' keep_b b.jsonl > want_b.jsonl
"$job" -q -i a.jsonl -o out1 --index idx --memory 64K > /dev/null
cmp a.jsonl out1/dedup-00000.jsonl || fail "--index: an already deduplicated A lost documents"
"$job" -q -i b.jsonl -o out2 --index idx --memory 64K --threads 1 --batch-size 33 --clusters cl2 > /dev/null
cmp want_b.jsonl out2/dedup-00000.jsonl || fail "--index: B against the index differs from the B part of one run over A+B"
awk -v na="$na" 'NR > na' ab.cl | cmp - cl2 || fail "--index: clusters differ from the B part of one run over A+B"
[ "$(wc -l < want_b.jsonl)" -lt "$(wc -l < b.jsonl)" ] || fail "--index: nothing of B was a near-duplicate (weak test)"
! "$job" -q -i b.jsonl -o out3 --index idx --seed 9 2> err > /dev/null || fail "--index with other options gave exit 0"
grep -q "other near-dedup options" err || fail "--index with other options: unclear error: $(cat err)"

# A --tmp that cannot be made (under a regular file; as root, permissions would not stop us):
# an error naming it, before any work.
! "$job" -q -i 'in-*' -o out4 --tmp corpus.jsonl/tmp 2> err > /dev/null || fail "an impossible --tmp gave exit 0"
grep -q "corpus.jsonl/tmp" err || fail "the error does not name --tmp: $(cat err)"
[ ! -e out4/manifest.json ] || ! grep -q "\"complete\": true" out4/manifest.json || fail "a failed run says complete"
echo "ok: out-of-core near-dedup equals --in-memory; resumes after kill -9 in every stage; damage detected; --index A then B = A+B"
