#!/usr/bin/env bash
# docker buildx, the oracle for dockhand's BuildKit tests and bench: Debian sid's docker-buildx
# plugin and docker CLI, unpacked (never installed, scripts/lib/sid.sh) under $ROOT, with the
# plugin in a private DOCKER_CONFIG's cli-plugins/. $ROOT/buildx runs `docker buildx` with them,
# against whatever DOCKER_HOST says; the system's docker and ~/.docker are left alone.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="${DOCKHAND_BUILDX_ROOT:-$REPO_ROOT/.cache/buildx}"
TREE="$ROOT/tree"
CONFIG="$ROOT/config"
WRAPPER="$ROOT/buildx"
PACKAGES=(docker-buildx docker-cli)

# shellcheck disable=SC2034  # read by lib/common.sh
LOG_TAG=buildx
# shellcheck source=lib/sid.sh
. "$REPO_ROOT/scripts/lib/sid.sh"

usage() {
  cat >&2 <<EOF2
usage: scripts/buildx.sh COMMAND

  up      fetch if missing; prints DOCKHAND_BUILDX=$WRAPPER (runs \`docker buildx ARGS...\`), e.g.
            export "\$(scripts/buildx.sh up)"; DOCKER_HOST=… "\$DOCKHAND_BUILDX" build --load .
  purge   delete $ROOT
  status  exit status 0 only if it is present and runs
EOF2
  exit 2
}

# works: the wrapper runs and the CLI finds the plugin.
works() { [ -x "$WRAPPER" ] && "$WRAPPER" version >/dev/null 2>&1; }

up() {
  if [ -f "$TREE/.complete" ] && works; then
    log "cached at $ROOT ($(paste -sd, "$TREE/.complete"))"
    return 0
  fi
  local start apt_dir="$ROOT/apt-sid" tmp="$TREE.tmp.$$" plugin
  start="$(now_s)"
  command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null || die "needs apt-get and dpkg-deb (Debian)"
  sid_download "$apt_dir" "${PACKAGES[@]}"
  sid_unpack "$apt_dir" "$tmp"
  rm -rf "$apt_dir"
  plugin="$TREE/usr/libexec/docker/cli-plugins/docker-buildx"
  [ -x "$tmp/usr/libexec/docker/cli-plugins/docker-buildx" ] || die "docker-buildx package has no usr/libexec/docker/cli-plugins/docker-buildx"
  [ -x "$tmp/usr/bin/docker" ] || die "docker-cli package has no usr/bin/docker"
  rm -rf "$TREE" "$CONFIG"
  mv "$tmp" "$TREE"
  mkdir -p "$CONFIG/cli-plugins"
  ln -sfn "$plugin" "$CONFIG/cli-plugins/docker-buildx"
  cat >"$WRAPPER.tmp" <<EOF2
#!/bin/sh
# docker buildx from Debian sid (written by scripts/buildx.sh)
DOCKER_CONFIG='$CONFIG' exec '$TREE/usr/bin/docker' buildx "\$@"
EOF2
  chmod +x "$WRAPPER.tmp"
  mv "$WRAPPER.tmp" "$WRAPPER"
  works || die "$WRAPPER version failed: $("$WRAPPER" version 2>&1 | tail -n 3)"
  log "$("$WRAPPER" version) in $ROOT, fetched in $(elapsed "$start")"
}

[ $# -eq 1 ] || usage
case "$1" in
  up) up; echo "DOCKHAND_BUILDX=$WRAPPER" ;;
  purge) rm -rf "$ROOT" ;;
  status)
    if works; then echo "buildx: $("$WRAPPER" version)"; else echo "buildx: not present"; exit 3; fi
    ;;
  *) usage ;;
esac
