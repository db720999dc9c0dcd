# shellcheck shell=bash
# Fetch packages from Debian sid without installing them: apt runs with a private source list,
# lists, cache and status, so the system's apt state stays untouched. Sourced, never run.

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# sid_sources DIR: write DIR/sid.sources or DIR/sid.list, derived from the system's Debian mirror
# entry (it carries the mirror and the key) switched to sid. Both deb822 (*.sources) and one-line
# (*.list) entries are read.
sid_sources() {
  local dir="$1" codename f
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [ -n "$codename" ] || die "cannot tell the Debian release from /etc/os-release"
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    awk -v rel="$codename" '
      BEGIN { RS = ""; FS = "\n" }
      {
        deb = 0; suite = 0; security = 0; out = ""; keep = 0
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^#/) continue
          # Indented lines continue the previous field (e.g. an inline key).
          if (line ~ /^[ \t]/) { if (keep) out = out line "\n"; continue }
          keep = line ~ /^(URIs|Signed-By):/
          if (keep) out = out line "\n"
          if (line ~ /^Types:/ && line ~ /[ \t]deb([ \t]|$)/) deb = 1
          if (line ~ /^Suites:/ && (" " substr(line, 8) " ") ~ ("[ \t]" rel "[ \t]")) suite = 1
          if (line ~ /^URIs:/ && line ~ /security/) security = 1
        }
        if (deb && suite && !security) {
          printf "Types: deb\n%sSuites: sid\nComponents: main\n", out
          exit
        }
      }' "$f" >"$dir/sid.sources"
    [ -s "$dir/sid.sources" ] && return 0
    rm -f "$dir/sid.sources"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # "deb [opts] URI SUITE COMPONENTS..." with SUITE == this release.
    awk -v rel="$codename" '
      $1 == "deb" {
        i = 2; opts = ""
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { opts = opts $i " "; i++ } opts = opts $i " "; i++ }
        if ($(i + 1) == rel && $i !~ /security/) { print "deb " opts $i " sid main"; exit }
      }' "$f" >"$dir/sid.list"
    [ -s "$dir/sid.list" ] && return 0
    rm -f "$dir/sid.list"
  done
  die "no Debian '$codename' entry in /etc/apt/sources.list{,.d/} to derive a sid source from"
}

# sid_download APT_DIR PKG...: download the packages' .deb files from Debian sid into APT_DIR/debs
# (APT_DIR is created afresh and holds apt's private state).
sid_download() {
  local apt_dir="$1"
  shift
  rm -rf "$apt_dir"
  mkdir -p "$apt_dir/sources" "$apt_dir/prefs" "$apt_dir/state/lists/partial" \
    "$apt_dir/cache/archives/partial" "$apt_dir/debs"
  : >"$apt_dir/state/status"
  sid_sources "$apt_dir/sources"
  local apt_opts=(
    -o Dir::Etc::SourceList=/dev/null
    -o "Dir::Etc::SourceParts=$apt_dir/sources"
    -o Dir::Etc::Preferences=/dev/null
    -o "Dir::Etc::PreferencesParts=$apt_dir/prefs"
    -o "Dir::State=$apt_dir/state"
    -o "Dir::State::Lists=$apt_dir/state/lists"
    -o "Dir::State::status=$apt_dir/state/status"
    -o "Dir::Cache=$apt_dir/cache"
    -o Acquire::Languages=none
    # sid's Release expires within days and CI mirrors may lag behind it; the
    # signature is still verified, and the callers check the versions they get.
    -o Acquire::Check-Valid-Until=false
    -o Acquire::Retries=3
    # Files land in the caller's cache dir, which the _apt user may not reach.
    -o APT::Sandbox::User=root
  )
  log "fetching $* from Debian sid"
  apt-get "${apt_opts[@]}" -qq --error-on=any update >&2 \
    || die "apt-get update for Debian sid failed (is the Debian mirror reachable?)"
  (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" -qq download "$@" >&2) \
    || die "apt-get download $* from Debian sid failed"
}

# sid_unpack APT_DIR TREE: unpack every .deb in APT_DIR/debs into TREE (created), listing
# "package version" in TREE/.complete. Callers unpack beside their destination and move the tree
# into place, so an interrupted run never leaves a half-filled tree that looks usable.
sid_unpack() {
  local apt_dir="$1" tree="$2" deb
  rm -rf "$tree"
  mkdir -p "$tree"
  for deb in "$apt_dir"/debs/*.deb; do
    dpkg-deb -x "$deb" "$tree"
    dpkg-deb --show --showformat '${Package} ${Version}\n' "$deb" >>"$tree/.complete"
  done
}
