#!/bin/sh
# Regression tests for the ways millrace-dedup used to lose or misdescribe data: an output that
# overlaps its input, a failed rerun over a complete output, planted symlinks at temporary and
# final names, outputs in missing directories, a file it did not write, a full stdout, and a
# wrong input under the reject policy. Each case failed on the code before 2026-12-01.
# usage: check_safety.sh <millrace-dedup> <millrace-verify> <workdir>
set -eu
job="$1"; verify="$2"; d="$3"
rm -rf "$d" && mkdir -p "$d" && cd "$d"
fail() { echo "FAIL: $*" >&2; exit 1; }
sums() { find "$@" -type f -exec md5sum {} + | sort; }

mkdir -p sB tree/data
for i in 0 1 2 3 4 5 6 7 8 9; do
  awk -v f=$i 'BEGIN { for (k = 0; k < 300; k++) printf "{\"id\":%d,\"text\":\"doc %d of shard %d with words\"}\n", f * 1000 + k, k % 120, f % 3 }' > sB/s$i.jsonl
done
cp sB/s0.jsonl sB/s1.jsonl tree/data/
before=$(sums sB tree)

# 1. Output equal to, inside, or containing an input (also through a symlink): refused before
#    anything is read or written; the inputs are intact.
for mode in exact near; do
  ! "$job" -q -i sB -o sB --mode $mode 2> err || fail "-o = -i accepted ($mode)"
  grep -q 'is the input directory' err || fail "-o = -i: $(cat err)"
done
! "$job" -q -i tree/data -o tree/data/out 2> err || fail "output inside the input accepted"
grep -q 'lies inside the input directory' err || fail "inside: $(cat err)"
! "$job" -q -i tree/data/s0.jsonl -o tree/data 2> err || fail "output dir holding an input file accepted"
grep -q 'contains the input file' err || fail "contains: $(cat err)"
! "$job" -q -i tree/data -o tree 2> err || fail "output dir containing the input dir accepted"
ln -s sB link
! "$job" -q -i sB -o link/out 2> err || fail "output inside the input through a symlink accepted"
! "$job" -q -i sB -o out --report sB/s0.jsonl 2> err || fail "report over an input file accepted"
[ "$before" = "$(sums sB tree)" ] || fail "an input changed"
[ ! -e tree/data/out ] && [ ! -e link/out ] && [ ! -e out ] || fail "an output was created by a refused run"

# 2. A rerun into a complete output that fails (a bad line late in the input) leaves an
#    incomplete manifest whose claims hold; a good rerun completes it again.
"$job" -q -i sB -o o1 --mode exact --shard-records 200 > /dev/null
grep -q '"complete": true' o1/manifest.json || fail "first run not complete"
cp -r sB sC && echo 'not json' >> sC/s9.jsonl
! "$job" -q -i sC -o o1 --mode exact --shard-records 50 2> err || fail "bad input accepted"
grep -q 's9.jsonl:301:' err || fail "error does not name the line: $(cat err)"
grep -q '"complete": false' o1/manifest.json || fail "a failed rerun left the manifest complete"
"$verify" -q o1 || fail "the manifest of a failed run claims more than is on disk"
! "$job" -q -i o1 -o o2 2> err || fail "a directory with an incomplete manifest was read as input"
grep -q 'incomplete run' err || fail "reading an incomplete output: $(cat err)"

# 3. Symlinks planted at the old predictable temporary names, and at the final names, are never
#    followed: the victim files are untouched, the outputs are real files.
mkdir -p o3 && echo victim > victim && echo victim2 > victim2
for n in o3/manifest.json.tmp o3/dedup-00000.jsonl.tmp report.json.tmp clusters.jsonl.tmp rejects.jsonl.tmp; do
  ln -s "$PWD/victim" "$n"
done
ln -s "$PWD/victim2" rejects.jsonl
ln -s "$PWD/victim2" report.json
"$job" -q -i sC -o o3 --on-bad reject --rejects rejects.jsonl --report report.json --clusters clusters.jsonl > /dev/null
[ "$(cat victim)" = victim ] && [ "$(cat victim2)" = victim2 ] || fail "a planted symlink was followed"
[ -f report.json ] && [ ! -L report.json ] && [ ! -L rejects.jsonl ] || fail "a final name is still a symlink"
grep -q '"line":301' rejects.jsonl || fail "rejects file: $(cat rejects.jsonl)"
"$verify" -q o3 || fail "o3 manifest"

# 4. An output in a missing directory fails before any work: the output directory is not made.
! "$job" -q -i sB -o o4 --report missing/r.json 2> err || fail "report in a missing directory accepted"
grep -q 'missing/r.json' err && [ ! -e o4 ] || fail "missing report dir: $(cat err)"
! "$job" -q -i sB -o o4 --clusters missing/c.jsonl 2> err || fail "clusters in a missing directory accepted"

# 5. A file with a shard's name that no manifest lists is never replaced.
mkdir -p o5 && echo mine > o5/dedup-00000.jsonl
! "$job" -q -i sB -o o5 2> err || fail "an unlisted file with a shard's name was replaced"
[ "$(cat o5/dedup-00000.jsonl)" = mine ] && grep -q 'no manifest of this directory lists it' err || fail "o5: $(cat err)"
echo '{"something": "else"}' > o5/manifest.json && rm o5/dedup-00000.jsonl
! "$job" -q -i sB -o o5 2> err || fail "a foreign manifest.json was replaced"
grep -q 'not a millrace manifest' err || fail "foreign manifest: $(cat err)"

# 6. A report that cannot reach stdout (full device) is an error, not exit 0.
if [ -w /dev/full ]; then
  ! "$job" -i sB -o o6 --mode exact > /dev/full 2> err || fail "a full stdout gave exit 0"
  grep -q 'standard output' err || fail "full stdout: $(cat err)"
fi

# 7. A wrong input under the reject policy stops at the reject limit instead of rejecting it all.
head -c 3000000 /dev/urandom > noise.jsonl
! "$job" -q -i noise.jsonl -o o7 --on-bad reject --rejects noise.rej 2> err || fail "random bytes accepted"
grep -q 'records rejected' err && [ ! -e noise.rej ] || fail "reject limit: $(cat err)"
"$job" -q -i noise.jsonl -o o7 --on-bad reject --max-rejects 0 > /dev/null || fail "--max-rejects 0 did not lift the limit"
# 8. Valid JSON the reader used to refuse: huge numbers as ids (kept as written), duplicate keys
#    (the last wins), CRLF lines (kept byte for byte).
printf '%s\n' '{"id":18446744073709551616,"text":"alpha beta gamma delta epsilon"}' \
  '{"id":1e400,"text":"zeta eta theta iota kappa"}' '{"id":3,"text":"first","text":"lambda mu nu xi omicron"}' > big.jsonl
printf '{"id":4,"text":"pi rho sigma tau upsilon"}\r\n' >> big.jsonl
"$job" -q -i big.jsonl -o o8 --mode exact --clusters big.cl > /dev/null || fail "valid JSON refused"
grep -q '"id":18446744073709551616,' big.cl && grep -q '"id":1e400,' big.cl || fail "ids: $(cat big.cl)"
cmp big.jsonl o8/dedup-00000.jsonl || fail "output is not the input byte for byte"
"$job" -q -i big.jsonl -o o9 --mode near --threshold 0.5 > /dev/null || fail "near: valid JSON refused"
echo "all safety cases hold"
