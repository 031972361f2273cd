"""bin/kafka-topics.sh (`sluice topics`) against a real broker and ZooKeeper, in both connection
styles: --zookeeper (reads and writes Kafka's znodes, like Kafka 2.1's tool) and --bootstrap-server
(CreateTopics, CreatePartitions, DeleteTopics, Metadata, DescribeConfigs). Every action, Kafka
2.8's output formats, and the error cases: existing/missing topics, --if-exists/--if-not-exists,
bad values, conflicting flags (--zookeeper with --bootstrap-server), and deletion refused with
delete.topic.enable=false."""

import json
import os
import re
import subprocess

from harness.case import E2ETestCase
from harness.paths import REPO_DIR, build_dir
from harness.waiting import wait_until
from harness.zk_client import ZkClient

TOPICS = os.path.join(REPO_DIR, "bin", "kafka-topics.sh")
TOPIC_LINE = re.compile(r"^Topic: (?P<name>\S+)\t(TopicId: [A-Za-z0-9_-]{22}\t)?PartitionCount: (?P<count>\d+)\t"
                        r"ReplicationFactor: (?P<rf>\d+)\tConfigs: (?P<configs>\S*)$")
PARTITION_LINE = re.compile(r"^\tTopic: (?P<name>\S+)\tPartition: (?P<partition>\d+)\tLeader: (?P<leader>\d+|none)\t"
                            r"Replicas: (?P<replicas>[\d,]*)\tIsr: (?P<isr>[\d,]*)$")
ERROR_PREFIX = "Error while executing topic command : "


def tool_env():
    env = dict(os.environ)
    env["BUILD_DIR"] = os.path.relpath(build_dir(), REPO_DIR)
    return env


def run_topics(*args, timeout=60):
    return subprocess.run([TOPICS, *args], capture_output=True, text=True, timeout=timeout, env=tool_env())


class TopicsToolCase(E2ETestCase):
    broker_properties = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sluice = os.path.join(build_dir(), "bin", "sluice")
        if not os.access(sluice, os.X_OK):
            raise AssertionError(f"sluice not found at {sluice}: build it (ninja sluice)")
        cls.zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(cls.zookeeper, properties=cls.broker_properties)
        cls.zk = ["--zookeeper", cls.zookeeper.connect]
        cls.bootstrap = ["--bootstrap-server", cls.broker.bootstrap]

    def ok(self, *args):
        completed = run_topics(*args)
        self.assertEqual(completed.returncode, 0, f"{' '.join(args)}:\n{completed.stdout}{completed.stderr}")
        return completed.stdout

    def fails(self, *args, message):
        """The tool exits 1 and says `message` (on stdout or stderr)."""
        completed = run_topics(*args)
        self.assertEqual(completed.returncode, 1, f"{' '.join(args)} should fail:\n{completed.stdout}")
        self.assertIn(message, completed.stdout + completed.stderr)
        return completed

    def describe(self, connection, topic, *extra):
        """(topic line match, [partition line matches]) once every partition has a leader."""
        def ready():
            lines = self.ok("--describe", *connection, "--topic", topic, *extra).splitlines()
            parts = [PARTITION_LINE.match(line) for line in lines[1:]]
            if any(p is None for p in parts):
                raise AssertionError(f"unexpected describe output {lines!r}")
            return (lines, parts) if parts and all(p["leader"] != "none" for p in parts) else None
        lines, parts = wait_until(ready, 30, f"leaders for every partition of {topic}")
        head = TOPIC_LINE.match(lines[0])
        self.assertIsNotNone(head, lines[0])
        return head, parts

    def list_topics(self, connection, *extra):
        return [line for line in self.ok("--list", *connection, *extra).splitlines() if line]


