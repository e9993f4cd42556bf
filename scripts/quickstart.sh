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
    echo "== core tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    # (the sanitizer builds link the tests against millrace::compiled: the non-template code is
    # compiled once instead of in every test file; the first build tested header-only mode)
    build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMILLRACE_CORE_TESTS_ONLY=ON -DMILLRACE_TESTS_COMPILED=ON \
          "-DMILLRACE_SANITIZE=address;undefined"
    (cd build-asan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j "$jobs")
    echo "== the threaded subsystems' tests under ThreadSanitizer (with a ThreadSanitizer build of oneTBB)"
    # (text, dedup_quality and the other pure per-record folders are left out: see tests/CMakeLists.txt)
    bash scripts/build-tbb-tsan.sh build-tsan/tbb-tsan
    build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMILLRACE_BUILD_EXAMPLES=OFF -DMILLRACE_BUILD_BENCHMARKS=OFF \
          -DMILLRACE_SANITIZE=thread -DMILLRACE_TESTS_COMPILED=ON \
          "-DMILLRACE_TEST_SUBSYSTEMS=io;dedup;dedup_spans;ops;llm;faults;augment;filters;lake;tune;langid;recipe" \
          -DTBB_DIR="$PWD/build-tsan/tbb-tsan/lib/cmake/TBB"
    (cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j "$jobs")
    echo "== libFuzzer harnesses (tests/fuzz), 30 s each"
    bash scripts/fuzz.sh 30
    echo "== all tests passed"
    ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
