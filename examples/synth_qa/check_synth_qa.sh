#!/bin/sh
# millrace-synth-qa against the fake server (OPENAI_BASE_URL / OPENAI_API_KEY set by
# tests/llm/with_fake_server.sh): pairs kept, a low score dropped, a reply that never parses
# rejected with its raw reply, 500s retried, tokens counted, the key nowhere in output or files,
# and a rerun with the cache pays no request twice and writes the same bytes.
#   check_synth_qa.sh JOB DIR PYTHON
set -eu
job=$1 dir=$2 py=$3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
fail() { echo "check_synth_qa: $*" >&2; exit 1; }
cat > in.jsonl <<'JSONL'
{"id":"p1","text":"The river floods every spring and the town moved uphill."}
{"id":"p2","text":"Bees dance to tell the hive where flowers are. [[500]]"}
{"id":"p3","text":"Copper conducts heat well. [[score=0.2]]"}
{"id":"p4","text":"This reply never parses. [[malformed]]"}
{"id":"p5","body":"no text field"}
{"id":"p6","text":"Glaciers carve valleys over thousands of years."}
JSONL
! "$job" --output out 2> usage.err || fail "no --input must fail"
grep -q -- "--input is required" usage.err || fail "usage error not explained"

"$job" --input in.jsonl --output out1 --cache cache --concurrency 4 > run1.out 2> run1.err || { cat run1.err; fail "run 1 failed"; }
"$job" --input in.jsonl --output out2 --cache cache --concurrency 4 > run2.out 2> run2.err || { cat run2.err; fail "run 2 failed"; }
"$job" --input in.jsonl --output out3 --concurrency 4 --candidates 3 > run3.out 2> run3.err || { cat run3.err; fail "run 3 failed"; }
cmp out1/qa.jsonl out2/qa.jsonl || fail "a cached rerun wrote other bytes"
if grep -r -l "$OPENAI_API_KEY" . --exclude-dir=cache > leaks.txt 2>/dev/null; then cat leaks.txt; fail "the API key was printed or written"; fi
if grep -r -l "$OPENAI_API_KEY" cache > /dev/null 2>&1; then fail "the API key is in the cache"; fi

"$py" - <<'PY'
import json
def lines(p): return [json.loads(l) for l in open(p)]
qa = lines("out1/qa.jsonl")
assert [r["id"] for r in qa] == ["p1", "p2", "p6"], qa
for r in qa:
    assert r["question"].startswith("question:") and r["answer"].startswith("answer:") and float(r["score"]) >= 0.5, r
rej = lines("out1/rejects.jsonl")
reasons = {(r["id"], r["operator"]) for r in rej}
assert ("p4", "generate") in reasons and ("p5", "generate") in reasons, rej
assert any("not json" in r["raw_reply"] for r in rej if r["id"] == "p4"), rej
assert any("'text'" in r["reason"] for r in rej if r["id"] == "p5"), rej
r1, r2 = json.load(open("out1/report.json")), json.load(open("out2/report.json"))
assert r1["passages"] == 6 and r1["pairs"] == 3, r1
assert r1["rejects"] == 4 and r1["below_min_score"] == 2, r1          # p4, p5 x 2 candidates; p3 x 2
assert r1["retries"] >= 8, r1                                         # p2: 2 x 500 per request, 4 requests
assert r1["prompt_tokens"] > 0 and r1["completion_tokens"] > 0 and r1["cache_hits"] == 0, r1
gen = next(o for o in r1["run"]["operators"] if o["name"] == "generate")
assert gen["counters"]["requests"] >= 8 and gen["counters"]["completion_tokens"] == 8 * 6, gen
# The rerun: every validated reply comes from the cache (8 generated, 8 judged); only p4's, never
# valid, is asked again: 2 candidates x (1 + 2 parse retries).
assert r2["cache_hits"] == 16 and r2["requests"] == 6 and r2["retries"] == 0, r2
assert r2["pairs"] == 3 and r2["prompt_tokens"] == 0, r2
assert gen["rejected"] == 4 and r1["run"]["rejected"] == 4, r1
r3 = json.load(open("out3/report.json"))
assert r3["pairs"] == 3 and r3["below_min_score"] == 3, r3
PY
echo "check_synth_qa: ok"
