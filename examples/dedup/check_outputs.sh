#!/bin/sh
# check_outputs.sh JOB GEN DIR "FLAGS": runs millrace-dedup with FLAGS on a generated corpus split in
# two shards (one zstd), with 1 and 2 threads, and checks what the job promises.
set -eu
job=$1; gen=$2; dir=$3; flags=$4
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
"$gen" --docs 1500 --seed 5 --output corpus.jsonl >/dev/null
head -n 700 corpus.jsonl > in-a.jsonl
tail -n +701 corpus.jsonl | zstd -q -o in-b.jsonl.zst
for t in 1 2; do
  # shellcheck disable=SC2086
  "$job" -q -i 'in-*' -o "out$t" $flags --threads $t --batch-size $((t * 97)) --clusters "cl$t.jsonl" --report "rep$t.json" > "log$t"
done
cmp out1/dedup-00000.jsonl out2/dedup-00000.jsonl          # byte-identical for 1 and 2 threads
cmp cl1.jsonl cl2.jsonl
n=$(wc -l < corpus.jsonl); k=$(wc -l < out1/dedup-00000.jsonl)
test "$(wc -l < cl1.jsonl)" -eq "$n"                       # one clusters line per input record
test "$(grep -c '"kept":true' cl1.jsonl)" -eq "$k"         # kept flags match the output
test "$k" -lt "$n"                                         # the corpus has duplicates; some were removed
grep -q "\"documents\":$n,\"kept\":$k,\"duplicates\":$((n - k)),\"rejected\":0" rep1.json   # counts add up
# The output is the input's kept lines, unchanged and in input order.
grep -n '"kept":true' cl1.jsonl | cut -d: -f1 > kept_lines
awk 'NR==FNR { want[$1] = 1; next } (FNR in want)' kept_lines corpus.jsonl | cmp - out1/dedup-00000.jsonl
# A kept record is its own cluster: cluster == its 0-based position.
awk -F'"cluster":' '{ split($2, a, ","); if (index($0, "\"kept\":true") && a[1] != NR - 1) exit 1 }' cl1.jsonl
echo "ok: $n records, $k kept"
