#!/usr/bin/env bash
# Installs everything Sluice needs to build, run and test, from Debian's packages by name and
# npm packages pinned in e2e/package-lock.json. Idempotent: re-running installs only what is missing.
set -euo pipefail

DEBIAN_PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format python3
  # libraries
  libpoco-dev libzookeeper-mt-dev libyaml-cpp-dev libgtest-dev libgmock-dev libboost-dev libcpprest-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libssl-dev
  # real parts the tests run against
  zookeeper netcat-openbsd kcat librdkafka-dev
  # network-namespace fault tests (e2e/harness/netns.py): ip netns, veth, bridge, iptables
  iproute2 iptables
  # containers (e2e/docker): Debian's Docker engine, and debootstrap for the local base image
  docker.io debootstrap
  # a real Kubernetes 1.20.2 node for the operator e2e (e2e/k8s): built from Debian's source
  # package with Debian's Go; etcd, CNI plugins, dnsmasq as cluster DNS, kube-proxy's tools
  golang-1.19-go golang-github-modern-go-reflect2-dev etcd-server etcd-client rsync jq openssl curl
  containernetworking-plugins busybox-static conntrack socat ethtool dnsmasq-base nftables
  # Helm chart rendering without Helm (e2e/chart): Go's text/template with Debian's sprig
  golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev
  # benchmarks
  iperf3 fio lz4 zstd
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm may come from another source (a machine image's own Node.js conflicts with
# Debian's npm package); install Debian's only when no node/npm is on PATH.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# kubectl drives the operator e2e; a machine image may carry a newer one, else Debian's 1.20 client.
command -v kubectl >/dev/null || missing+=(kubernetes-client)
if ((${#missing[@]})); then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

root=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$root/e2e/package-lock.json" ] && [ ! -d "$root/e2e/node_modules" ]; then
  echo "install-deps: installing npm packages from e2e/package-lock.json"
  (cd "$root/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
