#!/usr/bin/env bash
# Builds oneTBB with ThreadSanitizer into <prefix> (default: build-tsan/tbb-tsan), from Debian's
# source package of the installed libtbb-dev (same version, same headers).
# Why: TSan only sees synchronization in instrumented code; with Debian's uninstrumented libtbb
# every hand-off between TBB tasks looks like a data race. Takes ~30 s on 2 cores.
#   bash scripts/build-tbb-tsan.sh [prefix]      then configure with -DTBB_DIR=<prefix>/lib/cmake/TBB
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/apt-sources.sh
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
  # no deb-src entry yet: derive one from this machine's own "deb" entries of its release (whatever mirror
  # it uses; scripts/lib/apt-sources.sh reads sources.list, *.list and deb822 *.sources), then retry
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  if apt_sources_entries /etc/apt | grep -q '^deb-src|'; then
    echo "tbb-tsan: deb-src entries exist but onetbb $version was not found; updating the package lists"
  else
    entries="$(apt_sources_release /etc/apt "$codename")"
    if [[ -z "$codename" || -z "$entries" ]]; then
      echo "tbb-tsan: no deb-src entry, and no 'deb' entry for release '${codename:-?}' in /etc/apt to derive one from;" \
           "add a deb-src entry for your mirror (e.g. 'Types: deb deb-src' in its .sources stanza)" >&2
      exit 1
    fi
    echo "tbb-tsan: adding /etc/apt/sources.list.d/millrace-deb-src.sources (deb-src of: $(cut -d'|' -f2,3 <<<"$entries" | tr '|\n' '  '))"
    apt_sources_deb822 deb-src <<<"$entries" | $sudo tee /etc/apt/sources.list.d/millrace-deb-src.sources >/dev/null
  fi
  # a third-party source that fails to update must not stop us: apt-get source below says whether it worked
  $sudo apt-get update -q >/dev/null || echo "tbb-tsan: warning: apt-get update reported errors" >&2
  if ! apt-get source --download-only "onetbb=$version" >/dev/null; then
    echo "tbb-tsan: cannot download Debian's source package onetbb $version" >&2
    exit 1
  fi
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
