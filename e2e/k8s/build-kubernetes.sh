#!/usr/bin/env bash
# Builds the Kubernetes v1.20.2 server binaries the operator e2e runs against (kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy) from Debian's `kubernetes` source
# package with Debian's Go 1.19, and caches them in $SLUICE_K8S_BIN (default
# /var/cache/sluice/kubernetes-1.20.2/bin), plus the pod sandbox binary compiled from the same
# tree's build/pause/linux/pause.c (../pause/pause beside bin/; the test node's pause image is made
# of it). Does nothing when all are cached.
#
# ~10-16 min on two cores when cold. The source tree is removed after the build: the binaries are
# the cache (the tree with its Go build cache is ~2 GB and a rebuild from it is rarely needed).
set -euo pipefail
CACHE=${SLUICE_CACHE:-/var/cache/sluice}
BIN=${SLUICE_K8S_BIN:-$CACHE/kubernetes-1.20.2/bin}
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

# The pod sandbox ("pause") binary the test node's pause image is made of, from the same tree.
PAUSE=${SLUICE_K8S_PAUSE:-$(dirname "$BIN")/pause/pause}

WORK=$CACHE/kubernetes-src
TARBALL=kubernetes_1.20.5+really1.20.2.orig.tar.gz

have_binaries() { for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || return 1; done; }
compile_pause() { # pause.c -> $PAUSE (static, like upstream's image)
  mkdir -p "$(dirname "$PAUSE")"
  gcc -Os -Wall -Werror -static -DVERSION=v3.4.1-sluice -o "$PAUSE.tmp" "$1"
  strip "$PAUSE.tmp" && mv "$PAUSE.tmp" "$PAUSE"
}
# Binaries cached before the pause binary was: only pause.c comes out of the source tarball.
if have_binaries && [ ! -x "$PAUSE" ] && [ -f "$WORK/$TARBALL" ]; then
  tmp=$(mktemp -d)
  tar -xzf "$WORK/$TARBALL" -C "$tmp" kubernetes-1.20.2/build/pause/linux/pause.c
  compile_pause "$tmp/kubernetes-1.20.2/build/pause/linux/pause.c"
  rm -rf "$tmp"
  echo "build-kubernetes: pause binary cached in $PAUSE"
fi
if have_binaries && [ -x "$PAUSE" ]; then echo "build-kubernetes: cached in $BIN"; exit 0; fi

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
# `apt-get source` needs a deb-src entry for bookworm main; add one beside Debian's own sources.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
  $SUDO tee /etc/apt/sources.list.d/sluice-deb-src.sources >/dev/null <<SRC
Types: deb-src
URIs: $MIRROR
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $SUDO apt-get update -qq
fi

mkdir -p "$WORK" && cd "$WORK"
start=$(date +%s)
if [ ! -f "$TARBALL" ]; then
  echo "build-kubernetes: downloading Debian's kubernetes source package"
  apt-get source --download-only kubernetes >/dev/null
fi
rm -rf kubernetes-1.20.2
echo "build-kubernetes: unpacking"
tar xzf "$TARBALL"
cd kubernetes-1.20.2

# The vendored github.com/modern-go/reflect2 v1.0.1 crashes binaries built with Go >= 1.18 (SIGSEGV
# on the first custom-resource create); Debian ships v1.0.2, which fixes it.
R=vendor/github.com/modern-go/reflect2
D=/usr/share/gocode/src/github.com/modern-go/reflect2
find "$R" -name '*.go' -delete; rm -f "$R"/*.s
cp "$D"/*.go "$R"/; cp "$D"/*.s "$R"/ 2>/dev/null || true
sed -i 's#github.com/modern-go/reflect2 => github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 => github.com/modern-go/reflect2 v1.0.2#' go.mod
sed -i 's#^\(\# github.com/modern-go/reflect2 v1.0.1\) => github.com/modern-go/reflect2 v1.0.1#\1 => github.com/modern-go/reflect2 v1.0.2#; s#^\# github.com/modern-go/reflect2 => github.com/modern-go/reflect2 v1.0.1#\# github.com/modern-go/reflect2 => github.com/modern-go/reflect2 v1.0.2#' vendor/modules.txt

echo "build-kubernetes: compiling ${BINARIES[*]} (10-16 min on two cores)"
mkdir -p "$WORK/home" "$WORK/gopath"
env PATH="/usr/lib/go-1.19/bin:$PATH" GOPROXY=off GOFLAGS=-mod=vendor GOPATH="$WORK/gopath" \
    HOME="$WORK/home" CGO_ENABLED=0 \
    make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubelet cmd/kube-proxy" \
    > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; echo "build-kubernetes: build failed, log in $WORK/build.log" >&2; exit 1; }
mkdir -p "$BIN"
compile_pause build/pause/linux/pause.c
for b in "${BINARIES[@]}"; do cp "_output/bin/$b" "$BIN/$b.tmp" && mv "$BIN/$b.tmp" "$BIN/$b"; done
cd "$WORK" && rm -rf kubernetes-1.20.2 gopath home
"$BIN/kube-apiserver" --version
echo "build-kubernetes: built in $(( $(date +%s) - start )) s, cached in $BIN"
