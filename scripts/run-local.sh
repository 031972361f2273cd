#!/usr/bin/env bash
# Runs Sluice locally, like Kafka's quickstart: installs the dependencies, configures and builds
# (CMake + Ninja, build dir build/ or $BUILD_DIR), starts ZooKeeper on localhost:2181 (data under run/zookeeper)
# and one broker with config/server.properties (application logs in logs/), then prints how to
# connect and how to stop (scripts/stop-local.sh).
# Idempotent: what is already running is left running and reported.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
config="config/server.properties"
build=${BUILD_DIR:-build}
run_dir="$root/run"
log_dir="$root/logs"
broker_pid_file="$run_dir/broker.pid"

# The value of a key in server.properties (last one wins, as in Java properties), or $2.
property() {
  local value
  value=$(grep -E "^[[:space:]]*$1[[:space:]]*[=:]" "$config" | tail -1 | sed -E 's/^[^=:]*[=:][[:space:]]*//; s/[[:space:]]*$//' || true)
  printf '%s' "${value:-$2}"
}

is_running() {  # pidfile pattern
  [ -f "$1" ] && [ -r "/proc/$(cat "$1")/cmdline" ] && tr '\0' ' ' <"/proc/$(cat "$1")/cmdline" | grep -q -- "$2"
}

http_status() {  # port path -> prints the HTTP status code (empty if nothing answers)
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" &&
    printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" >&3 &&
    timeout 2 head -1 <&3 | awk '{print $2}' ) 2>/dev/null || true
}

[ -f "$config" ] || { echo "error: $config not found" >&2; exit 1; }

scripts/install-deps.sh

if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build"

mkdir -p "$run_dir/zookeeper" "$log_dir"
zookeeper_port=2181
if is_running "$run_dir/zookeeper/zookeeper.pid" QuorumPeerMain; then
  echo "ZooKeeper is already running (pid $(cat "$run_dir/zookeeper/zookeeper.pid")) on localhost:$zookeeper_port"
else
  zookeeper_pid=$(scripts/start-zookeeper.sh "$run_dir/zookeeper" "$zookeeper_port")
  echo "ZooKeeper started (pid $zookeeper_pid) on localhost:$zookeeper_port"
fi

listener=$(property listeners "PLAINTEXT://localhost:9092")
kafka_port=${listener##*:}
admin_listener=$(property sluice.admin.listener "localhost:9644")
admin_port=${admin_listener##*:}

if is_running "$broker_pid_file" sluice-broker; then
  echo "The broker is already running (pid $(cat "$broker_pid_file"))"
else
  setsid nohup "$build/bin/sluice-broker" "$config" --log-dir "$log_dir" >>"$log_dir/broker.out" 2>&1 </dev/null &
  echo $! >"$broker_pid_file"
  for _ in $(seq 1 300); do
    if ! kill -0 "$(cat "$broker_pid_file")" 2>/dev/null; then
      echo "error: the broker exited; see $log_dir/server.log and $log_dir/broker.out:" >&2
      tail -20 "$log_dir/broker.out" >&2
      rm -f "$broker_pid_file"
      exit 1
    fi
    [ "$(http_status "$admin_port" /readyz)" = "200" ] && break
    sleep 0.1
  done
  if [ "$(http_status "$admin_port" /readyz)" != "200" ]; then
    echo "error: the broker is not ready after 30 s; see $log_dir/server.log" >&2
    exit 1
  fi
  echo "Broker started (pid $(cat "$broker_pid_file")); application logs in $log_dir"
fi

echo "Sluice is up: bootstrap server localhost:$kafka_port (admin http://localhost:$admin_port)"
echo "Stop it with scripts/stop-local.sh"
