#!/usr/bin/env bash
# Runs Sluice locally, like Kafka's quickstart: installs the dependencies, configures and builds
# (CMake + Ninja, build dir build/ or $BUILD_DIR), starts ZooKeeper on localhost:2181 (data under run/zookeeper)
# and one broker with config/server.properties (application logs in logs/), then prints how to
# connect and how to stop (scripts/stop-local.sh).
#
#   scripts/run-local.sh               one broker, exactly as config/server.properties says
#   scripts/run-local.sh --brokers 3   a local cluster like Kafka's multi-broker quickstart: brokers
#                                      0..N-1 sharing the one ZooKeeper, broker i with
#                                      broker.id=i, listeners=PLAINTEXT://localhost:(9092+i),
#                                      admin port 9644+i, data in <log.dirs>-i (/tmp/kafka-logs-i)
#                                      and application logs in logs/broker-i; the rest of
#                                      config/server.properties is shared (--override per broker).
# Idempotent: what is already running is left running and reported.
set -euo pipefail

brokers=1
while [ $# -gt 0 ]; do
  case "$1" in
    --brokers) brokers=${2:-}; shift 2 || { echo "error: --brokers needs a number" >&2; exit 1; } ;;
    --brokers=*) brokers=${1#--brokers=}; shift ;;
    -h|--help) sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (usage: $0 [--brokers N])" >&2; exit 1 ;;
  esac
done
if ! [[ "$brokers" =~ ^[1-9][0-9]*$ ]] || [ "$brokers" -gt 10 ]; then
  echo "error: --brokers must be a number from 1 to 10, not '$brokers'" >&2
  exit 1
fi

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

# start_broker NAME PIDFILE LOGDIR ADMIN_PORT [--override k=v]...: starts one broker unless its
# pid file names a running one, and waits until its admin port says /readyz (30 s at most).
start_broker() {
  local name=$1 pid_file=$2 broker_log_dir=$3 admin_port=$4
  shift 4
  if is_running "$pid_file" sluice-broker; then
    echo "$name is already running (pid $(cat "$pid_file"))"
    return
  fi
  mkdir -p "$broker_log_dir"
  setsid nohup "$build/bin/sluice-broker" "$config" "$@" --log-dir "$broker_log_dir" \
    >>"$broker_log_dir/broker.out" 2>&1 </dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 1 300); do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "error: $name exited; see $broker_log_dir/server.log and $broker_log_dir/broker.out:" >&2
      tail -20 "$broker_log_dir/broker.out" >&2
      rm -f "$pid_file"
      exit 1
    fi
    [ "$(http_status "$admin_port" /readyz)" = "200" ] && break
    sleep 0.1
  done
  if [ "$(http_status "$admin_port" /readyz)" != "200" ]; then
    echo "error: $name is not ready after 30 s; see $broker_log_dir/server.log" >&2
    exit 1
  fi
  echo "$name started (pid $(cat "$pid_file")); application logs in $broker_log_dir"
}

if [ "$brokers" -eq 1 ]; then
  listener=$(property listeners "PLAINTEXT://localhost:9092")
  kafka_port=${listener##*:}
  admin_listener=$(property sluice.admin.listener "localhost:9644")
  admin_port=${admin_listener##*:}
  start_broker "The broker" "$broker_pid_file" "$log_dir" "$admin_port"
  bootstrap="localhost:$kafka_port"
  admin_urls="http://localhost:$admin_port"
else
  data_dir=$(property log.dirs "$(property log.dir /tmp/kafka-logs)")
  data_dir=${data_dir%%,*}
  bootstrap=""
  admin_urls=""
  for ((i = 0; i < brokers; i++)); do
    kafka_port=$((9092 + i))
    admin_port=$((9644 + i))
    start_broker "Broker $i" "$run_dir/broker-$i.pid" "$log_dir/broker-$i" "$admin_port" \
      --override "broker.id=$i" \
      --override "listeners=PLAINTEXT://localhost:$kafka_port" \
      --override "advertised.listeners=PLAINTEXT://localhost:$kafka_port" \
      --override "sluice.admin.listener=localhost:$admin_port" \
      --override "log.dirs=$data_dir-$i"
    bootstrap="${bootstrap:+$bootstrap,}localhost:$kafka_port"
    admin_urls="${admin_urls:+$admin_urls }http://localhost:$admin_port"
  done
fi

echo "Sluice is up: bootstrap server $bootstrap (admin $admin_urls)"
echo "Stop it with scripts/stop-local.sh"
