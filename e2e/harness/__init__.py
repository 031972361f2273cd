"""Black-box test harness for Sluice: real ZooKeeper, real sluice-broker processes, real clients.

Python standard library only; run with /usr/bin/python3. Modules:
  processes      child processes in their own process group, always reaped (even on failure)
  waiting        wait_until with a timeout and a description of what was awaited
  ports          free loopback ports
  paths          where the build, the broker binary and the client programs are
  zookeeper      ZooKeeperServer fixture (Debian's QuorumPeerMain)
  zk_client      a minimal ZooKeeper client (jute protocol) for reading/writing znodes
  broker         Broker fixture (server.properties, start, readiness, kill, restart, stop)
  kcat           kcat invocations with timeouts
  kafka_wire     hand-built Kafka requests/responses for raw-socket tests
  prometheus     a reader for /metrics (Prometheus text format)
  crc32c         CRC-32C (Castagnoli), which the standard library lacks
  record_batch   record batch v2 encoding and the on-disk segment reader
  case           E2ETestCase: fixtures tied to unittest's lifecycle, log tails on failure
  cluster        Cluster: ZooKeeper + several brokers (optionally in network namespaces)
  noloss         the no-loss checker: producer logs, reading back, replica comparison
  docker         Debian's Docker engine, the project's images, containers/networks/volumes
  k8s            KubeNode / KubeTestCase: a real Kubernetes 1.20.2 (API-only or full node) via e2e/k8s/node.sh
"""
