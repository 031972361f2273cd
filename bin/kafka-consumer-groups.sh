#!/usr/bin/env bash
# Kafka's kafka-consumer-groups.sh, as typed in Kafka's quickstart and the seed tutorial: runs `sluice consumer-groups` with the same flags.
source "$(dirname "$0")/sluice-env.sh"
sluice=$(sluice_find sluice) || exit 1
exec "$sluice" consumer-groups "$@"
