#!/bin/sh
# check_pii.sh RUN DIR: the pii_redact step's IBAN and SSN parameters through a recipe: --explain
# lists them; redact with custom tokens and ssn_spaces rewrites the text; drop with iban: false
# sends only the SSN record to the exclusions, with reason contains_ssn.
set -eu
run=$1 dir=$2
rm -rf "$dir" && mkdir -p "$dir"
"$run" --explain pii_redact > "$dir/explain.txt"
for p in iban ssn iban_any_case iban_format_check ssn_spaces ssn_bare_digits iban_token ssn_token; do
  grep -q "$p" "$dir/explain.txt" || { echo "--explain pii_redact: no $p"; exit 1; }
done
cat > "$dir/in.jsonl" <<'JSONL'
{"id": "a", "text": "Überweisung: IBAN DE89 3704 0044 0532 0130 00, danke"}
{"id": "b", "text": "ssn 078 05 1121 and 772-12-3456"}
{"id": "c", "text": "zip 12345-6789 on 2023-01-15, DE88 3704 0044 0532 0130 00, 078-05-1120"}
JSONL
recipe() {  # recipe FILE STEP-PARAMS
  cat > "$1" <<JSON
{"name": "pii-check", "text_field": "text", "reader": {"read_jsonl": {"inputs": ["$dir/in.jsonl"]}},
 "steps": [{"pii_redact": $2}], "writer": {"write_jsonl": {"dir": "$dir/out"}}}
JSON
}
recipe "$dir/redact.json" '{"action": "redact", "ssn_spaces": true, "iban_token": "[IBAN]"}'
"$run" "$dir/redact.json" -q -t 1 -o "$dir/redact"
cat "$dir"/redact/part-* > "$dir/redact.jsonl"
grep -q 'IBAN \[IBAN\], danke' "$dir/redact.jsonl"
grep -q 'ssn <SSN> and <SSN>' "$dir/redact.jsonl"
grep -q 'zip 12345-6789 on 2023-01-15, DE88 3704 0044 0532 0130 00, 078-05-1120' "$dir/redact.jsonl"
recipe "$dir/drop.json" '{"action": "drop", "iban": false}'
"$run" "$dir/drop.json" -q -t 1 -o "$dir/drop" --exclusions "$dir/ex"
test "$(cat "$dir"/drop/part-* | wc -l)" -eq 2
test "$(wc -l < "$dir/ex/excluded.jsonl")" -eq 1
grep -q 'contains_ssn' "$dir/ex/excluded.jsonl"
grep -q '"b"' "$dir/ex/excluded.jsonl"
echo "pii recipe ok"
