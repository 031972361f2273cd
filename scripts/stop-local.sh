#!/usr/bin/env bash
# Stops what scripts/run-local.sh started: the broker, or every broker of a
# `run-local.sh --brokers N` cluster (SIGTERM, then SIGKILL after 30 s), then ZooKeeper. Only processes recorded in run/*.pid whose command line matches are signalled.
# Idempotent: says so when nothing is running.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run_dir="$root/run"

stop_process() {  # name pidfile pattern
  local name=$1 pid_file=$2 pattern=$3 pid
  if [ ! -f "$pid_file" ]; then
    echo "$name is not running"
    return
  fi
  pid=$(cat "$pid_file")
  if ! { [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$pattern"; }; then
    echo "$name is not running (stale pid file)"
    rm -f "$pid_file"
    return
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  echo "$name stopped (pid $pid)"
}

if [ -f "$run_dir/broker.pid" ] || ! compgen -G "$run_dir/broker-*.pid" >/dev/null; then
  stop_process "Broker" "$run_dir/broker.pid" sluice-broker
fi
# The brokers of a multi-broker cluster stop one after the other (highest id first), so each
# controlled shutdown can move its leaders to brokers that are still up.
for pid_file in $(ls -r "$run_dir"/broker-*.pid 2>/dev/null); do
  id=${pid_file##*/broker-}
  stop_process "Broker ${id%.pid}" "$pid_file" sluice-broker
done
stop_process "ZooKeeper" "$run_dir/zookeeper/zookeeper.pid" QuorumPeerMain
