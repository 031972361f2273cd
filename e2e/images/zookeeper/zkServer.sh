#!/usr/bin/env bash
# zkServer.sh for Debian's ZooKeeper in a container (Debian's own script reads its configuration
# from /etc/zookeeper and not from ZOOCFGDIR):
#   zkServer.sh start-foreground [zoo.cfg]   runs QuorumPeerMain in the foreground, logging to stdout
#   zkServer.sh status                       asks the local server (four-letter word srvr)
#   zkServer.sh print-cmd [zoo.cfg]          prints the java command start-foreground would run
# JVMFLAGS are passed to java; ZK_SERVER_HEAP (MB, default 512) sets the maximum heap.
set -euo pipefail

conf_dir=${ZOOCFGDIR:-${ZOO_CONF_DIR:-/conf}}
java_dir=/usr/share/java
# The server's runtime jars only: all of /usr/share/java would bring several SLF4J bindings.
jars=(zookeeper.jar zookeeper-jute.jar slf4j-api.jar slf4j-simple.jar metrics-core.jar commons-cli.jar
      snappy-java.jar netty-handler.jar netty-common.jar netty-buffer.jar netty-transport.jar
      netty-codec.jar netty-resolver.jar netty-transport-native-epoll.jar
      netty-transport-native-unix-common.jar)
classpath=$conf_dir
for jar in "${jars[@]}"; do
  if [ -f "$java_dir/$jar" ]; then classpath="$classpath:$java_dir/$jar"; fi
done

java_command() {
  local config=$1
  # shellcheck disable=SC2206  # JVMFLAGS is a list of flags, split on purpose
  local flags=(${JVMFLAGS:-})
  printf '%s\0' java "-Xmx${ZK_SERVER_HEAP:-512}m" -XX:+UseSerialGC \
    "-Dzookeeper.log.dir=${ZOO_LOG_DIR:-/logs}" -Dzookeeper.jmx.log4j.disable=true \
    "${flags[@]}" -cp "$classpath" org.apache.zookeeper.server.quorum.QuorumPeerMain "$config"
}

client_port() {
  local config=$1 port
  port=$(sed -n 's/^clientPort=\([0-9]*\).*/\1/p' "$config" | tail -1)
  if [ -z "$port" ]; then port=$(sed -n 's/^server\.[0-9]*=.*;\([^;]*:\)\{0,1\}\([0-9]*\)$/\2/p' "$config" | head -1); fi
  echo "${port:-2181}"
}

command=${1:-}
config=${2:-$conf_dir/zoo.cfg}
case "$command" in
  start-foreground)
    mapfile -d '' argv < <(java_command "$config")
    exec "${argv[@]}"
    ;;
  print-cmd)
    java_command "$config" | tr '\0' ' '
    echo
    ;;
  status)
    answer=$(echo srvr | nc -w 10 127.0.0.1 "$(client_port "$config")" || true)
    mode=$(sed -n 's/^Mode: //p' <<<"$answer")
    if [ -z "$mode" ]; then echo "ZooKeeper is not serving: ${answer:-no answer}" >&2; exit 1; fi
    echo "Mode: $mode"
    ;;
  *)
    echo "usage: zkServer.sh start-foreground|status|print-cmd [zoo.cfg]" >&2
    exit 2
    ;;
esac
