#!/usr/bin/env bash
# image.sh VERSION|SOCKET — import the test image busybox:local into a running engine
# without any registry: a rootfs holding the host's static busybox plus
# applet symlinks, imported from a tarball. The image carries a label with a
# hash of its recipe, so re-running is a no-op until the recipe changes.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# A socket path instead of an engine version: another Docker-compatible
# daemon (scripts/podman.sh).
case "${1:-}" in
  /*) ENGINE_SOCK="$1"; ENGINE_VERSION="at $1" ;;
  *) engine_select "${1:-}" ;;
esac
image_repo=busybox
image_tag=local
busybox=/bin/busybox
applets=(
  sh echo cat sleep ls env printf wc head tail true false id mkdir rm touch
  test '[' grep sed tr cut sort hostname kill cp mv ln pwd date uname ps nc wget timeout
)
passwd='root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false'
group='root:x:0:
nogroup:x:65534:'

engine_ping || die "engine $ENGINE_VERSION does not answer on $ENGINE_SOCK; run: scripts/engine.sh up $ENGINE_VERSION"
[ -x "$busybox" ] || die "no $busybox; install busybox-static (scripts/engine/install.sh does)"
if ldd "$busybox" >/dev/null 2>&1; then
  die "$busybox is dynamically linked; the image needs busybox-static"
fi

recipe="$(
  sha256sum "$busybox" | cut -d' ' -f1
  printf '%s\n' "${applets[@]}" "$passwd" "$group"
)"
recipe_hash="$(printf '%s' "$recipe" | sha256sum | cut -c1-16)"
label=dockhand.test-image.recipe

if engine_api GET "/images/$image_repo:$image_tag/json" 2>/dev/null \
  | grep -q "\"$label\":\"$recipe_hash\""; then
  log "$image_repo:$image_tag is up to date on engine $ENGINE_VERSION"
  exit 0
fi

start="$(now_s)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in "${applets[@]}"; do ln -s busybox "$root/bin/$applet"; done
printf '%s\n' "$passwd" >"$root/etc/passwd"
printf '%s\n' "$group" >"$root/etc/group"
tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .

# Query values for POST /images/create; each "changes" is a Dockerfile line.
urlencode() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [a-zA-Z0-9.~_-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}
# The tag travels in repo: podman 4 ignores the tag parameter of an import.
query="fromSrc=-&repo=$image_repo:$image_tag"
for change in \
  'CMD ["sh"]' \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "LABEL $label=$recipe_hash"; do
  query+="&changes=$(urlencode "$change")"
done

reply="$(ENGINE_API_TIMEOUT=120 engine_api POST "/images/create?$query" \
  -H 'Content-Type: application/x-tar' --data-binary "@$work/rootfs.tar")" \
  || die "importing $image_repo:$image_tag into engine $ENGINE_VERSION failed: $reply"
# The daemon reports failures inside a 200 stream as JSON "error" fields.
if grep -q '"error' <<<"$reply"; then
  die "engine $ENGINE_VERSION rejected the import: $reply"
fi
engine_api GET "/images/$image_repo:$image_tag/json" | grep -q "\"$label\":\"$recipe_hash\"" \
  || die "$image_repo:$image_tag missing on engine $ENGINE_VERSION after import"
log "imported $image_repo:$image_tag into engine $ENGINE_VERSION in $(elapsed "$start")"
