#!/bin/bash
# Builds sluice-chart-render offline with Debian's Go 1.19 in GOPATH mode against Debian's sprig
# and yaml.v3 (golang-github-masterminds-sprig-dev, golang-gopkg-yaml.v3-dev), and prints the
# binary's path. The binary is cached under $SLUICE_CACHE_DIR/chart-render-<hash of the sources
# and the Go version> and rebuilt only when that directory is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${SLUICE_CACHE_DIR:-/var/cache/sluice}"
go_bin="${SLUICE_GO:-/usr/lib/go-1.19/bin/go}"
gocode=/usr/share/gocode

if [[ ! -x "$go_bin" ]]; then
  echo "build.sh: Go not found at $go_bin: apt-get install golang-1.19-go (or set SLUICE_GO)" >&2
  exit 1
fi
for pkg in github.com/Masterminds/sprig gopkg.in/yaml.v3 github.com/Masterminds/semver; do
  if [[ ! -d "$gocode/src/$pkg" ]]; then
    echo "build.sh: $gocode/src/$pkg missing: apt-get install golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev" >&2
    exit 1
  fi
done

hash="$( (cd "$here" && cat build.sh ./*.go; "$go_bin" version) | sha256sum | cut -c1-16)"
out_dir="$cache_root/chart-render-$hash"
binary="$out_dir/sluice-chart-render"
if [[ ! -x "$binary" ]]; then
  mkdir -p "$cache_root"
  work="$(mktemp -d "$cache_root/.chart-render-build.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  (cd "$here" && GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH="$work/gopath:$gocode" \
     GOCACHE="$work/gocache" CGO_ENABLED=0 "$go_bin" build -o "$work/sluice-chart-render" .) >&2
  mkdir -p "$work/out" && mv "$work/sluice-chart-render" "$work/out/"
  # A rename makes the cache entry appear complete or not at all (parallel builds race safely).
  mv -T "$work/out" "$out_dir" 2>/dev/null || true
fi
echo "$binary"
