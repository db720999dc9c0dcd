#!/usr/bin/env bash
# Records a daemon's answer to `POST /build?version=2` (BuildKit), for the progress fixtures in
# test/fixtures/buildkit/: the context folder goes up as a tar body (the daemon serves it to BuildKit
# itself, so no session is needed) and the answer's JSON lines are written to OUT as they came.
#
#   scripts/record-build.sh SOCKET CONTEXT_DIR OUT [EXTRA_QUERY]     e.g. … /tmp/dk28/docker.sock ctx out.jsonl 't=x:1'
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 SOCKET CONTEXT_DIR OUT [EXTRA_QUERY]" >&2; exit 2; }
socket=$1 context=$2 out=$3 extra=${4:+&$4}
version=$(curl -sS --unix-socket "$socket" http://docker/version | sed -n 's/.*"ApiVersion":"\([0-9.]*\)".*/\1/p')
tar -C "$context" -cf - . |
  curl -sS --fail-with-body --unix-socket "$socket" -X POST -H 'Content-Type: application/x-tar' --data-binary @- \
    "http://docker/v$version/build?version=2$extra" -o "$out"
echo "recorded $(wc -l <"$out") lines into $out (API $version)"
