#!/usr/bin/env bash
# Builds oneTBB with ThreadSanitizer into <prefix> (default: build-tsan/tbb-tsan), from Debian's
# source package of the installed libtbb-dev (same version, same headers).
# Why: TSan only sees synchronization in instrumented code; with Debian's uninstrumented libtbb
# every hand-off between TBB tasks looks like a data race. Takes ~30 s on 2 cores.
#   bash scripts/build-tbb-tsan.sh [prefix]      then configure with -DTBB_DIR=<prefix>/lib/cmake/TBB
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$(realpath -m "${1:-build-tsan/tbb-tsan}")"
if [[ -f "$prefix/lib/cmake/TBB/TBBConfig.cmake" ]]; then
  echo "tbb-tsan: already built in $prefix"
  exit 0
fi
sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
version="$(dpkg-query -W -f='${source:Version}' libtbb-dev)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get source --download-only "onetbb=$version" >/dev/null 2>&1; then
  # no deb-src entry yet: add one for the release this machine runs, then retry
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$codename" | $sudo tee /etc/apt/sources.list.d/millrace-deb-src.sources >/dev/null
  $sudo apt-get update -q >/dev/null
  apt-get source --download-only "onetbb=$version" >/dev/null
fi
tar xf onetbb_*.orig.tar.*
src="$(ls -d oneTBB-*/ | head -1)"
log="$work/build.log"
if ! { cmake -S "$src" -B tbb-build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBB_SANITIZE=thread -DTBB_TEST=OFF \
         -DTBB_EXAMPLES=OFF -DTBBMALLOC_BUILD=OFF -DTBB_STRICT=OFF -DCMAKE_CXX_FLAGS=-Wno-tsan \
         -DCMAKE_INSTALL_PREFIX="$prefix" &&
       cmake --build tbb-build -j "$(nproc)" && cmake --install tbb-build; } >"$log" 2>&1; then
  tail -40 "$log" >&2
  echo "tbb-tsan: building oneTBB with ThreadSanitizer failed" >&2
  exit 1
fi
echo "tbb-tsan: oneTBB $version with ThreadSanitizer installed in $prefix"
