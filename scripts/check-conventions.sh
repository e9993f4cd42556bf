#!/usr/bin/env bash
# Checks conventions of include/millrace that a compiler does not (CTest: conventions.headers):
#  - one include style: millrace headers include each other as <millrace/...>, never "relative";
#  - one oneTBB header path (<oneapi/tbb/...>, in tests, examples and benchmarks too), included only by the executor's implementation
#    (exec/detail/tbb_impl.hpp), so that operator headers and millrace::compiled users never parse it;
#  - every header opens with '// millrace/<path> — <summary>' and has #pragma once after that comment;
#  - test files are named <topic>_test.cpp (the binaries' names are checked by tests/CMakeLists.txt).
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
report() { echo "conventions: $*" >&2; fail=1; }

while IFS= read -r hit; do report "relative include (use <millrace/...>): $hit"; done \
  < <(grep -rn --include='*.hpp' -E '^\s*#\s*include\s+"' include/millrace)
while IFS= read -r hit; do report "old oneTBB path (use <oneapi/tbb/...>): $hit"; done \
  < <(grep -rn --include='*.hpp' --include='*.cpp' --include='*.cu' --include='*.cuh' -E '^\s*#\s*include\s+<tbb/' \
        include/millrace src tests examples bench)
while IFS= read -r hit; do report "oneTBB included outside exec/detail/tbb_impl.hpp: $hit"; done \
  < <(grep -rn --include='*.hpp' -E '^\s*#\s*include\s+<oneapi/tbb' include/millrace | grep -v '^include/millrace/exec/detail/tbb_impl.hpp:')
while IFS= read -r f; do
  grep -q '^#pragma once' "$f" || report "no #pragma once: $f"
  # one opening style: "// millrace/<path> — what the header holds" (the path as it is included)
  first="$(head -n 1 "$f")"
  [[ "$first" == "// ${f#include/} — "* ]] || report "first line is not '// ${f#include/} — <summary>': $f"
done < <(find include/millrace \( -name '*.hpp' -o -name '*.cuh' \) | sort)

# Tests: every test file under tests/<folder>/ is <topic>_test.cpp (or .cu); the fuzz harnesses,
# the compile-fail cases, the installed-package consumer and tests/common/ have their own shapes.
while IFS= read -r f; do report "test file not named <topic>_test.cpp: $f"; done \
  < <(find tests -mindepth 2 \( -name '*.cpp' -o -name '*.cu' \) \
        -not -path 'tests/fuzz/*' -not -path '*/compile_fail/*' -not -path 'tests/core/consumer/*' \
        -not -path 'tests/common/*' -not -name '*_test.cpp' -not -name '*_test.cu' | sort)

if ((fail)); then exit 1; fi
echo "conventions: $(find include/millrace -name '*.hpp' | wc -l) headers checked"
