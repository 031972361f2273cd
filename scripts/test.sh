#!/usr/bin/env bash
# The whole test suite, from a bare machine: installs what it needs, builds, runs every unit,
# integration and end-to-end test (real ZooKeeper, real brokers, real clients) and a short
# fuzz run. Exit status is non-zero if anything fails.
#
#   BUILD_DIR   build directory (default: build)
#   FUZZ_SECONDS  seconds per fuzz target (default: 30; 0 skips fuzzing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-build}
jobs=$(nproc)

step() { printf '\n==> %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

step "Installing dependencies"
scripts/install-deps.sh

step "Configuring and building ($build)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_WERROR=ON >/dev/null
ninja -C "$build" -j "$jobs"

step "Test substrates (cached under /var/cache/sluice; built only when missing)"
# A real Kubernetes 1.20.2 from Debian's source package (~6-16 min cold on two cores) and the local
# debian:bookworm-slim base image for the Dockerfile (~1 min cold). Done here, timed, rather than
# inside the first test that needs them, so no test timeout has to cover a cold build.
e2e/k8s/build-kubernetes.sh
e2e/docker/dockerd.sh base-image

step "Unit and integration tests"
ctest --test-dir "$build" --output-on-failure -j "$jobs" -LE e2e

step "End-to-end tests (real ZooKeeper, real brokers, real clients)"
ctest --test-dir "$build" --output-on-failure -L e2e

if [ "${FUZZ_SECONDS:-30}" != 0 ] && [ -x scripts/run-fuzz.sh ]; then
  step "Fuzzing decoders for ${FUZZ_SECONDS:-30}s each"
  scripts/run-fuzz.sh
fi
step "All tests passed"