class ZookeeperStyleTest(TopicsToolCase):
    def test_create_list_describe(self):
        self.assertEqual(self.ok("--create", *self.zk, "--topic", "zk-basic", "--partitions", "3",
                                 "--replication-factor", "1"),
                         "Created topic zk-basic.\n")
        self.assertIn("zk-basic", self.list_topics(self.zk))
        head, parts = self.describe(self.zk, "zk-basic")
        self.assertEqual((head["name"], head["count"], head["rf"], head["configs"]), ("zk-basic", "3", "1", ""))
        self.assertEqual([p["partition"] for p in parts], ["0", "1", "2"])
        self.assertTrue(all(p["replicas"] == "0" and p["isr"] == "0" for p in parts))
        # What the tool wrote is Kafka's layout.
        with ZkClient(self.zookeeper.connect) as zk:
            assignment = zk.get_json("/brokers/topics/zk-basic")
            self.assertEqual(assignment["partitions"], {"0": [0], "1": [0], "2": [0]})
            self.assertEqual(zk.get_json("/config/topics/zk-basic")["config"], {})

    def test_create_existing_topic(self):
        self.ok("--create", *self.zk, "--topic", "zk-dup", "--partitions", "1", "--replication-factor", "1")
        self.fails("--create", *self.zk, "--topic", "zk-dup", "--partitions", "1", "--replication-factor", "1",
                   message=ERROR_PREFIX + "Topic 'zk-dup' already exists.")
        self.assertEqual(self.ok("--create", *self.zk, "--topic", "zk-dup", "--partitions", "1",
                                 "--replication-factor", "1", "--if-not-exists"), "")

    def test_more_replicas_than_brokers(self):
        self.fails("--create", *self.zk, "--topic", "zk-rf", "--partitions", "1", "--replication-factor", "2",
                   message=ERROR_PREFIX + "Replication factor: 2 larger than available brokers: 1.")
        self.assertNotIn("zk-rf", self.list_topics(self.zk))

    def test_period_or_underscore_warns(self):
        out = self.ok("--create", *self.zk, "--topic", "zk.dotted", "--partitions", "1", "--replication-factor", "1")
        self.assertEqual(out, "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore "
                              "('_') could collide. To avoid issues it is best to use either, but not both.\n"
                              "Created topic zk.dotted.\n")
        self.fails("--create", *self.zk, "--topic", "zk_dotted", "--partitions", "1", "--replication-factor", "1",
                   message="Topic 'zk_dotted' collides with existing topics: zk.dotted")

    def test_invalid_name(self):
        completed = self.fails("--create", *self.zk, "--topic", "bad name", "--partitions", "1",
                               "--replication-factor", "1", message=ERROR_PREFIX)
        self.assertIn("bad name", completed.stderr)

    def test_configs_and_overrides(self):
        self.ok("--create", *self.zk, "--topic", "zk-configs", "--partitions", "1", "--replication-factor", "1",
                "--config", "retention.ms=86400000", "--config", "cleanup.policy=compact")
        head, _ = self.describe(self.zk, "zk-configs")
        self.assertEqual(head["configs"], "cleanup.policy=compact,retention.ms=86400000")
        # --topics-with-overrides prints only the topic lines of topics with overrides.
        overridden = self.ok("--describe", *self.zk, "--topics-with-overrides").splitlines()
        self.assertTrue(any(line.startswith("Topic: zk-configs\t") for line in overridden), overridden)
        self.assertFalse(any(line.startswith("\t") for line in overridden), overridden)
        # --alter --config / --delete-config rewrite /config/topics/<t> and notify the brokers.
        out = self.ok("--alter", *self.zk, "--topic", "zk-configs", "--config", "retention.ms=1000",
                      "--delete-config", "cleanup.policy")
        self.assertIn("Updated config for topic zk-configs.", out)
        with ZkClient(self.zookeeper.connect) as zk:
            self.assertEqual(zk.get_json("/config/topics/zk-configs")["config"], {"retention.ms": "1000"})
            changes = [json.loads(zk.get_data(f"/config/changes/{name}")[0])
                       for name in zk.get_children("/config/changes")]
        self.assertIn({"version": 2, "entity_path": "topics/zk-configs"}, changes)
        # The broker serves the new override.
        head, _ = self.describe(self.bootstrap, "zk-configs")
        self.assertIn("retention.ms=1000", head["configs"].split(","))

    def test_unknown_config_is_named(self):
        self.fails("--create", *self.zk, "--topic", "zk-badconf", "--partitions", "1", "--replication-factor", "1",
                   "--config", "retention.mss=1", message="Unknown topic config name: retention.mss")
        self.fails("--create", *self.zk, "--topic", "zk-badconf", "--partitions", "1", "--replication-factor", "1",
                   "--config", "retention.ms", message='all configs to be added must be in the format "key=val"')

    def test_alter_partitions(self):
        self.ok("--create", *self.zk, "--topic", "zk-grow", "--partitions", "1", "--replication-factor", "1")
        out = self.ok("--alter", *self.zk, "--topic", "zk-grow", "--partitions", "3")
        self.assertIn("WARNING: If partitions are increased for a topic that has a key", out)
        self.assertTrue(out.endswith("Adding partitions succeeded!\n"), out)
        head, parts = self.describe(self.zk, "zk-grow")
        self.assertEqual(head["count"], "3")
        self.assertEqual(len(parts), 3)
        self.fails("--alter", *self.zk, "--topic", "zk-grow", "--partitions", "2",
                   message="The number of partitions for a topic can only be increased. Topic zk-grow currently "
                           "has 3 partitions, 2 would not be an increase.")

    def test_replica_assignment(self):
        self.ok("--create", *self.zk, "--topic", "zk-manual", "--replica-assignment", "0,0")
        head, parts = self.describe(self.zk, "zk-manual")
        self.assertEqual((head["count"], head["rf"]), ("2", "1"))
        # A replica on a broker that does not exist: Kafka's ZooKeeper path writes it as given, and
        # the partition has no leader, which --unavailable-partitions reports.
        self.ok("--create", *self.zk, "--topic", "zk-orphan", "--replica-assignment", "7")
        out = wait_until(lambda: self.ok("--describe", *self.zk, "--topic", "zk-orphan", "--unavailable-partitions"),
                         15, "zk-orphan to be described")
        self.assertTrue(out.startswith("\tTopic: zk-orphan\tPartition: 0\tLeader: none\tReplicas: 7\tIsr: "), out)
        self.assertEqual(len(out.splitlines()), 1, out)
        self.fails("--create", *self.zk, "--topic", "zk-dupreplica", "--replica-assignment", "0:0",
                   message="Partition replica lists may not contain duplicate entries: 0")

    def test_topic_regex_for_list_and_describe(self):
        for name in ("rx-a1", "rx-a2", "rx-b1"):
            self.ok("--create", *self.zk, "--topic", name, "--partitions", "1", "--replication-factor", "1")
        self.assertEqual(self.list_topics(self.zk, "--topic", "rx-a.*"), ["rx-a1", "rx-a2"])
        self.assertEqual(self.list_topics(self.zk, "--topic", "rx-a1,rx-b1"), ["rx-a1", "rx-b1"])
        described = self.ok("--describe", *self.zk, "--topic", "rx-.1").splitlines()
        self.assertEqual([TOPIC_LINE.match(line)["name"] for line in described if TOPIC_LINE.match(line)],
                         ["rx-a1", "rx-b1"])

    def test_missing_topic(self):
        for action in ("--describe", "--delete"):
            self.fails(action, *self.zk, "--topic", "no-such-topic",
                       message=ERROR_PREFIX + "Topic 'no-such-topic' does not exist as expected")
            self.assertEqual(self.ok(action, *self.zk, "--topic", "no-such-topic", "--if-exists"), "")
        self.fails("--alter", *self.zk, "--topic", "no-such-topic", "--partitions", "2",
                   message="Topic 'no-such-topic' does not exist as expected")

    def test_delete(self):
        self.ok("--create", *self.zk, "--topic", "zk-gone", "--partitions", "2", "--replication-factor", "1")
        self.describe(self.zk, "zk-gone")
        out = self.ok("--delete", *self.zk, "--topic", "zk-gone")
        self.assertEqual(out, "Topic zk-gone is marked for deletion.\n"
                              "Note: This will have no impact if delete.topic.enable is not set to true.\n")
        wait_until(lambda: "zk-gone" not in self.list_topics(self.zk), 60, "zk-gone to leave --list")
        wait_until(lambda: not os.path.exists(self.broker.partition_dir("zk-gone", 0)), 60,
                   "zk-gone-0 to leave the data dir")

    def test_help(self):
        completed = run_topics("--help")
        self.assertEqual(completed.returncode, 0)
        for flag in ("--create", "--zookeeper", "--bootstrap-server", "--replica-assignment", "--if-not-exists"):
            self.assertIn(flag, completed.stdout)


