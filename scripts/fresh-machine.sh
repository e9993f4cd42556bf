#!/usr/bin/env bash
# Runs the README's command the way a new user would: in a fresh minimal Debian/Ubuntu of the release this
# machine runs, made with debootstrap, as root in a chroot, and prints its wall time.
#   bash scripts/fresh-machine.sh demo|test [root-folder]      (default build-fresh/root; or FRESH_ROOT=...)
# The fresh root gets a git clone of the current commit (HEAD) in /src: uncommitted changes are NOT included.
# The mirror and keyring come from this machine's apt sources (scripts/lib/apt-sources.sh), never a fixed address.
# Needs root (or passwordless sudo); installs debootstrap with apt-get when it is missing.
# Exit status: 0 the README command passed; 77 the fresh root could not be made (no root/sudo, no debootstrap,
# debootstrap failed, e.g. no network to the mirror, no permission to mount or chroot) -- a skip, not a pass;
# anything else: the README command failed inside the fresh root (a real failure).
# Environment: FRESH_ROOT, FRESH_CACHE (folder of the cached debootstrap tarball, default <root>/../cache;
# the tarball of downloaded packages is reused for FRESH_CACHE_DAYS days, default 7 -- the root itself is
# made anew every run), FRESH_KEEP=1 (keep the root after a passing run), JOBS (passed to quickstart.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
. scripts/lib/apt-sources.sh
SKIP=77
skip() { echo "fresh-machine: skipped: $*" >&2; exit "$SKIP"; }

what="${1:-}"
case "$what" in
  demo|test) ;;
  *) echo "usage: $0 demo|test [root-folder]" >&2; exit 2 ;;
esac
root="$(realpath -m "${2:-${FRESH_ROOT:-build-fresh/root}}")"
cache="$(realpath -m "${FRESH_CACHE:-$(dirname "$root")/cache}")"

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n env FRESH_CACHE="$cache" FRESH_CACHE_DAYS="${FRESH_CACHE_DAYS:-}" FRESH_KEEP="${FRESH_KEEP:-}" \
         JOBS="${JOBS:-}" bash "$0" "$what" "$root"
  fi
  skip "needs root, or passwordless sudo, for debootstrap, mount and chroot"
fi
case "$root" in
  /|/bin|/boot|/dev|/etc|/home|/lib*|/proc|/root|/run|/sbin|/sys|/tmp|/usr|/var|"$repo")
    echo "fresh-machine: refusing to use $root as the fresh root" >&2; exit 2 ;;
esac

codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
[[ -n "$codename" ]] || skip "/etc/os-release names no VERSION_CODENAME"
arch="$(dpkg --print-architecture 2>/dev/null)" || skip "no dpkg: not a Debian/Ubuntu machine"
mirror_entry="$(apt_sources_mirror /etc/apt "$codename")"
[[ -n "$mirror_entry" ]] || skip "no http(s)/file 'deb' entry for $codename in /etc/apt sources to use as the mirror"
IFS='|' read -r mirror components signed_by <<<"$mirror_entry"

if ! command -v debootstrap >/dev/null; then
  echo "== installing debootstrap"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null 2>&1 ||
      skip "debootstrap is missing and apt-get cannot install it"
  fi
fi
[[ -e "/usr/share/debootstrap/scripts/$codename" ]] || skip "this debootstrap does not know the release $codename"

mounts_under() {  # mount points at or below $1, deepest first
  awk -v r="$1" '{ m = $2; gsub(/\\040/, " ", m); if (m == r || index(m, r "/") == 1) print m }' /proc/self/mounts | sort -r
}
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" || echo "fresh-machine: cannot unmount ${mounted[i]}" >&2
  done
  mounted=()
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- a fresh root, every run (never delete while something is mounted inside: /dev is bind-mounted there)
if [[ -n "$(mounts_under "$root")" ]]; then
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" || true; done < <(mounts_under "$root")
  [[ -z "$(mounts_under "$root")" ]] || skip "something is still mounted under $root; unmount it first"
fi
rm -rf --one-file-system "$root"
mkdir -p "$(dirname "$root")" "$cache"
log="$(dirname "$root")/debootstrap.log"
: >"$log"
opts=(--variant=minbase "--components=${components// /,}")
[[ -n "$signed_by" && "$signed_by" != *' '* && -f "$signed_by" ]] && opts+=("--keyring=$signed_by")
tarball="$cache/debootstrap-$codename-$arch-minbase.tgz"
t0=$SECONDS
if [[ -f "$tarball" && -n "$(find "$tarball" -mtime -"${FRESH_CACHE_DAYS:-7}" 2>/dev/null)" ]]; then
  echo "== fresh $codename root in $root (packages from the cached $tarball)"
  if ! debootstrap "${opts[@]}" --unpack-tarball="$tarball" "$codename" "$root" "$mirror" >>"$log" 2>&1; then
    echo "fresh-machine: the cached tarball did not unpack; downloading again" >&2
    rm -f "$tarball"; rm -rf --one-file-system "$root"
  fi
