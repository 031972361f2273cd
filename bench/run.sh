#!/usr/bin/env bash
# Usage: bench/run.sh [--build-dir DIR] [--repeats N] [--out DIR] [--keep]
#
# One benchmark run of a single sluice-broker, and this machine's own limits measured in the same
# run, so that the broker's numbers can be read against what the hardware gives:
#   1. machine limits: loopback TCP (iperf3, one stream, 5 s) and sequential 1 MiB writes to the
#      file system that holds the broker's log.dirs (fio: O_DIRECT, and buffered + final fsync);
#   2. throughput: for 100 B and 1 KiB records, topics of 1 and 8 partitions, REPEATS times each:
#      create a fresh topic (CreateTopics), produce N records (acks=all, linger.ms=5), then consume
#      them from the beginning (no consumer group);
#   3. produce latency below saturation: 100 B records at a fixed rate to one partition;
#   4. replication (REPLICATION=1, the default): brokers 1 and 2 join, and for 100 B records to
#      one partition: replication factor 1 acks=all, RF 3 acks=1, RF 3 acks=all
#      (min.insync.replicas=2), the same count each; then failover: sluice_noloss_producer
#      (e2e/clients) writes at FAILOVER_RATE msg/s to an RF 3 partition, the leader is SIGKILLed,
#      and the time from the kill to the next acknowledged message is recorded;
#   5. a markdown report of medians (bench/summarize.py) on stdout and in OUT/report.md.
#
# Starts its own ZooKeeper and broker on free loopback ports in a fresh temporary directory (data
# apart from logs), bounds every step with `timeout`, and stops everything it started on exit.
# Not a test: it asserts nothing about speed, and neither ctest nor scripts/test.sh runs it.
#
# Environment knobs (defaults in brackets): REPLICATION [1], REPL_COUNT [500000] records per
# replication case, FAILOVER_RATE [1000] msg/s, REPEATS [3], SMALL_COUNT [2000000] records of 100 B,
# LARGE_COUNT [500000] records of 1 KiB, LATENCY_RATE [10000] msg/s, LATENCY_SECONDS [5],
# BENCH_TMP [${TMPDIR:-/tmp}] where the work directory (and so the broker's data) lives,
# BENCH_NICE [unset] a niceness for this script and everything it starts (e.g. -10 as root, so
# that other work on a shared machine disturbs the measurement less; recorded in the report).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${SLUICE_BUILD_DIR:-$repo/build}
repeats=${REPEATS:-3}
out_dir=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
small_count=${SMALL_COUNT:-2000000}
large_count=${LARGE_COUNT:-500000}
latency_rate=${LATENCY_RATE:-10000}
latency_seconds=${LATENCY_SECONDS:-5}
replication=${REPLICATION:-1}
repl_count=${REPL_COUNT:-500000}
failover_rate=${FAILOVER_RATE:-1000}

broker_bin=$build_dir/bin/sluice-broker
loadgen=$build_dir/bin/sluice_loadgen
noloss_producer=$build_dir/bin/sluice_noloss_producer
binaries=("$broker_bin" "$loadgen")
[ "$replication" = 1 ] && binaries+=("$noloss_producer")
for binary in "${binaries[@]}"; do
  [ -x "$binary" ] || { echo "error: $binary not built (ninja -C $build_dir sluice-broker sluice_loadgen sluice_noloss_producer)" >&2; exit 1; }
done
for tool in iperf3 fio curl python3 timeout; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done

if [ -n "${BENCH_NICE:-}" ]; then
  renice -n "$BENCH_NICE" -p $$ >/dev/null
fi

work=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/sluice-bench.XXXXXX")
out_dir=${out_dir:-$work/results}
mkdir -p "$out_dir" "$work/zookeeper" "$work/broker/data" "$work/broker/logs"
results=$out_dir/results.jsonl
: >"$results"

# --- processes we start, and their clean-up ---------------------------------------------------

zookeeper_pid=""
broker_pid=""
extra_broker_pids=()  # brokers 1 and 2 of the replication part, indexed by broker id
iperf_server_pid=""
loadgen_pid=""

