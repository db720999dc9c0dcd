#!/usr/bin/env bash
# sid-fetch.sh — unpack dockerd 28.x, containerd and the docker CLI from
# Debian sid into $ENGINE_CACHE/28 without installing them (scripts/lib/sid.sh).
# Reuses the unpacked tree when it is already complete.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../lib/sid.sh
. "$REPO_ROOT/scripts/lib/sid.sh"

want_major=28
dest="$ENGINE_CACHE/28"
packages=(docker.io containerd docker-cli)

if [ -f "$dest/.complete" ]; then
  log "engine 28 cached at $dest ($(paste -sd, "$dest/.complete"))"
  exit 0
fi

start="$(now_s)"
apt_dir="$ENGINE_CACHE/apt-sid"
sid_download "$apt_dir" "${packages[@]}"

engine_deb=("$apt_dir"/debs/docker.io_*.deb)
got="$(dpkg-deb -f "${engine_deb[0]}" Version)"
case "$got" in
  "$want_major".*) ;;
  *) die "Debian sid now ships docker.io $got, not $want_major.x; scripts/engine needs updating" ;;
esac

tmp="$dest.tmp.$$"
sid_unpack "$apt_dir" "$tmp"
# The package's docker-init points at a sibling tini-static that lives in
# another package; use the host's (from the tini package).
ln -sfn /usr/bin/tini-static "$tmp/usr/bin/docker-init"
rm -rf "$dest"
mv "$tmp" "$dest"
rm -rf "$apt_dir"
log "engine 28 unpacked to $dest in $(elapsed "$start") ($(paste -sd, "$dest/.complete"))"
