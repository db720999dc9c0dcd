#!/usr/bin/env bash
# Podman's Docker-compatible API for dockhand's e2e tests (dev machines and CI):
# Debian's podman (bookworm, 4.x), rootful, `podman system service` on
# unix:///tmp/dkpod/podman.sock. Everything lives under /tmp/dkpod: its own
# containers.conf, storage.conf and registries.conf (picked up through
# CONTAINERS_CONF / CONTAINERS_STORAGE_CONF / CONTAINERS_REGISTRIES_CONF, so
# /etc/containers is never read for them), storage (vfs: works on any host
# filesystem, also inside containers), network configs, pidfile and log.
# No system service; no registry access (busybox:local is imported).
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"

ROOT="${DOCKHAND_PODMAN_ROOT:-/tmp/dkpod}"
SOCK="$ROOT/podman.sock"
HOST="unix://$SOCK"
PIDFILE="$ROOT/podman.pid"
LOG="$ROOT/podman.log"
ETC="$ROOT/etc"
# Away from the engines' ranges (10.220-10.229) and podman's defaults, which a
# system podman may be using.
SUBNET=10.230.0.0/24
POOL=10.231.0.0/16
# podman, runc and conmon; netavark + aardvark-dns for rootful bridge
# networks (with iptables); catatonit for --init; busybox-static for the image.
PACKAGES=(podman conmon runc golang-github-containers-common netavark aardvark-dns catatonit
  iptables iproute2 curl busybox-static)

# shellcheck disable=SC2034  # read by lib/common.sh
LOG_TAG=podman
# shellcheck source=lib/daemon.sh
. "$here/lib/daemon.sh"
# shellcheck source=lib/apt.sh
. "$here/lib/apt.sh"

usage() {
  cat >&2 <<USAGE
usage: scripts/podman.sh COMMAND

  up      install if missing, write the config, start, import busybox:local;
          prints DOCKER_HOST=$HOST on stdout, e.g.
            export "\$(scripts/podman.sh up)"
  down    stop the service (images and containers are kept)
  purge   stop it and delete $ROOT
  status  exit status 0 only if it is running and answering
  host    print the DOCKER_HOST value without checking anything
USAGE
  exit 2
}

export CONTAINERS_CONF="$ETC/containers.conf"
export CONTAINERS_STORAGE_CONF="$ETC/storage.conf"
export CONTAINERS_REGISTRIES_CONF="$ETC/registries.conf"

podman_pid() { pidfile_pid "$PIDFILE" "$SOCK"; }

ping() {
  [ -S "$SOCK" ] && [ "$(curl --silent --max-time 3 --unix-socket "$SOCK" http://podman/_ping 2>/dev/null)" = OK ]
}

write_config() {
  mkdir -p "$ETC" "$ROOT/storage" "$ROOT/run" "$ROOT/networks" "$ROOT/volumes" "$ROOT/tmp"
  cat >"$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "vfs"
graphroot = "$ROOT/storage"
runroot = "$ROOT/run"
CONF
  # Short names resolve to docker.io like Docker's; nothing is ever pulled.
  cat >"$CONTAINERS_REGISTRIES_CONF" <<CONF
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"

# dockerd treats 127.0.0.0/8 registries as plain HTTP; so does this podman for the test registry.
[[registry]]
location = "127.0.0.1:5000"
insecure = true
CONF
  # Podman's rootful defaults (nofile and nproc 1048576) fail with EPERM where the
  # host's hard limits are lower and CAP_SYS_RESOURCE is missing (as inside
  # containers); nofile gets this shell's hard limit, nproc a value any host allows.
  cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]

[network]
network_backend = "netavark"
network_config_dir = "$ROOT/networks"
default_subnet = "$SUBNET"
default_subnet_pools = [{ "base" = "$POOL", "size" = 24 }]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$ROOT/events.log"
tmp_dir = "$ROOT/tmp"
volume_path = "$ROOT/volumes"
# runc: crun refuses hybrid cgroup v1+v2 hosts (as CI machines may be).
runtime = "runc"
CONF
}

up() {
  apt_install "${PACKAGES[@]}"
  if podman_pid >/dev/null && ping; then
    log "already running at $HOST"
  else
    [ "$(id -u)" = 0 ] || die "rootful podman needs root; run as root (or via sudo)"
    stop
    write_config
    : >"$LOG"
    local start deadline pid
    start="$(now_s)"
    # setsid: the service outlives this script and ignores the caller's Ctrl-C.
    # --time=0: it never exits for being idle.
    setsid podman system service --time=0 "$HOST" </dev/null >>"$LOG" 2>&1 &
    pid=$!
    echo "$pid" >"$PIDFILE"
    deadline=$(( $(date +%s) + ${DOCKHAND_ENGINE_START_TIMEOUT:-60} ))
    until ping; do
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 30 "$LOG" >&2 || true
        die "podman system service exited during startup (log: $LOG)"
      fi
      [ "$(date +%s)" -lt "$deadline" ] || { stop; tail -n 30 "$LOG" >&2 || true; die "no answer on $SOCK"; }
      sleep 0.2
    done
    log "up at $HOST in $(elapsed "$start") ($(podman --version), log $LOG)"
  fi
  "$here/engine/image.sh" "$SOCK"
}

stop() {
  local pid
  if pid="$(podman_pid)"; then
    stop_pid "$pid" 20
    log "stopped (pid $pid)"
  fi
  rm -f "$PIDFILE"
  ping && die "something still answers on $SOCK but $PIDFILE does not name it; stop it by hand"
  rm -f "$SOCK"
}

[ $# -eq 1 ] || usage
case "$1" in
  up) up; echo "DOCKER_HOST=$HOST" ;;
  down) stop ;;
  purge)
    stop
    if [ -d "$ROOT" ]; then
      # Containers left running by the stopped service keep their mounts.
      podman rm --all --force >/dev/null 2>&1 || true
      if grep -q " $ROOT/" /proc/mounts; then die "mounts remain under $ROOT; unmount them before purging"; fi
      rm -rf "$ROOT"
    fi
    ;;
  status)
    if podman_pid >/dev/null && ping; then
      # /version runs conmon and runc to ask theirs: seconds, not milliseconds.
      version="$(curl --silent --max-time 30 --unix-socket "$SOCK" http://podman/version |
        grep -o '"ApiVersion":"[^"]*"' | head -n1 | cut -d'"' -f4)" || version=unknown
      echo "podman: running (API $version) DOCKER_HOST=$HOST"
    else
      echo "podman: not running"
      exit 3
    fi
    ;;
  host) echo "$HOST" ;;
  *) usage ;;
esac
