#!/usr/bin/env bash
# Stops every local broker with SIGTERM (a clean shutdown: flush, checkpoints, deregister), like
# Kafka's script; waits up to 30 s for them to exit.
pids=$(pgrep -f 'sluice-broker' || true)
if [ -z "$pids" ]; then
  echo "No kafka server to stop"
  exit 1
fi
kill -TERM $pids
for _ in $(seq 1 60); do
  alive=""
  for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && exit 0
  sleep 0.5
done
echo "Brokers still running after 30 s:$alive" >&2
exit 1
