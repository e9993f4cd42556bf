#!/usr/bin/env bash
# Tests scripts/lib/apt-sources.sh on synthetic apt source folders (one-line .list format and deb822
# .sources format), then prints what it reads from this machine's /etc/apt.
#   bash scripts/test-apt-sources.sh          exit 0 when every check passes
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/apt-sources.sh
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check <name> <expected> <actual>
  if [[ "$2" == "$3" ]]; then echo "ok   $1"
  else echo "FAIL $1"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/     /'; failures=$((failures + 1)); fi
}

# --- one-line format: sources.list and sources.list.d/*.list
list="$tmp/list"; mkdir -p "$list/sources.list.d"
cat >"$list/sources.list" <<'EOF'
# a comment line
deb http://mirror.example.net/debian/ jammy main restricted universe   # trailing comment
deb-src http://mirror.example.net/debian/ jammy main
#deb http://disabled.example.net/debian jammy main
deb [arch=amd64 signed-by=/usr/share/keyrings/example.gpg] http://mirror.example.net/debian jammy-updates main
deb [ arch=amd64,i386 trusted=yes ] http://security.example.net/ubuntu jammy-security main universe
deb cdrom:[Ubuntu 22.04 LTS]/ jammy main
deb https://vendor.example.com/apt stable main
EOF
echo 'deb [signed-by=/etc/apt/keyrings/a.gpg,/etc/apt/keyrings/b.gpg] http://flat.example.org/repo ./' \
  >"$list/sources.list.d/flat.list"
echo 'deb http://ignored.example.org/debian jammy main' >"$list/sources.list.d/old.list.disabled"
check "list: entries" \
"deb|http://mirror.example.net/debian/|jammy|main restricted universe|
deb-src|http://mirror.example.net/debian/|jammy|main|
deb|http://mirror.example.net/debian|jammy-updates|main|/usr/share/keyrings/example.gpg
deb|http://security.example.net/ubuntu|jammy-security|main universe|
deb|https://vendor.example.com/apt|stable|main|
deb|http://flat.example.org/repo|./||/etc/apt/keyrings/a.gpg /etc/apt/keyrings/b.gpg" \
  "$(apt_sources_entries "$list")"
check "list: release entries" \
"deb|http://mirror.example.net/debian/|jammy|main restricted universe|
deb|http://mirror.example.net/debian|jammy-updates|main|/usr/share/keyrings/example.gpg
deb|http://security.example.net/ubuntu|jammy-security|main universe|" \
  "$(apt_sources_release "$list" jammy)"
check "list: mirror" "http://mirror.example.net/debian/|main restricted universe|" "$(apt_sources_mirror "$list" jammy)"
check "list: no mirror for another release" "" "$(apt_sources_mirror "$list" bookworm)"

# --- deb822 format: sources.list.d/*.sources, no sources.list
d822="$tmp/deb822"; mkdir -p "$d822/sources.list.d"
cat >"$d822/sources.list.d/debian.sources" <<'EOF'
Types: deb deb-src
# http://snapshot.example.org/archive/debian/20250520T000000Z
URIs: http://apt-cache.example.net:3142/debian
Suites: trixie trixie-updates
Components: main contrib
 non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://apt-cache.example.net:3142/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Enabled: no
Types: deb
URIs: http://off.example.org/debian
Suites: trixie
Components: main
EOF
cat >"$d822/sources.list.d/vendor.sources" <<'EOF'
types: deb
uris: https://vendor.example.com/apt https://vendor-mirror.example.com/apt
suites: trixie
components: stable
signed-by:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGRAND0M
 -----END PGP PUBLIC KEY BLOCK-----
EOF
echo 'Types: deb' >"$d822/sources.list.d/nodesource.sources.disabled-by-farm"
key=$'\037 -----BEGIN PGP PUBLIC KEY BLOCK-----\037 .\037 mQINBGRAND0M\037 -----END PGP PUBLIC KEY BLOCK-----'
check "deb822: entries" \
"deb|http://apt-cache.example.net:3142/debian|trixie|main contrib non-free-firmware|/usr/share/keyrings/debian-archive-keyring.gpg
deb|http://apt-cache.example.net:3142/debian|trixie-updates|main contrib non-free-firmware|/usr/share/keyrings/debian-archive-keyring.gpg
deb-src|http://apt-cache.example.net:3142/debian|trixie|main contrib non-free-firmware|/usr/share/keyrings/debian-archive-keyring.gpg
deb-src|http://apt-cache.example.net:3142/debian|trixie-updates|main contrib non-free-firmware|/usr/share/keyrings/debian-archive-keyring.gpg
deb|http://apt-cache.example.net:3142/debian-security|trixie-security|main|/usr/share/keyrings/debian-archive-keyring.gpg
deb|https://vendor.example.com/apt|trixie|stable|$key
deb|https://vendor-mirror.example.com/apt|trixie|stable|$key" \
  "$(apt_sources_entries "$d822")"
check "deb822: mirror" "http://apt-cache.example.net:3142/debian|main contrib non-free-firmware|/usr/share/keyrings/debian-archive-keyring.gpg" \
  "$(apt_sources_mirror "$d822" trixie)"
check "deb822: deb-src stanzas" \
"Types: deb-src
URIs: http://apt-cache.example.net:3142/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: https://vendor.example.com/apt
Suites: trixie
Components: stable
Signed-By: 
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGRAND0M
 -----END PGP PUBLIC KEY BLOCK-----" \
  "$(apt_sources_entries "$d822" | sed -n '5p;6p' | apt_sources_deb822 deb-src)"
check "empty folder" "" "$(apt_sources_entries "$tmp/none")"

echo "== this machine's /etc/apt (release $(. /etc/os-release && echo "${VERSION_CODENAME:-?}")):"
apt_sources_entries /etc/apt | sed 's/^/   /'
echo "   mirror for debootstrap: $(apt_sources_mirror /etc/apt "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")")"
if ((failures)); then echo "apt-sources: $failures check(s) failed" >&2; exit 1; fi
echo "apt-sources: all checks passed"
