#!/usr/bin/env bash
# Kafka's kafka-reassign-partitions.sh: runs `sluice reassign-partitions` with the same flags
# (--bootstrap-server or --zookeeper; --generate, --execute, --verify, --list, --cancel).
source "$(dirname "$0")/sluice-env.sh"
sluice=$(sluice_find sluice) || exit 1
exec "$sluice" reassign-partitions "$@"
