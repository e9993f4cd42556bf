#!/bin/sh
# Runs a command with tests/llm/fake_openai_server.py listening on a free port of 127.0.0.1:
# OPENAI_BASE_URL points at it and OPENAI_API_KEY is the key it expects. The server stops after.
#   with_fake_server.sh PYTHON SERVER.py WORKDIR -- command args...
set -u
python=$1 server=$2 dir=$3
shift 4
rm -rf "$dir" && mkdir -p "$dir" || exit 1
key=sk-test-SECRET-4242
"$python" "$server" --port-file "$dir/port" --key "$key" &
pid=$!
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$dir/port" ]; then kill $pid; echo "with_fake_server: the server did not start" >&2; exit 1; fi
OPENAI_BASE_URL="http://127.0.0.1:$(cat "$dir/port")/v1" OPENAI_API_KEY=$key "$@"
rc=$?
kill $pid
wait $pid 2>/dev/null
exit $rc
