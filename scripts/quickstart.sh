#!/usr/bin/env bash
# millrace quick start for a fresh Debian/Ubuntu machine.
#   bash scripts/quickstart.sh demo   install what is missing, build, run the near-dedup job on the sample corpus
#   bash scripts/quickstart.sh test   install what is missing, build, run the whole test suite (+ sanitizer builds)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-demo}"
jobs="${JOBS:-$(nproc)}"

install_packages() {
  local missing=()
  while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done < scripts/debian-packages.txt
  if ((${#missing[@]})); then
    echo "== installing: ${missing[*]}"
    local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

build() {  # build <dir> [cmake args...]; TARGET=<t> builds only that target
  local dir="$1"; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$dir" -j "$jobs" ${TARGET:+--target "$TARGET"}
}

install_packages
case "$what" in
  demo)
    TARGET=millrace-dedup build build
    bash scripts/demo.sh build
    ;;
  test)
    build build -DMILLRACE_WERROR=ON
    (cd build && ctest --output-on-failure -j "$jobs")
    # The sanitizer stages leave out what no sanitizer instruments and the first build ran: the
    # compile-fail checks (each builds its case twice at test time, not instrumented: the compiler's
    # diagnostics are the check) and the convention scripts.
    not_instrumented='\.compile_(fail|ok)(\.|$)|^conventions\.'
    echo "== core tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    # (the sanitizer builds link the tests against millrace::compiled: the non-template code is
    # compiled once instead of in every test file; the first build tested header-only mode)
    build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMILLRACE_CORE_TESTS_ONLY=ON -DMILLRACE_TESTS_COMPILED=ON \
          "-DMILLRACE_SANITIZE=address;undefined"
    (cd build-asan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j "$jobs" -E "$not_instrumented")
    echo "== the threaded subsystems' tests under ThreadSanitizer (with a ThreadSanitizer build of oneTBB)"
    # (text, dedup_quality, lake, langid and the other pure per-record folders are left out: see
    # tests/CMakeLists.txt; filters' parallel stage with its shared tallies and exclusions stays in,
    # and recipe runs language ID inside its fused filter stages on the threaded executor)
    # (built once per oneTBB version and compiler, kept outside the build trees: a clean checkout
    # or a removed build-tsan/ does not build it again; MILLRACE_TBB_TSAN=<dir> to choose)
    tbb_tsan="${MILLRACE_TBB_TSAN:-${XDG_CACHE_HOME:-$HOME/.cache}/millrace/tbb-tsan-$(dpkg-query -W -f='${Version}' libtbb-dev)-gcc$(c++ -dumpfullversion)}"
    mkdir -p "$tbb_tsan" 2>/dev/null || tbb_tsan="$PWD/build-tsan/tbb-tsan"
    bash scripts/build-tbb-tsan.sh "$tbb_tsan"
    build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMILLRACE_BUILD_EXAMPLES=OFF -DMILLRACE_BUILD_BENCHMARKS=OFF \
          -DMILLRACE_SANITIZE=thread -DMILLRACE_TESTS_COMPILED=ON \
          "-DMILLRACE_TEST_SUBSYSTEMS=io;dedup;dedup_spans;ops;llm;faults;augment;filters;tune;recipe" \
          -DTBB_DIR="$tbb_tsan/lib/cmake/TBB"
    (cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j "$jobs" -E "$not_instrumented")
    echo "== libFuzzer harnesses (tests/fuzz), 30 s each"
    bash scripts/fuzz.sh 30
    echo "== all tests passed"
    ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
