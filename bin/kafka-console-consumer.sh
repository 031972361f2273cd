#!/usr/bin/env bash
# Kafka's kafka-console-consumer.sh, as typed in Kafka's quickstart: runs `sluice console-consumer` with the same flags.
source "$(dirname "$0")/sluice-env.sh"
sluice=$(sluice_find sluice) || exit 1
exec "$sluice" console-consumer "$@"