class BootstrapStyleTest(TopicsToolCase):
    def test_create_list_describe(self):
        self.assertEqual(self.ok("--create", *self.bootstrap, "--topic", "bs-basic", "--partitions", "2",
                                 "--replication-factor", "1"),
                         "Created topic bs-basic.\n")
        self.assertIn("bs-basic", self.list_topics(self.bootstrap))
        head, parts = self.describe(self.bootstrap, "bs-basic")
        self.assertEqual((head["name"], head["count"], head["rf"]), ("bs-basic", "2", "1"))
        self.assertEqual([(p["partition"], p["leader"], p["replicas"], p["isr"]) for p in parts],
                         [("0", "0", "0", "0"), ("1", "0", "0", "0")])
        # The same topic seen through ZooKeeper.
        zk_head, _ = self.describe(self.zk, "bs-basic")
        self.assertEqual(zk_head["count"], "2")

    def test_broker_defaults(self):
        self.ok("--create", *self.bootstrap, "--topic", "bs-defaults")
        head, _ = self.describe(self.bootstrap, "bs-defaults")
        self.assertEqual((head["count"], head["rf"]), ("1", "1"))  # num.partitions=1 in the fixture

    def test_create_existing_topic(self):
        self.ok("--create", *self.bootstrap, "--topic", "bs-dup")
        self.fails("--create", *self.bootstrap, "--topic", "bs-dup", message=ERROR_PREFIX)
        self.assertEqual(self.ok("--create", *self.bootstrap, "--topic", "bs-dup", "--if-not-exists"), "")

    def test_more_replicas_than_brokers(self):
        completed = self.fails("--create", *self.bootstrap, "--topic", "bs-rf", "--replication-factor", "3",
                               message=ERROR_PREFIX)
        self.assertIn("eplication factor", completed.stderr)

    def test_configs(self):
        self.ok("--create", *self.bootstrap, "--topic", "bs-configs", "--config", "retention.ms=123456")
        head, _ = self.describe(self.bootstrap, "bs-configs")
        self.assertIn("retention.ms=123456", head["configs"].split(","))
        with ZkClient(self.zookeeper.connect) as zk:
            self.assertEqual(zk.get_json("/config/topics/bs-configs")["config"], {"retention.ms": "123456"})

    def test_alter_partitions(self):
        self.ok("--create", *self.bootstrap, "--topic", "bs-grow", "--partitions", "1")
        self.ok("--alter", *self.bootstrap, "--topic", "bs-grow", "--partitions", "4")
        head, parts = self.describe(self.bootstrap, "bs-grow")
        self.assertEqual((head["count"], len(parts)), ("4", 4))
        self.fails("--alter", *self.bootstrap, "--topic", "bs-grow", "--partitions", "2", message=ERROR_PREFIX)

    def test_min_isr_reports(self):
        # Sluice refuses what Kafka 2.8 accepts here: a topic whose own min.insync.replicas
        # exceeds its replication factor could never take an acks=all write.
        self.fails("--create", *self.bootstrap, "--topic", "bs-minisr2", "--partitions", "2",
                   "--config", "min.insync.replicas=2",
                   message="min.insync.replicas=2 is larger than the replication factor 1")
        # An override that later outgrows the ISR (set the way kafka-configs --zookeeper does) is
        # what the reports are for.
        self.ok("--create", *self.bootstrap, "--topic", "bs-minisr2", "--partitions", "2")
        with ZkClient(self.zookeeper.connect) as zk:
            zk.set_data("/config/topics/bs-minisr2",
                        json.dumps({"version": 1, "config": {"min.insync.replicas": "2"}}).encode())
        self.ok("--create", *self.bootstrap, "--topic", "bs-minisr1", "--partitions", "2")
        self.describe(self.bootstrap, "bs-minisr2")
        self.describe(self.bootstrap, "bs-minisr1")
        under = self.ok("--describe", *self.bootstrap, "--topic", "bs-minisr.", "--under-min-isr-partitions")
        self.assertEqual([PARTITION_LINE.match(line)["name"] for line in under.splitlines()],
                         ["bs-minisr2", "bs-minisr2"])
        at = self.ok("--describe", *self.bootstrap, "--topic", "bs-minisr.", "--at-min-isr-partitions")
        self.assertEqual([PARTITION_LINE.match(line)["name"] for line in at.splitlines()],
                         ["bs-minisr1", "bs-minisr1"])
        self.fails("--describe", *self.zk, "--under-min-isr-partitions",
                   message='Option "[under-min-isr-partitions]" can\'t be used with option "[zookeeper]"')

    def test_alter_configs_needs_kafka_configs(self):
        self.fails("--alter", *self.bootstrap, "--topic", "bs-grow", "--config", "retention.ms=1",
                   message="can't be used with option \"[alter]\"")

    def test_delete(self):
        self.ok("--create", *self.bootstrap, "--topic", "bs-gone", "--partitions", "2")
        self.describe(self.bootstrap, "bs-gone")
        self.assertEqual(self.ok("--delete", *self.bootstrap, "--topic", "bs-gone"), "")
        wait_until(lambda: "bs-gone" not in self.list_topics(self.bootstrap), 60, "bs-gone to leave --list")

    def test_missing_topic(self):
        self.fails("--describe", *self.bootstrap, "--topic", "bs-none",
                   message=ERROR_PREFIX + "Topic 'bs-none' does not exist as expected")
        self.assertEqual(self.ok("--delete", *self.bootstrap, "--topic", "bs-none", "--if-exists"), "")

    def test_unreachable_broker(self):
        completed = run_topics("--list", "--bootstrap-server", "127.0.0.1:1")
        self.assertEqual(completed.returncode, 1)
        self.assertIn("127.0.0.1:1", completed.stderr)


