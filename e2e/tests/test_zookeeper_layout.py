"""ZooKeeper layout: the broker writes Apache Kafka 2.x's znodes and JSON (research/broker-anchors.md
§1.4), read here with a plain ZooKeeper client, so Kafka's ZooKeeper-era tools see a Kafka cluster;
and a topic created the way `kafka-topics.sh --zookeeper` does it (writing /brokers/topics/<t>)
becomes producible."""

import json
import os
import unittest

from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.waiting import wait_until
from harness.zk_client import ZkClient

TOPIC = "layout"
PARTITIONS = 2
PERSISTENT_PATHS = ("/consumers", "/brokers/ids", "/brokers/topics", "/brokers/seqid", "/config/changes",
                    "/config/topics", "/config/clients", "/config/users", "/config/brokers", "/admin/delete_topics",
                    "/isr_change_notification", "/latest_producer_id_block", "/log_dir_event_notification")


def read_properties(path):
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values


class ZookeeperLayoutTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(cls.zookeeper, properties={"num.partitions": PARTITIONS})
        cls.kcat = Kcat(cls.broker.bootstrap)
        cls.kcat.wait_topic(TOPIC, PARTITIONS)

    def setUp(self):
        super().setUp()
        self.zk = ZkClient(self.zookeeper.connect)
        self.addCleanup(self.zk.close)

    def test_broker_registration_is_ephemeral_kafka_v5_json(self):
        data, stat = self.zk.get_data("/brokers/ids/0")
        self.assertNotEqual(stat.ephemeral_owner, 0, "/brokers/ids/0 must be ephemeral")
        registration = json.loads(data)
        self.assertEqual(registration["version"], 5)
        self.assertEqual(registration["host"], "127.0.0.1")
        self.assertEqual(registration["port"], self.broker.port)
        self.assertEqual(registration["endpoints"], [f"PLAINTEXT://127.0.0.1:{self.broker.port}"])
        self.assertEqual(registration["listener_security_protocol_map"], {"PLAINTEXT": "PLAINTEXT"})
        self.assertEqual(registration["jmx_port"], -1)
        self.assertIsInstance(registration["timestamp"], str)
        self.assertTrue(registration["timestamp"].isdigit())
        self.assertEqual(self.zk.get_children("/brokers/ids"), ["0"])

    def test_the_only_broker_is_the_controller(self):
        data, stat = self.zk.get_data("/controller")
        self.assertNotEqual(stat.ephemeral_owner, 0, "/controller must be ephemeral")
        controller = json.loads(data)
        self.assertEqual(controller["version"], 1)
        self.assertEqual(controller["brokerid"], 0)
        self.assertTrue(str(controller["timestamp"]).isdigit())
        epoch, _ = self.zk.get_data("/controller_epoch")
        self.assertGreaterEqual(int(epoch), 1)
        # Clients learn the controller from Metadata (v1+); kafkajs' admin sends CreateTopics there.
        self.assertEqual(self.kcat.metadata().get("controllerid"), 0, "controller id in the Metadata response")

    def test_persistent_paths_exist(self):
        missing = [path for path in PERSISTENT_PATHS if self.zk.exists(path) is None]
        self.assertEqual(missing, [])

    def test_topic_assignment_znode(self):
        assignment = self.zk.get_json(f"/brokers/topics/{TOPIC}")
        self.assertIn(assignment["version"], (1, 2, 3))
        self.assertEqual(assignment["partitions"], {str(p): [0] for p in range(PARTITIONS)})
        self.assertEqual(self.zk.get_children(f"/brokers/topics/{TOPIC}/partitions"),
                         [str(p) for p in range(PARTITIONS)])

    def test_partition_state_znodes(self):
        controller_epoch = int(self.zk.get_data("/controller_epoch")[0])
        for partition in range(PARTITIONS):
            with self.subTest(partition=partition):
                state = self.zk.get_json(f"/brokers/topics/{TOPIC}/partitions/{partition}/state")
                self.assertEqual(state["version"], 1)
                self.assertEqual(state["leader"], 0)
                self.assertEqual(state["isr"], [0])
                self.assertGreaterEqual(state["leader_epoch"], 0)
                self.assertTrue(1 <= state["controller_epoch"] <= controller_epoch, state)

    def test_cluster_id_matches_meta_properties(self):
        cluster = self.zk.get_json("/cluster/id")
        self.assertEqual(cluster["version"], "1")
        self.assertTrue(cluster["id"])
        meta = read_properties(os.path.join(self.broker.data_dir, "meta.properties"))
        self.assertEqual(meta.get("cluster.id"), cluster["id"])
        self.assertEqual(meta.get("broker.id"), "0")
        self.assertEqual(meta.get("version"), "0")

    def test_topic_written_directly_to_zookeeper_becomes_producible(self):
        topic = "zk-created"
        # What kafka-topics.sh --create --zookeeper (Kafka 2.1, the seed tutorial's release) writes.
        self.zk.create(f"/brokers/topics/{topic}", json.dumps({"version": 1, "partitions": {"0": [0], "1": [0]}}).encode())
        wait_until(lambda: all(self.zk.exists(f"/brokers/topics/{topic}/partitions/{p}/state") for p in (0, 1)),
                   30, f"the controller broker to elect leaders for {topic}")
        self.kcat.wait_topic(topic, 2)
        for partition in (0, 1):
            self.kcat.produce(topic, b"via-zookeeper-%d\n" % partition, partition=partition)
        self.assertEqual(self.kcat.consume(topic, "%p %s\n", partition=0), b"0 via-zookeeper-0\n")
        self.assertEqual(self.kcat.consume(topic, "%p %s\n", partition=1), b"1 via-zookeeper-1\n")
        self.assertEqual(self.zk.get_json(f"/brokers/topics/{topic}/partitions/0/state")["leader"], 0)
        self.assertTrue(os.path.isdir(self.broker.partition_dir(topic, 1)))

    def test_ready_broker_names_the_controller_and_clean_shutdown_removes_its_znodes(self):
        zookeeper = self.start_zookeeper()
        broker = self.start_broker(zookeeper, broker_id=7)
        # Ready means serving: a client connecting at once (kafkajs' admin does) must already
        # learn the controller from Metadata.
        self.assertEqual(Kcat(broker.bootstrap).metadata().get("controllerid"), 7,
                         "Metadata right after /readyz names no controller")
        with ZkClient(zookeeper.connect) as zk:
            self.assertIsNotNone(zk.exists("/brokers/ids/7"))
            self.assertEqual(zk.get_json("/controller")["brokerid"], 7)
            self.assertEqual(broker.stop(), 0, "exit code after SIGTERM")
            self.assertIsNone(zk.exists("/brokers/ids/7"), "registration left behind by a clean shutdown")
            self.assertIsNone(zk.exists("/controller"), "controller znode left behind by a clean shutdown")


if __name__ == "__main__":
    unittest.main()
