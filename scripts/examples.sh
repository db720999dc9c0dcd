#!/usr/bin/env bash
# Smoke test of examples/: runs each one against the engine at DOCKER_HOST and checks that its
# output shows it did its job. Examples that need an engine use IMAGE (default busybox:local, the
# image scripts/engine.sh imports), so nothing is pulled from a registry.
#
#   DOCKER_HOST=unix:///tmp/dk/docker.sock scripts/examples.sh           # every example but swarm
#   DOCKER_HOST=unix:///tmp/dk28/docker.sock scripts/examples.sh --swarm # also swarm-service (engine 28)
#
# Exit status: 0 when every example passed; the summary lists each one.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

swarm=0
for arg in "$@"; do
  case "$arg" in
    --swarm) swarm=1 ;;
    *) echo "usage: $0 [--swarm]" >&2; exit 2 ;;
  esac
done
: "${DOCKER_HOST:?set DOCKER_HOST to the engine the examples should use}"
export IMAGE="${IMAGE:-busybox:local}"
export BASE_IMAGE="${BASE_IMAGE:-$IMAGE}"

tsx=(node --import tsx)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
results=()
failed=0

# example NAME PATTERN CMD...: runs CMD (2 minutes at most), then greps its output for PATTERN
# (an extended regex; every line of it must match somewhere in the output).
example() {
  local name="$1" patterns="$2" rc=0 t0=$SECONDS missing=""
  shift 2
  printf '\n----- %s: %s\n' "$name" "$*"
  if declare -F "$1" >/dev/null; then
    "$@" >"$out/$name.log" 2>&1 || rc=$?   # a function here bounds its own waits
  else
    timeout --kill-after=10s 120s "$@" >"$out/$name.log" 2>&1 || rc=$?
  fi
  sed 's/^/  | /' "$out/$name.log" | tail -n 40
  while IFS= read -r pattern; do
    [ -z "$pattern" ] || grep -Eq -- "$pattern" "$out/$name.log" || missing+="  missing: /$pattern/"$'\n'
  done <<<"$patterns"
  if [ "$rc" = 0 ] && [ -z "$missing" ]; then
    results+=("PASS $name ($((SECONDS - t0))s)")
  else
    printf '%s' "$missing"
    results+=("FAIL $name (exit $rc$([ -n "$missing" ] && echo ", output check failed"))")
    failed=1
  fi
}

# The backend service runs until stopped: start it, call it, stop it with SIGTERM.
backend_service() {
  local log="$out/backend-service.server.log" pid port="" i
  PORT=0 "${tsx[@]}" examples/backend-service.ts >"$log" 2>&1 &
  pid=$!
  for i in $(seq 1 100); do
    port="$(grep -Eo '127\.0\.0\.1:[0-9]+' "$log" | head -n 1 | cut -d: -f2)"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$port" ]; then
    cat "$log"
    kill "$pid" 2>/dev/null
    return 1
  fi
  local base="http://127.0.0.1:$port" rc=0
  echo "GET /containers -> $(curl -s -o /dev/null -w '%{http_code}' "$base/containers")"
  echo "GET /containers/dockhand-no-such -> $(curl -s -w ' %{http_code}' "$base/containers/dockhand-no-such" | tr -s '\n ' ' ')"
  echo "POST /run -> $(curl -s -X POST "$base/run" -d "{\"image\":\"$IMAGE\",\"cmd\":[\"echo\",\"hello from run\"]}" | tr -s '\n ' ' ')"
  kill -TERM "$pid"
  # The service must exit by itself once told to.
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "still running 10 s after SIGTERM"
    kill -KILL "$pid"
    rc=1
  fi
  wait "$pid" 2>/dev/null
  cat "$log"
  return $rc
}

example demo 'exited 0
stdout: "hello from stdout\\n"
typed error after removal: NotFoundError 404' "${tsx[@]}" examples/demo.ts

example pull-progress 'Downloaded newer image for example\.com/demo/app:1\.0
\(5 layers, 80\.0 MB\)' "${tsx[@]}" examples/pull-progress.ts

example backend-service 'GET /containers -> 200
"error": "NotFoundError".* 404
"exitCode": 0
hello from run
SIGTERM: shutting down' backend_service

example ci-script 'built sha256:
ok   - greeting is friendly
all tests passed
tests exited with code 0' "${tsx[@]}" examples/ci-script.ts

example ci-script-failing 'tests exited with code 3' \
  bash -c '"$@"; test $? = 3' _ "${tsx[@]}" examples/ci-script.ts -- sh -c 'echo a failing suite; exit 3'

example exec-stdin 'sort exited 0
wc counted 1048576 bytes
you said: how are you\?
interactive shell exited 0' "${tsx[@]}" examples/exec-stdin.ts

example events 'container create
container start
container destroy
printed "working\\n" and exited 0' "${tsx[@]}" examples/events.ts

example copy-files '/srv/site/css:
copied out site \(a directory: true
build.txt says: built inside
NotFoundError' "${tsx[@]}" examples/copy-files.ts

example build-progress '#[0-9]+ \[2/4\] COPY message.txt /message.txt
#[0-9]+ [0-9.]+ built at [0-9]+
#[0-9]+ DONE [0-9.]+s
built sha256:' "${tsx[@]}" examples/build-progress.ts

example build-progress-failing '#[0-9]+ [0-9.]+ about to fail
ERROR: failed to build: \[4/4\] RUN echo .about to fail. && exit 3: .*exit code: 3
 > \[4/4\] RUN' \
  bash -c '"$@"; test $? = 1' _ "${tsx[@]}" examples/build-progress.ts --fail

if [ "$swarm" = 1 ]; then
  example swarm-service 'replica on .* is up
scaled to 3 replicas
task .* running in slot 3
removed the service' "${tsx[@]}" examples/swarm-service.ts
fi

printf '\n===== examples against %s\n' "$DOCKER_HOST"
printf '  %s\n' "${results[@]}"
exit "$failed"
