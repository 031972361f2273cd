"""The operator's Kafka side (controller/kafka_admin) against real brokers: ZooKeeper and three
sluice-broker processes (auto.leader.rebalance.enable=false, so leadership moves only when asked),
topics made with kafka-topics.sh and filled with kcat, and kafka_admin_integration_test run one
step at a time with SLUICE_BOOTSTRAP. Between the steps the test looks at the cluster itself:
  * Describe: brokers, controller, partitions, min.insync.replicas (a topic override and the
    broker default) as created;
  * drain of broker 2 (PlanDrain + Reassign, waiting on ListPartitionReassignments): afterwards
    ZooKeeper's assignments hold no broker 2, broker 2 has deleted every partition directory, no
    reassignment znode is left;
  * rebalance back over 0-2 (PlanRebalance): assignments even within one replica per broker;
  * ElectPreferredLeaders after a restart moved leaderships away (one partition by name, then
    all): every state znode's leader is the first replica again;
  * every record produced before the moves reads back, in order, from every partition;
  * refusals (an unknown broker, an unknown partition) name the partition and change nothing;
  * Describe with the first bootstrap broker stopped, and with it paused (SIGSTOP: it accepts
    connections and answers nothing), falls through to the next broker."""

import collections
import os
import subprocess
import sys
import time

from harness.case import E2ETestCase
from harness.paths import build_dir

# name -> (partitions, replication factor, min.insync.replicas or None for the broker default).
TOPICS = {
    "orders": (6, 2, None),
    "events": (4, 2, 2),
    "solo": (2, 1, None),
}
RECORDS_PER_TOPIC = 300
DRAINED = 2


def integration_binary():
    path = os.environ.get("SLUICE_KAFKA_ADMIN_INTEGRATION_TEST") or \
        os.path.join(build_dir(), "bin", "kafka_admin_integration_test")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError(f"kafka_admin_integration_test not found at {path}: build it "
                             "(ninja kafka_admin_integration_test) or set SLUICE_KAFKA_ADMIN_INTEGRATION_TEST")
    return path


