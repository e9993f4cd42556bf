#!/usr/bin/env bash
# Fault injection for one job: a full disk (ENOSPC), a failing device (EIO) and a kill -9 at every
# write / fsync / rename the job's outputs make (or at evenly spread points when there are many),
# plus an unwritable output directory. Each run starts over the complete output of an earlier run.
# What must hold after every fault:
#   - the job exits non-zero and names the file (a kill: it dies);
#   - at no point does a manifest claim more than is on disk (millrace-verify);
#   - a complete output equals the fault-free one byte for byte; no temporary file is left behind
#     (after a kill: none once the next run has finished);
#   - a rerun without the fault exits 0 with byte-identical outputs.
# usage: run_faults.sh SHIM VERIFY WORKDIR JOB_NAME -- setup-command -- job-command -- outputs...
#   the commands run in WORKDIR through sh -c; outputs are paths relative to WORKDIR (files or
#   output directories) compared byte for byte; a report with timings is not listed.
set -uo pipefail
shim="$1"; verify="$2"; work="$3"; name="$4"; shift 4
[[ "$1" == "--" ]] || { echo "usage: see the header" >&2; exit 2; }
shift; setup=""; while [[ "$1" != "--" ]]; do setup+="$1 "; shift; done
shift; job=""; while [[ "$1" != "--" ]]; do job+="$1 "; shift; done
shift; outputs=("$@")
max_points="${MILLRACE_FAULT_POINTS:-12}"   # per kind of call; all of them when fewer

fail() { echo "FAIL [$name] $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
sh -c "$setup" > setup.log 2>&1 || fail "setup failed: $(cat setup.log)"

run_job() {  # run_job <fault spec or ''>: stdout+stderr to job.log, returns the job's status
  MILLRACE_FAULT="$1" MILLRACE_FAULT_COUNT="$PWD/counts" LD_PRELOAD="$shim" sh -c "$job" > job.log 2>&1
}
snapshot() {  # snapshot <dir>: copies the outputs
  rm -rf "$1" && mkdir -p "$1"
  for o in "${outputs[@]}"; do [[ -e "$o" ]] && cp -a "$o" "$1/"; done
  return 0
}
restore() {  # restore <dir>: the outputs exactly as in the snapshot (absent ones removed)
  for o in "${outputs[@]}"; do rm -rf "$o"; [[ -e "$1/$(basename "$o")" ]] && cp -a "$1/$(basename "$o")" "$o"; done
  return 0
}
same_as() {  # same_as <dir>: every output byte-identical to the snapshot
  for o in "${outputs[@]}"; do
    local ref="$1/$(basename "$o")"
    if [[ -e "$ref" ]]; then diff -r "$ref" "$o" > /dev/null 2>&1 || return 1
    elif [[ -e "$o" ]]; then return 1; fi
  done
}
claims_hold() {  # every manifest among the outputs tells the truth
  for o in "${outputs[@]}"; do
    if [[ -f "$o/manifest.json" ]]; then "$verify" -q "$o" || return 1; fi
  done
}
temps_left() { find . -path ./ref -prune -o -name '.*.tmp' -print; }

run_job "" || fail "fault-free run failed: $(cat job.log)"
snapshot ref
mkdir -p empty

points() {  # points <count>: 1..count, or max_points of them spread evenly (first and last kept)
  local n="$1"
  if ((n <= max_points)); then seq 1 "$n"; else
    for ((i = 0; i < max_points; ++i)); do echo $((1 + i * (n - 1) / (max_points - 1))); done | uniq; fi
}

# Two starting points: no output yet, and the complete output of an earlier run (which a failed
# rerun must never leave described as complete when it is not).
checked=0
for start in empty ref; do
  restore "$start"
  run_job "" || fail "fault-free run from $start failed: $(cat job.log)"
  same_as ref || fail "a fault-free run from $start differs from the first run"
  read -r _ n_write < <(grep '^write' counts); read -r _ n_fsync < <(grep '^fsync' counts)
  read -r _ n_rename < <(grep '^rename' counts)
  echo "[$name] from $start: $n_write writes, $n_fsync fsyncs, $n_rename renames of output files"
  ((n_write > 0 && n_rename > 0)) || fail "the job made no checked writes or renames: is the shim loaded?"
  for kind in write fsync rename; do
    count_var="n_$kind"; count="${!count_var}"
    for n in $(points "$count"); do
      for action in enospc eio kill; do
        [[ "$action" == eio && "$kind" == rename ]] && continue
        restore "$start"
        run_job "$kind:$n:$action"; rc=$?
        what="from $start, $kind #$n ($action)"
        ((rc != 0)) || fail "$what: the job exited 0 ($(tail -2 job.log))"
        claims_hold || fail "$what: a manifest claims more than is on disk"
        if [[ "$action" != kill ]]; then
          grep -Eq 'No space left on device|Input/output error' job.log || fail "$what: the error does not say why: $(tail -3 job.log)"
          grep -Eq '[A-Za-z0-9_.-]+(/|\.json|\.jsonl|\.csv)' job.log || fail "$what: the error does not name a file: $(tail -3 job.log)"
          [[ -z "$(temps_left)" ]] || fail "$what: temporary files left: $(temps_left)"
        fi
        run_job "" || fail "$what: the rerun failed: $(tail -3 job.log)"
        same_as ref || fail "$what: the rerun's outputs differ from the fault-free run's"
        [[ -z "$(temps_left)" ]] || fail "$what: temporary files left after the rerun: $(temps_left)"
        checked=$((checked + 1))
      done
    done
  done
done

# An output directory the job may not write (UNWRITABLE_JOB writes into ./locked/, mode 555): it
# fails before doing any work, naming the path. Root ignores the mode, so it runs as nobody then.
if [[ -n "${UNWRITABLE_JOB:-}" ]]; then
  mkdir -p locked && chmod -R a+rX . && chmod 555 locked
  as_user=()
  if [[ $(id -u) -eq 0 ]]; then
    if setpriv --reuid=65534 --regid=65534 --clear-groups true 2> /dev/null; then
      as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    else
      echo "[$name] unwritable output directory: skipped (root, and cannot drop to an unprivileged user)"
    fi
  fi
  if [[ $(id -u) -ne 0 || ${#as_user[@]} -gt 0 ]]; then
    "${as_user[@]}" sh -c "$UNWRITABLE_JOB" > job.log 2>&1 && fail "unwritable directory: the job exited 0"
    grep -q 'locked' job.log && grep -q 'Permission denied' job.log || fail "unwritable directory: $(tail -2 job.log)"
    [[ -z "$(ls -A locked)" ]] || fail "unwritable directory: something was written"
    echo "[$name] unwritable output directory: refused before any work ($(head -c 160 job.log))"
  fi
  chmod 755 locked
fi
echo "[$name] $checked fault runs: every one failed cleanly, claimed nothing false, and reran byte-identical"