fi
if [[ ! -x "$root/bin/bash" ]]; then
  echo "== fresh $codename root in $root (debootstrap --variant=minbase from $mirror)"
  rm -f "$tarball"
  work="$cache/make-tarball"; rm -rf --one-file-system "$work"
  if ! debootstrap "${opts[@]}" --make-tarball="$tarball.part" "$codename" "$work" "$mirror" >>"$log" 2>&1; then
    rm -rf --one-file-system "$work" "$tarball.part"
    tail -5 "$log" >&2
    skip "debootstrap could not download $codename from $mirror (see $log)"
  fi
  rm -rf --one-file-system "$work"
  mv "$tarball.part" "$tarball"
  if ! debootstrap "${opts[@]}" --unpack-tarball="$tarball" "$codename" "$root" "$mirror" >>"$log" 2>&1; then
    tail -5 "$log" >&2
    skip "debootstrap could not make the $codename root in $root (see $log)"
  fi
fi

# the machine's own apt sources of its release (updates, security too), keyrings and proxy/validity settings
rm -f "$root/etc/apt/sources.list"
apt_sources_release /etc/apt "$codename" | apt_sources_deb822 deb >"$root/etc/apt/sources.list.d/host.sources"
apt_sources_release /etc/apt "$codename" | cut -d'|' -f5 | tr ' ' '\n' | sort -u | while read -r key; do
  if [[ "$key" == /* && -f "$key" && ! -e "$root$key" ]]; then install -D -m 644 "$key" "$root$key"; fi
done
apt-config dump Acquire::http::Proxy Acquire::https::Proxy Acquire::Check-Valid-Until Acquire::Check-Date \
  >"$root/etc/apt/apt.conf.d/99from-host" 2>/dev/null || true
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"   # start no services
made_s=$((SECONDS - t0))

# --- the current commit, cloned
head="$(git -c safe.directory="$repo" rev-parse HEAD)"
git -c safe.directory="$repo" clone --quiet --no-hardlinks "$repo" "$root/src"
git -C "$root/src" -c advice.detachedHead=false checkout --quiet --detach "$head"
if [[ -n "$(git -c safe.directory="$repo" status --porcelain 2>/dev/null)" ]]; then
  echo "fresh-machine: note: the working tree has uncommitted changes; they are NOT in the fresh root (it has $head)" >&2
fi

# --- mounts (undone by the EXIT trap)
mnt() {  # mnt <mount args...> <target>
  mount "$@" 2>>"$log" || skip "cannot mount ${*: -1} (no permission to mount here?)"
  mounted+=("${*: -1}")
}
mnt -t proc proc "$root/proc"
mnt -t sysfs -o ro sysfs "$root/sys"
mnt --rbind --make-rslave /dev "$root/dev"   # with /dev/pts, /dev/shm; slave: unmounting it never unmounts /dev's
chroot "$root" /bin/true 2>>"$log" || skip "cannot chroot into $root"

echo "== fresh $codename root made in $made_s s; running 'bash scripts/quickstart.sh $what' in it as root (commit ${head:0:12})"
t1=$SECONDS
set +e
env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM="${TERM:-dumb}" \
    LANG=C.UTF-8 ${JOBS:+JOBS="$JOBS"} \
    chroot "$root" /bin/bash -c 'cd /src && exec bash scripts/quickstart.sh "$1"' quickstart "$what"
rc=$?
set -e
took=$((SECONDS - t1))
if ((rc != 0)); then
  echo "fresh-machine $what: FAILED: 'bash scripts/quickstart.sh $what' exited $rc after $took s in the fresh root ($root kept)" >&2
  ((rc == SKIP)) && rc=1   # a failure inside is never a skip
  exit "$rc"
fi
echo "fresh-machine $what: 'bash scripts/quickstart.sh $what' passed in $took s in a fresh $codename root (made in $made_s s)"
cleanup
if [[ -z "${FRESH_KEEP:-}" && -z "$(mounts_under "$root")" ]]; then
  rm -rf --one-file-system "$root"
fi
