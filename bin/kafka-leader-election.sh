#!/usr/bin/env bash
# Kafka's kafka-leader-election.sh: runs `sluice leader-election` with the same flags
# (--bootstrap-server, --election-type preferred|unclean, and one of --all-topic-partitions,
# --topic with --partition, --path-to-json-file).
source "$(dirname "$0")/sluice-env.sh"
sluice=$(sluice_find sluice) || exit 1
exec "$sluice" leader-election "$@"