stop_pid() {  # pid name: SIGTERM, up to 10 s of grace, then SIGKILL
  local pid=$1 name=$2
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "warning: $name (pid $pid) ignored SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid "$loadgen_pid" sluice_loadgen
  stop_pid "$iperf_server_pid" iperf3
  local id
  for id in "${!extra_broker_pids[@]}"; do stop_pid "${extra_broker_pids[$id]}" "sluice-broker $id"; done
  stop_pid "$broker_pid" sluice-broker
  # start-zookeeper.sh records the pid even when it was cut short before printing it.
  [ -n "$zookeeper_pid" ] || zookeeper_pid=$(cat "$work/zookeeper/zookeeper.pid" 2>/dev/null || true)
  stop_pid "$zookeeper_pid" zookeeper
  if [ "$keep" = 1 ] || [ "$status" != 0 ]; then
    echo "work directory kept: $work" >&2
  else
    rm -rf "$work/broker/data" "$work/zookeeper/data" "$work/disk-test"
    echo "logs and results in $work (data removed)" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

say() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# --- machine -------------------------------------------------------------------------------------

cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
memory_kib=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)
filesystem=$(df -T "$work" | awk 'NR == 2 {print $2 " on " $1}')
python3 - "$out_dir/machine.json" <<EOF
import json, sys
json.dump({"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "nproc": $(nproc), "cpu_model": """$cpu_model""",
           "memory_gib": round($memory_kib / 1048576, 1), "kernel": "$(uname -r)",
           "filesystem": "$filesystem", "repeats": $repeats, "niceness": $(nice),
           "loadavg_at_start": "$(cut -d' ' -f1-3 /proc/loadavg)"}, open(sys.argv[1], "w"))
EOF

# --- machine limits ------------------------------------------------------------------------------

say "loopback TCP: iperf3, one stream, 5 s"
iperf_port=$(free_port)
timeout 60 iperf3 -s -1 -p "$iperf_port" >"$work/iperf3-server.log" 2>&1 &
iperf_server_pid=$!
# Wait for the banner, not with a probe connection: with -1 the server would take the probe for
# its one test and refuse the real client.
for _ in $(seq 1 50); do grep -q 'Server listening' "$work/iperf3-server.log" && break; sleep 0.1; done
timeout 60 iperf3 -c 127.0.0.1 -p "$iperf_port" -t 5 -J >"$out_dir/iperf3.json" || true
if ! grep -q '"sum_received"' "$out_dir/iperf3.json"; then
  echo "error: iperf3 failed:" >&2; grep '"error"' "$out_dir/iperf3.json" >&2 || true; exit 1
fi
wait "$iperf_server_pid" 2>/dev/null || true
iperf_server_pid=""

say "sequential write: fio, 1 GiB of 1 MiB blocks, O_DIRECT, then buffered with a final fsync"
mkdir -p "$work/disk-test"
timeout 120 fio --name=seqwrite-direct --filename="$work/disk-test/fio.bin" --rw=write --bs=1M \
  --size=1G --direct=1 --ioengine=sync --output-format=json >"$out_dir/fio-direct.json"
rm -f "$work/disk-test/fio.bin"
timeout 120 fio --name=seqwrite-buffered --filename="$work/disk-test/fio.bin" --rw=write --bs=1M \
  --size=1G --direct=0 --end_fsync=1 --ioengine=sync --output-format=json >"$out_dir/fio-buffered.json"
rm -f "$work/disk-test/fio.bin"

# --- ZooKeeper and the broker --------------------------------------------------------------------

zookeeper_port=$(free_port)
say "ZooKeeper on 127.0.0.1:$zookeeper_port"
zookeeper_pid=$(timeout 60 "$repo/scripts/start-zookeeper.sh" "$work/zookeeper" "$zookeeper_port")

kafka_port=$(free_port)
admin_port=$(free_port)
bootstrap=127.0.0.1:$kafka_port
cat >"$work/broker/server.properties" <<EOF
# written by bench/run.sh
broker.id=0
listeners=PLAINTEXT://$bootstrap
log.dirs=$work/broker/data
zookeeper.connect=127.0.0.1:$zookeeper_port
zookeeper.session.timeout.ms=6000
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
auto.create.topics.enable=false
delete.topic.enable=true
sluice.admin.listener=127.0.0.1:$admin_port
EOF
say "broker on $bootstrap (admin 127.0.0.1:$admin_port)"
LOG_DIR=$work/broker/logs "$broker_bin" "$work/broker/server.properties" --log-dir "$work/broker/logs" \
  >"$work/broker/broker.out" 2>&1 &
broker_pid=$!
ready=0
for _ in $(seq 1 300); do
  kill -0 "$broker_pid" 2>/dev/null || { tail -20 "$work/broker/broker.out" >&2; echo "error: broker exited" >&2; exit 1; }
  if curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$admin_port/readyz"; then ready=1; break; fi
  sleep 0.1
done
[ "$ready" = 1 ] || { echo "error: broker not ready within 30 s" >&2; exit 1; }

# Broker CPU time (user + system, seconds) from /proc: all its threads, summed over every running
# broker (one until the replication part starts brokers 1 and 2).
all_broker_pids() {
  local pid
  for pid in "$broker_pid" "${extra_broker_pids[@]}"; do
    [ -n "$pid" ] && [ -e "/proc/$pid/stat" ] && echo "$pid"
  done
  return 0
}
broker_cpu_seconds() {
  local pid
  for pid in $(all_broker_pids); do cat "/proc/$pid/stat"; done |
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t / hz }'
}

# Seconds the brokers' threads have spent runnable but waiting for a CPU (schedstat's second
# field): on a shared machine, the difference between a slow broker and a starved one.
broker_cpu_wait_seconds() {
  local pid
  for pid in $(all_broker_pids); do cat /proc/"$pid"/task/*/schedstat 2>/dev/null; done |
    awk '{ w += $2 } END { print w / 1e9 }'
}

# Runs the load generator; appends its JSON line to the results, with the case name, the repeat
# and the broker's CPU seconds and CPU-wait seconds meanwhile.
run_loadgen() {  # case repeat timeout_s loadgen-args...
  local case_name=$1 repeat=$2 limit=$3
  shift 3
  local before after wait_before wait_after line
  before=$(broker_cpu_seconds)
  wait_before=$(broker_cpu_wait_seconds)
  # In the background and waited for, so that a signal to this script is handled at once (bash
  # runs traps only between foreground commands) and cleanup() can stop the run.
  timeout "$limit" "$loadgen" "$@" --timeout-s "$((limit - 5))" >"$work/loadgen.out" \
    2>>"$work/loadgen.err" &
  loadgen_pid=$!
  if ! wait "$loadgen_pid"; then
    echo "error: sluice_loadgen $* failed; see $work/loadgen.err" >&2
    tail -5 "$work/loadgen.err" >&2
    exit 1
  fi
  loadgen_pid=""
  line=$(cat "$work/loadgen.out")
  after=$(broker_cpu_seconds)
  wait_after=$(broker_cpu_wait_seconds)
  grep '^#' <<<"$line" >&2 || true
  local extra
  extra=$(awk -v a="$after" -v b="$before" -v wa="$wait_after" -v wb="$wait_before" \
    'BEGIN { printf "\"broker_cpu_s\":%.3f,\"broker_cpu_wait_s\":%.3f", a - b, wa - wb }')
  grep '^{' <<<"$line" | sed "s|}\$|,\"case\":\"$case_name\",\"repeat\":$repeat,$extra}|" >>"$results"
}

# --- throughput ----------------------------------------------------------------------------------

for size in 100 1024; do
  if [ "$size" = 100 ]; then count=$small_count; else count=$large_count; fi
  for partitions in 1 8; do
    case_name="${size}B-${partitions}p"
    for repeat in $(seq 1 "$repeats"); do
      topic="bench-${case_name}-r${repeat}"
      say "$case_name repeat $repeat: $count records"
      timeout 60 "$loadgen" create-topic --bootstrap "$bootstrap" --topic "$topic" \
        --partitions "$partitions" --timeout-s 50 >/dev/null 2>>"$work/loadgen.err"
      run_loadgen "$case_name" "$repeat" 180 produce --bootstrap "$bootstrap" --topic "$topic" \
        --count "$count" --size "$size" --acks -1 --linger-ms 5 --label "$case_name"
      run_loadgen "$case_name" "$repeat" 180 consume --bootstrap "$bootstrap" --topic "$topic" \
        --count "$count" --label "$case_name"
    done
  done
done

# --- latency below saturation --------------------------------------------------------------------

case_name="100B-1p-${latency_rate}/s"
for repeat in $(seq 1 "$repeats"); do
  topic="bench-latency-r${repeat}"
  say "latency repeat $repeat: $latency_rate msg/s for $latency_seconds s"
  timeout 60 "$loadgen" create-topic --bootstrap "$bootstrap" --topic "$topic" --partitions 1 \
    --timeout-s 50 >/dev/null 2>>"$work/loadgen.err"
  run_loadgen "$case_name" "$repeat" 120 produce --bootstrap "$bootstrap" --topic "$topic" \
    --count "$((latency_rate * latency_seconds))" --size 100 --acks -1 --linger-ms 5 \
    --rate "$latency_rate" --label "$case_name"
done

# --- replication ---------------------------------------------------------------------------------

# The partition's leader from its state znode (harness/zk_client.py, standard library only).
zk_leader() {  # topic partition
  PYTHONPATH=$repo/e2e python3 - "127.0.0.1:$zookeeper_port" "$1" "$2" <<'PYEOF'
import json, sys
from harness.zk_client import ZkClient
with ZkClient(sys.argv[1]) as zk:
    data, _ = zk.get_data(f"/brokers/topics/{sys.argv[2]}/partitions/{sys.argv[3]}/state")
print(json.loads(data)["leader"])
PYEOF
}

zk_registered() {  # broker id: exit 0 when /brokers/ids/<id> exists
  PYTHONPATH=$repo/e2e python3 - "127.0.0.1:$zookeeper_port" "$1" <<'PYEOF'
import sys
from harness.zk_client import ZkClient
with ZkClient(sys.argv[1]) as zk:
    sys.exit(0 if zk.exists(f"/brokers/ids/{sys.argv[2]}") else 1)
PYEOF
}

start_extra_broker() {  # id
  local id=$1 port admin dir=$work/broker$1
  mkdir -p "$dir/data" "$dir/logs"
  if [ -f "$dir/server.properties" ]; then  # a restart: same ports and dirs
    port=$(sed -n 's|^listeners=PLAINTEXT://127.0.0.1:||p' "$dir/server.properties")
    admin=$(sed -n 's|^sluice.admin.listener=127.0.0.1:||p' "$dir/server.properties")
  else
    port=$(free_port); admin=$(free_port)
    sed -e "s|^broker.id=.*|broker.id=$id|" -e "s|^listeners=.*|listeners=PLAINTEXT://127.0.0.1:$port|" \
      -e "s|^log.dirs=.*|log.dirs=$dir/data|" -e "s|^sluice.admin.listener=.*|sluice.admin.listener=127.0.0.1:$admin|" \
      "$work/broker/server.properties" >"$dir/server.properties"
  fi
  LOG_DIR=$dir/logs "$broker_bin" "$dir/server.properties" --log-dir "$dir/logs" >>"$dir/broker.out" 2>&1 &
  extra_broker_pids[$id]=$!
  for _ in $(seq 1 300); do
    kill -0 "${extra_broker_pids[$id]}" 2>/dev/null || { tail -20 "$dir/broker.out" >&2; echo "error: broker $id exited" >&2; exit 1; }
    if curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$admin/readyz"; then
      echo "127.0.0.1:$port" >"$dir/bootstrap"
      return 0
    fi
    sleep 0.1
  done
  echo "error: broker $id not ready within 30 s" >&2; exit 1
}

if [ "$replication" = 1 ]; then
  say "replication: starting brokers 1 and 2"
  start_extra_broker 1
  start_extra_broker 2
  cluster_bootstrap="$bootstrap,$(cat "$work/broker1/bootstrap"),$(cat "$work/broker2/bootstrap")"
  for repeat in $(seq 1 "$repeats"); do
    for spec in "rf1-acks-all 1 -1" "rf3-acks1 3 1" "rf3-acks-all 3 -1"; do
      read -r label rf acks <<<"$spec"
      case_name="100B-1p-$label"
      topic="bench-$label-r$repeat"
      say "$case_name repeat $repeat: $repl_count records"
      timeout 60 "$loadgen" create-topic --bootstrap "$cluster_bootstrap" --topic "$topic" --partitions 1 \
        --replication-factor "$rf" --min-insync-replicas "$((rf > 1 ? 2 : 1))" --timeout-s 50 \
        >/dev/null 2>>"$work/loadgen.err"
      run_loadgen "$case_name" "$repeat" 180 produce --bootstrap "$cluster_bootstrap" --topic "$topic" \
        --count "$repl_count" --size 100 --acks "$acks" --linger-ms 5 --label "$case_name"
    done

    topic="bench-failover-r$repeat"
    say "failover repeat $repeat: SIGKILL of the leader under $failover_rate msg/s (acks=all, idempotent)"
    timeout 60 "$loadgen" create-topic --bootstrap "$cluster_bootstrap" --topic "$topic" --partitions 1 \
      --replication-factor 3 --min-insync-replicas 2 --timeout-s 50 >/dev/null 2>>"$work/loadgen.err"
    acks_file=$work/failover-r$repeat.txt
    timeout 120 "$noloss_producer" --bootstrap "$cluster_bootstrap" --topic "$topic" --run "f$repeat" \
      --rate "$failover_rate" --duration-ms 25000 --message-timeout-ms 60000 --out "$acks_file" \
      >"$work/failover-r$repeat.out" 2>&1 &
    loadgen_pid=$!
    sleep 5
    leader=$(zk_leader "$topic" 0)
    if [ "$leader" = 0 ]; then victim=$broker_pid; else victim=${extra_broker_pids[$leader]}; fi
    killed_ms=$(date +%s%3N)
    kill -KILL "$victim"
    wait "$loadgen_pid" || { echo "error: sluice_noloss_producer failed; see $work/failover-r$repeat.out" >&2; exit 1; }
    loadgen_pid=""
    python3 - "$acks_file" "$killed_ms" "$leader" "$repeat" >>"$results" <<'PYEOF'
import json, sys
path, killed_ms, leader, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
acked = failed = 0
after = []
for line in open(path):
    words = line.split()
    if words and words[0] == "ack":
        acked += 1
        if int(words[3]) >= killed_ms:
            after.append(int(words[3]))
    elif words and words[0] == "fail":
        failed += 1
print(json.dumps({"mode": "failover", "case": "failover-rf3-acks-all", "repeat": repeat, "killed_leader": leader,
                  "recovery_ms": (min(after) - killed_ms) if after else None, "acked": acked, "failed": failed}))
PYEOF
    tail -1 "$results" >&2
    # The killed broker comes back (on the same dirs) once its ZooKeeper session has expired.
    for _ in $(seq 1 300); do zk_registered "$leader" || break; sleep 0.1; done
    if [ "$leader" = 0 ]; then
      LOG_DIR=$work/broker/logs "$broker_bin" "$work/broker/server.properties" --log-dir "$work/broker/logs" \
        >>"$work/broker/broker.out" 2>&1 &
      broker_pid=$!
    else
      start_extra_broker "$leader"
    fi
    for _ in $(seq 1 300); do zk_registered "$leader" && break; sleep 0.1; done
  done
fi

python3 - "$out_dir/machine.json" <<EOF
import json, sys
machine = json.load(open(sys.argv[1]))
machine["loadavg_at_end"] = "$(cut -d' ' -f1-3 /proc/loadavg)"
json.dump(machine, open(sys.argv[1], "w"))
EOF
cp "$work/broker/server.properties" "$out_dir/"
python3 "$repo/bench/summarize.py" "$out_dir" | tee "$out_dir/report.md"
