#!/bin/sh
# A real full filesystem (a 192 KiB tmpfs in a private mount namespace) under millrace-dedup's
# outputs: shards, then the report and rejects alone. The job must exit non-zero naming the file,
# leave no temporary file, and leave no manifest that claims more than is on disk.
# Exit 77 (CTest: skipped) when this machine does not let us mount a tmpfs.
# usage: real_full_disk.sh <millrace-dedup> <millrace-verify> <workdir>
set -eu
job="$1"; verify="$2"; work="$3"
rm -rf "$work" && mkdir -p "$work/in" "$work/disk" && cd "$work"
if ! unshare -m sh -c "mount -t tmpfs -o size=192k tmpfs '$work/disk'" 2> /dev/null; then
  echo "skipped: cannot mount a tmpfs in a private mount namespace here"; exit 77
fi
awk 'BEGIN { for (i = 0; i < 6000; i++) printf "{\"id\":%d,\"text\":\"document %d about the mill race and its wheel %d\"}\n", i, i, i % 13 }' > in/a.jsonl
mkdir -p bad && cp in/a.jsonl bad/a.jsonl && echo 'not json' >> bad/a.jsonl   # case 2 has a reject to write
exec unshare -m sh -eu -c '
  job="$1"; verify="$2"; fail() { echo "FAIL: $*" >&2; exit 1; }
  mount -t tmpfs -o size=192k tmpfs disk
  # 1. Shards do not fit.
  ! "$job" -q -i in -o disk/out --mode exact --shard-records 1000 2> err || fail "a full disk gave exit 0"
  grep -q "No space left on device" err && grep -q "disk/out" err || fail "the error does not say what and where: $(cat err)"
  [ -z "$(find disk -name ".*.tmp")" ] || fail "temporary files left: $(find disk -name ".*.tmp")"
  [ ! -f disk/out/manifest.json ] || "$verify" -q disk/out || fail "the manifest claims more than is on disk"
  grep -q "\"complete\": true" disk/out/manifest.json 2> /dev/null && fail "a failed run says complete"
  # 2. The shards fit elsewhere, the report and the rejects do not.
  rm -rf disk/out && head -c 196000 /dev/zero > disk/filler 2> /dev/null || true
  ! "$job" -q -i bad -o out --mode exact --on-bad reject --rejects disk/rej.jsonl --report disk/rep.json 2> err ||
    fail "a report or rejects file on a full disk gave exit 0"
  grep -q "No space left on device" err && grep -Eq "disk/(rej|rep)" err || fail "the error does not name the file: $(cat err)"
  [ ! -s disk/rep.json ] || fail "a report was left on a full disk"
  [ -z "$(find disk -name ".*.tmp")" ] || fail "temporary files left"
  echo "a real full disk: every case failed cleanly, naming the file"
' sh "$job" "$verify"
