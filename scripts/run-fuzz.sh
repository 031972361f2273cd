#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang in their own build directory and runs
# each for FUZZ_SECONDS, seeded with the golden request frames. Exits non-zero on any crash,
# sanitizer report, timeout or out-of-memory; the input that triggered it is saved as
# $FUZZ_BUILD_DIR/artifacts/<target>-crash-*.
#
#   FUZZ_SECONDS    seconds per target (default 30)
#   FUZZ_BUILD_DIR  build directory (default build-fuzz, beside the repo's other build dirs)
#   FUZZ_TARGETS    space-separated subset to run (default: every *_fuzz target built)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-30}

# Instrument the libraries too (coverage for the fuzzer, ASan/UBSan for the decoders); the fuzz
# targets add -fsanitize=fuzzer themselves. Warnings are the gcc build's job: clang's differ.
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSLUICE_FUZZ=ON -DSLUICE_WERROR=OFF \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" >/dev/null
ninja -C "$build" fuzz_targets

# Seeds: request frames captured from real clients; a response seed per known body shape is
# left to the fuzzer (key + version + body). Corpora live in the build dir and grow across runs.
seed_requests() {
  python3 - "$1" tests/golden/data/*.hex <<'PY'
import os, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    data = bytes.fromhex("".join(open(path).read().split()))
    with open(os.path.join(out, os.path.basename(path)[:-4]), "wb") as f:
        f.write(data)
PY
}
seed_responses() {
  # ApiVersions v0 response body: error 0, one api (18, 0..3); and v3 with an empty tag section.
  printf '\x00\x12\x00\x00\x00\x00\x00\x00\x00\x01\x00\x12\x00\x00\x00\x03' >"$1/api_versions_v0"
  printf '\x00\x12\x00\x03\x00\x00\x02\x00\x12\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00' \
    >"$1/api_versions_v3"
}

targets=${FUZZ_TARGETS:-$(cd "$build/bin" && ls -1 | grep '_fuzz$' | tr '\n' ' ')}
mkdir -p "$build/artifacts"
failed=0
for target in $targets; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  case "$target" in
    request_fuzz) seed_requests "$corpus" ;;
    response_fuzz) seed_responses "$corpus" ;;
  esac
  if [ -d "tests/fuzz/corpus/$target" ]; then cp -n "tests/fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null || true; fi
  printf '==> %s for %ss\n' "$target" "$seconds"
  # -malloc_limit_mb: a decoder trusting a hostile length would allocate far more than this.
  if ! "$build/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
      "$corpus" 2>"$build/artifacts/$target.log"; then
    tail -40 "$build/artifacts/$target.log"
    printf 'FAILED: %s (log: %s)\n' "$target" "$build/artifacts/$target.log"
    failed=1
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$build/artifacts/$target.log" || true
  fi
done
exit "$failed"