class OperatorKafkaAdminTest(E2ETestCase):
    def run_step(self, test, bootstrap, brokers, timeout_ms=10000, **extra_env):
        """Runs one test of the integration binary; returns its elapsed seconds."""
        env = dict(os.environ)
        env.update({
            "SLUICE_BOOTSTRAP": bootstrap,
            "SLUICE_ADMIN_TIMEOUT_MS": str(timeout_ms),
            "SLUICE_EXPECT_BROKERS": ",".join(str(b) for b in brokers),
            "SLUICE_EXPECT_TOPICS": ",".join(f"{name}:{p}:{rf}:{min_isr or 1}"
                                             for name, (p, rf, min_isr) in TOPICS.items()),
            "SLUICE_DRAIN_BROKER": str(DRAINED),
        })
        env.update(extra_env)
        started = time.monotonic()
        completed = subprocess.run([integration_binary(), f"--gtest_filter={test}"], capture_output=True,
                                   text=True, timeout=300, env=env)
        elapsed = time.monotonic() - started
        print(f"[{test}] rc={completed.returncode} {elapsed:.1f}s\n{completed.stdout}{completed.stderr}",
              file=sys.stderr)
        self.assertEqual(completed.returncode, 0, f"{test} failed:\n{completed.stdout}{completed.stderr}")
        self.assertIn("[  PASSED  ] 1 test.", completed.stdout, f"{test} did not run exactly one test")
        return elapsed

    def produce(self, cluster):
        """RECORDS_PER_TOPIC keyed records per topic; returns {(topic, partition): [values in order]}."""
        for topic in TOPICS:
            data = "".join(f"k{i}:{topic}-{i}\n" for i in range(RECORDS_PER_TOPIC)).encode()
            cluster.kcat().produce(topic, data, key_delimiter=":")
        return self.read_all(cluster)

    def read_all(self, cluster):
        records = collections.defaultdict(list)
        for topic in TOPICS:
            out = cluster.kcat().consume(topic, "%p %s\\n").decode()
            for line in out.splitlines():
                partition, value = line.split(" ", 1)
                records[(topic, int(partition))].append(value)
        return dict(records)

    def assignments(self, cluster):
        return {(topic, p): replicas for topic in TOPICS for p, replicas in cluster.assignment(topic).items()}

    def test_describe_drain_rebalance_elect_and_dead_bootstrap(self):
        cluster = self.start_cluster(3, properties={"auto.leader.rebalance.enable": "false"})
        # A layout with broker 2 leading some partitions, following in others, and alone in one.
        for topic, (partitions, rf, min_isr) in TOPICS.items():
            cluster.create_topic(topic, partitions=partitions, replication_factor=rf,
                                 configs={"min.insync.replicas": min_isr} if min_isr else None)
        before = self.assignments(cluster)
        self.assertTrue(any(replicas[0] == DRAINED for replicas in before.values()), before)
        self.assertTrue(any(DRAINED in replicas for replicas in before.values()), before)
        written = self.produce(cluster)
        self.assertEqual(sum(len(v) for v in written.values()), RECORDS_PER_TOPIC * len(TOPICS))

        self.run_step("KafkaAdminAgainstBrokers.Describe", cluster.bootstrap, [0, 1, 2])

        # Drain broker 2.
        self.run_step("KafkaAdminAgainstBrokers.DrainBroker", cluster.bootstrap, [0, 1, 2])
        drained = self.assignments(cluster)
        for key, replicas in drained.items():
            self.assertNotIn(DRAINED, replicas, f"{key} still assigned to broker {DRAINED}: {replicas}")
            self.assertEqual(len(replicas), len(before[key]), f"{key} changed replication factor")
            self.assertEqual(len(set(replicas)), len(replicas), f"{key} has a duplicate replica")
        data_dir = cluster.broker(DRAINED).data_dir

        def partition_dirs():
            return sorted(d for d in os.listdir(data_dir)
                          if any(d.startswith(f"{topic}-") for topic in TOPICS))
        cluster.wait_for(lambda: not partition_dirs(), 60,
                         f"broker {DRAINED} to delete its partition directories")
        with cluster.zk() as zk:
            self.assertIsNone(zk.exists("/admin/reassign_partitions"))
        self.assertEqual(self.read_all(cluster), written, "records changed across the drain")

        # Rebalance back over all three.
        self.run_step("KafkaAdminAgainstBrokers.Rebalance", cluster.bootstrap, [0, 1, 2])
        balanced = self.assignments(cluster)
        per_broker = collections.Counter(b for replicas in balanced.values() for b in replicas)
        print(f"[rebalance] replicas per broker {dict(per_broker)}; assignments {balanced}", file=sys.stderr)
        self.assertEqual(sorted(per_broker), [0, 1, 2])
        self.assertLessEqual(max(per_broker.values()) - min(per_broker.values()), 1, per_broker)
        for key, replicas in balanced.items():
            self.assertEqual(len(replicas), len(before[key]), f"{key} changed replication factor")
        self.assertEqual(self.read_all(cluster), written, "records changed across the rebalance")

        # Leadership away from preferred replicas: a restart of the broker preferred by the most
        # replicated partitions (its leaderships move at shutdown and, with automatic
        # rebalancing off, stay away), then ElectPreferredLeaders brings them back.
        preferred = collections.Counter(replicas[0] for replicas in balanced.values() if len(replicas) > 1)
        restarted = preferred.most_common(1)[0][0]
        cluster.restart_broker(restarted)
        for key, replicas in balanced.items():
            cluster.wait_isr(key[0], key[1], replicas, 60)
        moved_away = [key for key, replicas in balanced.items() if cluster.leader(*key) != replicas[0]]
        print(f"[elect] after restarting broker {restarted}, not led by the preferred replica: {moved_away}",
              file=sys.stderr)
        self.run_step("KafkaAdminAgainstBrokers.ElectPreferredLeaders", cluster.bootstrap, [0, 1, 2])
        for (topic, partition), replicas in balanced.items():
            self.assertEqual(cluster.leader(topic, partition), replicas[0],
                             f"{topic}-{partition} is not led by its preferred replica {replicas}")

        # Refusals change nothing.
        self.run_step("KafkaAdminAgainstBrokers.RefusalsNamePartitions", cluster.bootstrap, [0, 1, 2])
        self.assertEqual(self.assignments(cluster), balanced)

        # The first bootstrap broker stopped: Describe falls through to the next one.
        cluster.stop_broker(0)
        cluster.wait_unregistered(0)
        cluster.wait_controller(not_in=[0])
        for topic, (partitions, _, _) in TOPICS.items():
            for partition in range(partitions):
                replicas = balanced[(topic, partition)]
                if any(b != 0 for b in replicas):
                    cluster.wait_leader(topic, partition, not_in=[0])
        self.run_step("KafkaAdminAgainstBrokers.DescribeThroughFailingBootstrap", cluster.bootstrap, [1, 2])
        cluster.start_broker(0)
        for topic, (partitions, _, _) in TOPICS.items():
            for partition in range(partitions):
                cluster.wait_isr(topic, partition, balanced[(topic, partition)], 60)

        # The first bootstrap broker paused: it accepts the connection and never answers, so
        # the call waits out the timeout for it, then the next broker answers.
        controller = cluster.wait_controller()
        paused = next(b for b in (0, 1, 2) if b != controller)
        order = [paused] + [b for b in (0, 1, 2) if b != paused]
        cluster.pause_broker(paused)
        try:
            elapsed = self.run_step("KafkaAdminAgainstBrokers.DescribeThroughFailingBootstrap",
                                    cluster.bootstrap_of(order), [], timeout_ms=3000)
        finally:
            cluster.resume_broker(paused)
        self.assertGreaterEqual(elapsed, 3.0, "the paused broker was not tried first")
