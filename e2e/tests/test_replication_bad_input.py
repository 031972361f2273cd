"""Replication settings that cannot work are refused with a clear error and create nothing:
  * replication factor larger than the live brokers (3 registered of which one is stopped: RF 3
    against 2 live; RF 4 against 3) via kafka-topics.sh --bootstrap-server (CreateTopics) and
    kafka-topics.sh --zookeeper — Kafka's "Replication factor: N larger than available brokers: M.";
  * a manual assignment naming a broker that does not exist, or one replica twice;
  * min.insync.replicas larger than the replication factor (the lead's requirement; Kafka 2.8
    itself accepts it and fails produces later, so this is stricter than the reference);
  * min.insync.replicas=0.
Nothing is written under /brokers/topics for any of them."""

from harness.cluster import run_tool
from harness.replicated import ReplicatedTestCase

ERROR_PREFIX = "Error while executing topic command : "


class ReplicationBadInputTest(ReplicatedTestCase):
    def assert_refused(self, cluster, topic, args, any_of, connection=None):
        connection = connection or ["--bootstrap-server", cluster.bootstrap]
        completed = run_tool("kafka-topics.sh", *connection, "--create", "--topic", topic, *args)
        output = completed.stdout + completed.stderr
        self.assertNotEqual(completed.returncode, 0, f"{topic} {args} was accepted:\n{output}")
        self.assertTrue(any(text in output for text in any_of), f"{topic} {args}: the error does not say "
                                                                f"{any_of}:\n{output}")
        with cluster.zk() as zk:
            self.assertIsNone(zk.exists(f"/brokers/topics/{topic}"), f"{topic} was created anyway")
        return output

    def test_impossible_replication_settings(self):
        cluster = self.start_replicated_cluster()
        zookeeper = ["--zookeeper", cluster.zookeeper.connect]

        self.assert_refused(cluster, "rf4", ["--partitions", "1", "--replication-factor", "4"],
                            ["Replication factor: 4 larger than available brokers: 3."])
        self.assert_refused(cluster, "rf4zk", ["--partitions", "1", "--replication-factor", "4"],
                            ["Replication factor: 4 larger than available brokers: 3."], connection=zookeeper)
        self.assert_refused(cluster, "unknown-broker", ["--replica-assignment", "0:7"], ["7"])
        self.assert_refused(cluster, "twice", ["--replica-assignment", "1:1"], ["duplicate", "Duplicate"])
        self.assert_refused(cluster, "misr", ["--partitions", "1", "--replication-factor", "3",
                                              "--config", "min.insync.replicas=4"], ["min.insync.replicas"])
        self.assert_refused(cluster, "misr0", ["--partitions", "1", "--replication-factor", "3",
                                               "--config", "min.insync.replicas=0"], ["min.insync.replicas"])

        cluster.stop_broker(2)
        cluster.wait_unregistered(2)
        cluster.wait_for(lambda: cluster.metadata_brokers(via=[0, 1]) == [0, 1], 30, "Metadata to list 2 live brokers")
        self.assert_refused(cluster, "rf3", ["--partitions", "1", "--replication-factor", "3"],
                            ["Replication factor: 3 larger than available brokers: 2."])
        self.assert_refused(cluster, "rf3zk", ["--partitions", "1", "--replication-factor", "3"],
                            ["Replication factor: 3 larger than available brokers: 2."], connection=zookeeper)

        # What is possible still works: RF 2 on the 2 live brokers.
        created = run_tool("kafka-topics.sh", "--bootstrap-server", cluster.bootstrap, "--create", "--topic", "rf2",
                           "--partitions", "1", "--replication-factor", "2")
        self.assertEqual(created.returncode, 0, created.stdout + created.stderr)
        self.assertEqual(sorted(cluster.assignment("rf2")[0]), [0, 1])
