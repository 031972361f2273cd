#!/usr/bin/env bash
# The official zookeeper image's entrypoint interface, on Debian's ZooKeeper:
#  - started as root to run zkServer.sh: the data/log directories are given to the zookeeper user
#    (uid 1000) and the script re-executes itself as that user;
#  - $ZOO_CONF_DIR/zoo.cfg is generated from ZOO_* variables when absent (a mounted file wins):
#    ZOO_TICK_TIME, ZOO_INIT_LIMIT, ZOO_SYNC_LIMIT, ZOO_AUTOPURGE_*, ZOO_MAX_CLIENT_CNXNS,
#    ZOO_STANDALONE_ENABLED, ZOO_ADMINSERVER_ENABLED, ZOO_4LW_COMMANDS_WHITELIST, ZOO_CFG_EXTRA
#    (space-separated key=value entries) and ZOO_SERVERS (space-separated
#    "server.N=host:2888:3888;2181" entries; default a single local server);
#  - $ZOO_DATA_DIR/myid is written from ZOO_MY_ID (default 1) when absent;
#  - then the command runs (default `zkServer.sh start-foreground`).
set -euo pipefail

if [ "${1:-}" = zkServer.sh ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
  chown -R zookeeper:zookeeper "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
  exec setpriv --reuid=zookeeper --regid=zookeeper --init-groups "$0" "$@"
fi

config="$ZOO_CONF_DIR/zoo.cfg"
if [ ! -f "$config" ]; then
  {
    echo "dataDir=$ZOO_DATA_DIR"
    echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "tickTime=$ZOO_TICK_TIME"
    echo "initLimit=$ZOO_INIT_LIMIT"
    echo "syncLimit=$ZOO_SYNC_LIMIT"
    echo "autopurge.snapRetainCount=$ZOO_AUTOPURGE_SNAPRETAINCOUNT"
    echo "autopurge.purgeInterval=$ZOO_AUTOPURGE_PURGEINTERVAL"
    echo "maxClientCnxns=$ZOO_MAX_CLIENT_CNXNS"
    echo "standaloneEnabled=$ZOO_STANDALONE_ENABLED"
    echo "admin.enableServer=$ZOO_ADMINSERVER_ENABLED"
    if [ -n "${ZOO_4LW_COMMANDS_WHITELIST:-}" ]; then
      echo "4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST"
    fi
    for entry in ${ZOO_CFG_EXTRA:-}; do
      echo "$entry"
    done
    for server in ${ZOO_SERVERS:-server.1=localhost:2888:3888;2181}; do
      echo "$server"
    done
  } >"$config"
fi

if [ ! -f "$ZOO_DATA_DIR/myid" ]; then
  echo "${ZOO_MY_ID:-1}" >"$ZOO_DATA_DIR/myid"
fi

exec "$@"
