#!/usr/bin/env bash
# Starts a broker like Kafka's script: kafka-server-start.sh [-daemon] server.properties [--override k=v]...
source "$(dirname "$0")/sluice-env.sh"
if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2
  exit 1
fi
broker=$(sluice_find sluice-broker) || exit 1
exec "$broker" "$@"