class FlagErrorsTest(TopicsToolCase):
    def test_zookeeper_with_bootstrap_server(self):
        completed = self.fails("--list", *self.zk, *self.bootstrap,
                               message="Only one of --bootstrap-server or --zookeeper must be specified")
        self.assertIn("Option", completed.stderr)  # the usage follows

    def test_no_connection(self):
        self.fails("--list", message="Only one of --bootstrap-server or --zookeeper must be specified")

    def test_no_or_two_actions(self):
        self.fails(*self.zk, message="Command must include exactly one action")
        self.fails("--list", "--describe", *self.zk, message="Command must include exactly one action")

    def test_no_arguments(self):
        completed = run_topics()
        self.assertEqual(completed.returncode, 1)
        self.assertIn("Create, delete, describe, or change a topic.", completed.stderr)

    def test_unknown_flag(self):
        self.fails("--list", *self.zk, "--topicz", "x", message="topicz is not a recognized option")

    def test_missing_required_flags(self):
        self.fails("--create", *self.zk, message='Missing required argument "[topic]"')
        self.fails("--create", *self.zk, "--topic", "t",
                   message='Missing required argument "[partitions]"')

    def test_bad_values(self):
        self.fails("--create", *self.zk, "--topic", "t", "--partitions", "two", "--replication-factor", "1",
                   message="'two'")
        self.fails("--create", *self.zk, "--topic", "t", "--partitions", "0", "--replication-factor", "1",
                   message="The partitions must be greater than 0")
        self.fails("--create", *self.zk, "--topic", "t", "--replica-assignment", "0:x", message="'x'")

    def test_flag_the_action_does_not_take(self):
        self.fails("--list", *self.zk, "--partitions", "3",
                   message='Option "[partitions]" can\'t be used with option "[list]"')


class DeletionDisabledTest(TopicsToolCase):
    broker_properties = {"delete.topic.enable": "false"}

    def test_bootstrap_delete_is_refused(self):
        self.ok("--create", *self.bootstrap, "--topic", "kept")
        self.describe(self.bootstrap, "kept")
        self.fails("--delete", *self.bootstrap, "--topic", "kept", message=ERROR_PREFIX + "Topic deletion is disabled")
        self.assertIn("kept", self.list_topics(self.bootstrap))

    def test_zookeeper_delete_request_is_dropped(self):
        self.ok("--create", *self.zk, "--topic", "kept-zk", "--partitions", "1", "--replication-factor", "1")
        self.describe(self.zk, "kept-zk")
        self.assertIn("is marked for deletion", self.ok("--delete", *self.zk, "--topic", "kept-zk"))

        def dropped():
            with ZkClient(self.zookeeper.connect) as zk:
                return zk.exists("/admin/delete_topics/kept-zk") is None
        wait_until(dropped, 30, "the controller broker to drop the deletion request")
        self.assertIn("kept-zk", self.list_topics(self.zk))
        self.assertTrue(os.path.isdir(self.broker.partition_dir("kept-zk", 0)))
