#!/usr/bin/env bash
# Usage: scripts/start-zookeeper.sh DATA_DIR PORT
# Starts Debian's ZooKeeper (standalone QuorumPeerMain) in the background with a zoo.cfg generated
# in DATA_DIR, listening on 127.0.0.1:PORT; waits until it answers `imok` and serves sessions, then
# prints its pid. Output goes to DATA_DIR/zookeeper.out, the pid to DATA_DIR/zookeeper.pid.
# Idempotent: if the ZooKeeper recorded in DATA_DIR is still running, prints its pid and exits 0.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 DATA_DIR PORT" >&2
  exit 2
fi
data_dir=$(mkdir -p "$1" && cd "$1" && pwd)
port=$2
pid_file="$data_dir/zookeeper.pid"

# Sends a four-letter word to the server; prints the answer (empty when nothing listens).
four_letter_word() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$port" && printf '%s' "$1" >&3 && timeout 2 cat <&3 ) 2>/dev/null || true
}

is_our_zookeeper() {  # pid
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "QuorumPeerMain $data_dir/zoo.cfg"
}

if [ -f "$pid_file" ] && is_our_zookeeper "$(cat "$pid_file")"; then
  echo "ZooKeeper already running (pid $(cat "$pid_file"), port $port)" >&2
  cat "$pid_file"
  exit 0
fi
if [ "$(four_letter_word ruok)" = "imok" ]; then
  echo "error: another ZooKeeper already answers on 127.0.0.1:$port" >&2
  exit 1
fi

java_dir=/usr/share/java
[ -f "$java_dir/zookeeper.jar" ] || { echo "error: Debian's zookeeper package is not installed" >&2; exit 1; }
classpath=""
for jar in zookeeper zookeeper-jute slf4j-api slf4j-simple metrics-core commons-cli snappy-java netty-handler \
           netty-common netty-buffer netty-transport netty-codec netty-resolver netty-transport-native-epoll \
           netty-transport-native-unix-common; do
  [ -f "$java_dir/$jar.jar" ] && classpath="$classpath${classpath:+:}$java_dir/$jar.jar"
done

mkdir -p "$data_dir/data"
cat >"$data_dir/zoo.cfg" <<CFG
dataDir=$data_dir/data
clientPort=$port
clientPortAddress=127.0.0.1
tickTime=2000
initLimit=10
syncLimit=5
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=*
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
CFG

setsid nohup java -Xmx512m -cp "$classpath" org.apache.zookeeper.server.quorum.QuorumPeerMain "$data_dir/zoo.cfg" \
  >>"$data_dir/zookeeper.out" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pid_file"

for _ in $(seq 1 300); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "error: ZooKeeper exited; last output:" >&2
    tail -20 "$data_dir/zookeeper.out" >&2
    rm -f "$pid_file"
    exit 1
  fi
  # imok comes as soon as the port is bound; "Mode:" only once it serves sessions.
  if [ "$(four_letter_word ruok)" = "imok" ] && four_letter_word srvr | grep -q '^Mode:'; then
    echo "$pid"
    exit 0
  fi
  sleep 0.1
done
echo "error: ZooKeeper did not answer imok within 30 s; see $data_dir/zookeeper.out" >&2
kill "$pid" 2>/dev/null || true
rm -f "$pid_file"
exit 1
