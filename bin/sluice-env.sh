# Sourced by the bin/*.sh wrappers: finds the installation's programs and LOG_DIR.
# Programs are looked up next to this script (an installed image puts them in the same bin/),
# then in the build tree (build/bin), then on PATH.
sluice_base_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sluice_find() {
  local name=$1
  for candidate in "$sluice_base_dir/bin/$name" "$sluice_base_dir/${BUILD_DIR:-build}/bin/$name"; do
    if [ -x "$candidate" ] && [ ! -d "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  command -v "$name" && return 0
  echo "error: $name not found; build Sluice first (scripts/run-local.sh or cmake --build build)" >&2
  return 1
}
: "${LOG_DIR:=$sluice_base_dir/logs}"
export LOG_DIR
