"""Admin APIs against a real broker and a real ZooKeeper.

1. kafkajs 2.2.4 (npm, pinned) drives createTopics / createPartitions / describeConfigs /
   alterConfigs / deleteTopicRecords / deleteTopics / describeCluster with its own checks
   (e2e/kafkajs/admin.js lists the edge cases); afterwards ZooKeeper must hold what the client
   was told: the altered override set in /config/topics/<t> with a change notification, the
   grown partition list, the deleted topic gone, the cluster id.
2. The APIs and versions kafkajs does not speak, as raw requests (facts from Kafka's protocol
   guide): CreateTopics v7 (flexible: resolved configs, topic ids; duplicate names; TimeoutMs 0),
   IncrementalAlterConfigs v0 (SET, DELETE, APPEND, SUBTRACT and their errors), DescribeConfigs v1
   for BROKER resources, DeleteTopics v6 by topic id, DescribeCluster v0.
"""

import json
import os
import struct
import subprocess
import unittest

from harness.case import E2ETestCase
from harness.kafka_wire import RawConnection, Reader, nullable_string, string, uvarint
from harness.paths import kafkajs_dir, node_modules_dir
from harness.waiting import wait_until
from harness.zk_client import ZkClient

API_CREATE_TOPICS, API_DELETE_TOPICS, API_DESCRIBE_CONFIGS = 19, 20, 32
API_INCREMENTAL_ALTER_CONFIGS, API_DESCRIBE_CLUSTER = 44, 60

NONE, UNKNOWN_TOPIC_OR_PARTITION, REQUEST_TIMED_OUT = 0, 3, 7
INVALID_CONFIG, INVALID_REQUEST, UNKNOWN_TOPIC_ID = 40, 42, 100

TOPIC_RESOURCE, BROKER_RESOURCE = 2, 4
SET, DELETE, APPEND, SUBTRACT = 0, 1, 2, 3
SOURCE_TOPIC, SOURCE_STATIC_BROKER, SOURCE_DEFAULT = 1, 4, 5
INT32_MIN = -2 ** 31


# --- flexible-version encoding (compact strings and arrays, empty tagged fields) --------------

def compact_string(value):
    if value is None:
        return uvarint(0)
    raw = value.encode()
    return uvarint(len(raw) + 1) + raw


def compact_array(items):
    return uvarint(len(items) + 1) + b"".join(items)


NO_TAGS = b"\x00"


class CompactReader(Reader):
    def compact_string(self):
        n = self.uvarint() - 1
        if n < 0:
            return None
        raw = self.data[self.pos:self.pos + n]
        self.pos += n
        return raw.decode()

    def compact_array(self, read_item):
        n = self.uvarint() - 1
        return None if n < 0 else [read_item() for _ in range(n)]

    def array(self, read_item):
        return [read_item() for _ in range(self.take(">i"))]

    def uuid(self):
        raw = self.data[self.pos:self.pos + 16]
        self.pos += 16
        return raw


def flexible_call(connection, api_key, version, body, correlation_id=7):
    """A flexible request (header v2); strips the response header v1's tagged fields."""
    reply = CompactReader(connection.call(api_key, version, body, correlation_id, flexible=True))
    reply.skip_tagged_fields()
    return reply


# --- CreateTopics v7 ---------------------------------------------------------------------------

def create_topics_v7(connection, topics, timeout_ms=15000, validate_only=False):
    """topics: [(name, partitions, replication_factor, {config: value})]. Returns one dict per
    answered topic."""
    body = compact_array([
        compact_string(name) + struct.pack(">ih", partitions, replication) + compact_array([]) +
        compact_array([compact_string(k) + compact_string(v) + NO_TAGS for k, v in configs.items()]) + NO_TAGS
        for name, partitions, replication, configs in topics])
    body += struct.pack(">i?", timeout_ms, validate_only) + NO_TAGS
    r = flexible_call(connection, API_CREATE_TOPICS, 7, body)
    r.take(">i")  # throttle

    def config():
        entry = {"name": r.compact_string(), "value": r.compact_string(), "read_only": r.take(">?"),
                 "source": r.take(">b"), "sensitive": r.take(">?")}
        r.skip_tagged_fields()
        return entry

    def topic():
        result = {"name": r.compact_string(), "topic_id": r.uuid(), "error": r.take(">h"),
                  "message": r.compact_string(), "partitions": r.take(">i"), "replication": r.take(">h")}
        result["configs"] = r.compact_array(config)
        r.skip_tagged_fields()
        return result

    return r.compact_array(topic)


# --- DeleteTopics v6 ---------------------------------------------------------------------------

def delete_topics_v6(connection, targets, timeout_ms=15000):
    """targets: [(name or None, 16-byte topic id)]. Returns [(name, topic_id, error, message)]."""
    body = compact_array([compact_string(name) + topic_id + NO_TAGS for name, topic_id in targets])
    body += struct.pack(">i", timeout_ms) + NO_TAGS
    r = flexible_call(connection, API_DELETE_TOPICS, 6, body)
    r.take(">i")

    def result():
        out = (r.compact_string(), r.uuid(), r.take(">h"), r.compact_string())
        r.skip_tagged_fields()
        return out

    return r.compact_array(result)


# --- DescribeCluster v0 ------------------------------------------------------------------------

def describe_cluster_v0(connection, include_operations):
    r = flexible_call(connection, API_DESCRIBE_CLUSTER, 0, struct.pack(">?", include_operations) + NO_TAGS)
    out = {"throttle": r.take(">i"), "error": r.take(">h"), "message": r.compact_string(),
           "cluster_id": r.compact_string(), "controller": r.take(">i")}

    def broker():
        b = (r.take(">i"), r.compact_string(), r.take(">i"), r.compact_string())
        r.skip_tagged_fields()
        return b

    out["brokers"] = r.compact_array(broker)
    out["operations"] = r.take(">i")
    r.skip_tagged_fields()
    if r.remaining():
        raise AssertionError(f"{r.remaining()} trailing bytes after DescribeCluster v0")
    return out


# --- IncrementalAlterConfigs v0 / DescribeConfigs v1 (not flexible) ----------------------------

def incremental_alter_configs_v0(connection, resources, validate_only=False):
    """resources: [(type, name, [(key, operation, value)])]. Returns [(error, message, type, name)]."""
    body = struct.pack(">i", len(resources))
    for resource_type, name, ops in resources:
        body += struct.pack(">b", resource_type) + string(name) + struct.pack(">i", len(ops))
        for key, operation, value in ops:
            body += string(key) + struct.pack(">b", operation) + nullable_string(value)
    body += struct.pack(">?", validate_only)
    r = CompactReader(connection.call(API_INCREMENTAL_ALTER_CONFIGS, 0, body))
    r.take(">i")
    return r.array(lambda: (r.take(">h"), r.string(), r.take(">b"), r.string()))


def describe_configs(connection, resources, version=1, include_synonyms=False, include_documentation=False):
    """DescribeConfigs v0-v3 (not flexible). resources: [(type, name, keys or None)]. Returns
    [{error, message, type, name, configs}] with configs {key: (value, read_only, source,
    sensitive, [synonyms], type, documentation)}: v0 answers is_default (True -> DEFAULT_CONFIG,
    False -> None) in place of the source; type and documentation are None below v3."""
    body = struct.pack(">i", len(resources))
    for resource_type, name, keys in resources:
        body += struct.pack(">b", resource_type) + string(name)
        body += struct.pack(">i", -1) if keys is None else struct.pack(">i", len(keys)) + b"".join(map(string, keys))
    if version >= 1:
        body += struct.pack(">?", include_synonyms)
    if version >= 3:
        body += struct.pack(">?", include_documentation)
    r = CompactReader(connection.call(API_DESCRIBE_CONFIGS, version, body))
    r.take(">i")

    def entry():
        name, value, read_only = r.string(), r.string(), r.take(">?")
        if version == 0:
            source = SOURCE_DEFAULT if r.take(">?") else None
        else:
            source = r.take(">b")
        sensitive = r.take(">?")
        synonyms = r.array(lambda: (r.string(), r.string(), r.take(">b"))) if version >= 1 else []
        config_type, documentation = (r.take(">b"), r.string()) if version >= 3 else (None, None)
        return name, (value, read_only, source, sensitive, synonyms, config_type, documentation)

    def resource():
        out = {"error": r.take(">h"), "message": r.string(), "type": r.take(">b"), "name": r.string()}
        out["configs"] = dict(r.array(entry))
        return out

    results = r.array(resource)
    if r.remaining():
        raise AssertionError(f"{r.remaining()} trailing bytes after DescribeConfigs v{version}")
    return results


class KafkajsAdminTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not os.path.isdir(os.path.join(node_modules_dir(), "kafkajs")):
            raise AssertionError("kafkajs is not installed: run scripts/install-deps.sh (npm ci in e2e/)")
        cls.zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(cls.zookeeper)
        # Admin clients send to the controller broker: wait until the broker knows it is the one
        # (it learns so from ZooKeeper shortly after it reports ready).
        with RawConnection(cls.broker.port, timeout=30.0) as connection:
            wait_until(lambda: describe_cluster_v0(connection, False)["controller"] == cls.broker.broker_id, 15,
                       "the broker to name itself controller")

    def zk(self):
        client = ZkClient(self.zookeeper.connect)
        self.addCleanup(client.close)
        return client

    def connection(self):
        connection = RawConnection(self.broker.port, timeout=30.0)
        self.addCleanup(connection.sock.close)
        return connection

    def topic_overrides(self, topic):
        return self.zk().get_json(f"/config/topics/{topic}")["config"]

    # --- 1. kafkajs --------------------------------------------------------------------------

    def test_kafkajs_admin_client_and_zookeeper_agree(self):
        out_path = os.path.join(self.scratch_dir("kafkajs-admin"), "admin.json")
        node = subprocess.run(
            ["node", os.path.join(kafkajs_dir(), "admin.js"), "--bootstrap", self.broker.bootstrap,
             "--prefix", "js", "--out", out_path],
            capture_output=True, text=True, timeout=150)
        self.assertEqual(node.returncode, 0, f"node failed:\nstdout: {node.stdout}\nstderr: {node.stderr[-4000:]}")
        with open(out_path) as f:
            facts = json.load(f)

        zk = self.zk()
        with self.subTest("the altered override set is in ZooKeeper, with a change notification"):
            self.assertEqual(self.topic_overrides(facts["topic"]), facts["topicOverrides"])
            notifications = [zk.get_json(f"/config/changes/{child}")
                             for child in zk.get_children("/config/changes")]
            self.assertIn({"version": 2, "entity_path": f"topics/{facts['topic']}"}, notifications)
        with self.subTest("the grown topic has its partitions in ZooKeeper"):
            partitions = zk.get_json(f"/brokers/topics/{facts['topic']}")["partitions"]
            self.assertEqual(sorted(partitions, key=int), [str(p) for p in range(facts["partitions"])])
        with self.subTest("the deleted topic is gone"):
            wait_until(lambda: not zk.exists(f"/brokers/topics/{facts['doomedTopic']}"), 30,
                       "the deleted topic's znode to go")
            wait_until(lambda: not os.path.exists(self.broker.partition_dir(facts["doomedTopic"], 0)), 30,
                       "the deleted topic's partition directory to go")
        with self.subTest("the cluster id is ZooKeeper's"):
            self.assertEqual(zk.get_json("/cluster/id")["id"], facts["clusterId"])

    # --- 2. raw requests -----------------------------------------------------------------------

    def test_create_topics_v7_answers_configs_ids_and_per_topic_errors(self):
        connection = self.connection()
        results = create_topics_v7(connection, [
            ("raw-created", 3, 1, {"retention.ms": "5000"}),
            ("raw-twice", 1, 1, {}),
            ("raw-twice", 1, 1, {}),
            ("raw bad", 1, 1, {}),
            ("raw-bad-config", 1, 1, {"cleanup.policy": "shred"}),
        ])
        by_name = {}
        for result in results:
            by_name.setdefault(result["name"], []).append(result)
        self.assertEqual(len(results), 5, "one answer per topic named")

        created = by_name["raw-created"][0]
        self.assertEqual((created["error"], created["message"]), (NONE, None))
        self.assertEqual((created["partitions"], created["replication"]), (3, 1))
        self.assertNotEqual(created["topic_id"], bytes(16))
        configs = {c["name"]: c for c in created["configs"]}
        self.assertEqual((configs["retention.ms"]["value"], configs["retention.ms"]["source"]), ("5000", SOURCE_TOPIC))
        self.assertEqual((configs["cleanup.policy"]["value"], configs["cleanup.policy"]["source"]), ("delete", SOURCE_DEFAULT))
        self.assertFalse(any(c["read_only"] or c["sensitive"] for c in configs.values()))

        self.assertEqual([r["error"] for r in by_name["raw-twice"]], [INVALID_REQUEST, INVALID_REQUEST])
        self.assertEqual(by_name["raw bad"][0]["error"], 17)  # INVALID_TOPIC_EXCEPTION
        bad_config = by_name["raw-bad-config"][0]
        self.assertEqual(bad_config["error"], INVALID_CONFIG)
        self.assertIn("cleanup.policy", bad_config["message"])
        self.assertIn("shred", bad_config["message"])
        self.assertEqual((bad_config["partitions"], bad_config["configs"]), (-1, []))

        zk = self.zk()
        self.assertTrue(zk.exists("/brokers/topics/raw-created"))
        self.assertEqual(self.topic_overrides("raw-created"), {"retention.ms": "5000"})
        for name in ("raw-twice", "raw bad", "raw-bad-config"):
            self.assertFalse(zk.exists(f"/brokers/topics/{name}"), name)

        with self.subTest("TimeoutMs 0 creates the topic but answers REQUEST_TIMED_OUT"):
            [result] = create_topics_v7(connection, [("raw-no-wait", 1, 1, {})], timeout_ms=0)
            self.assertEqual(result["error"], REQUEST_TIMED_OUT)
            self.assertTrue(zk.exists("/brokers/topics/raw-no-wait"))
        with self.subTest("a hostile partition count is INVALID_PARTITIONS, not an exhausted broker"):
            [result] = create_topics_v7(connection, [("raw-huge", 2**31 - 1, 1, {})])
            self.assertEqual(result["error"], 37)  # INVALID_PARTITIONS
            self.assertIn(str(2**31 - 1), result["message"])
            self.assertFalse(zk.exists("/brokers/topics/raw-huge"))
        with self.subTest("validateOnly writes nothing"):
            [result] = create_topics_v7(connection, [("raw-validated", 2, 1, {})], validate_only=True)
            self.assertEqual((result["error"], result["partitions"]), (NONE, 2))
            self.assertFalse(zk.exists("/brokers/topics/raw-validated"))

    def test_incremental_alter_configs_set_delete_append_subtract(self):
        connection = self.connection()
        [created] = create_topics_v7(connection, [("raw-incremental", 1, 1, {"segment.ms": "600000"})])
        self.assertEqual(created["error"], NONE)
        topic = (TOPIC_RESOURCE, "raw-incremental")

        def alter(ops, validate_only=False):
            [(error, message, _, _)] = incremental_alter_configs_v0(connection, [topic + (ops,)], validate_only)
            return error, message

        self.assertEqual(alter([("retention.ms", SET, "1000"), ("cleanup.policy", APPEND, "compact")]), (NONE, None))
        self.assertEqual(self.topic_overrides("raw-incremental"),
                         {"segment.ms": "600000", "retention.ms": "1000", "cleanup.policy": "delete,compact"})
        self.assertEqual(alter([("retention.ms", DELETE, None), ("cleanup.policy", SUBTRACT, "delete")]), (NONE, None))
        self.assertEqual(self.topic_overrides("raw-incremental"), {"segment.ms": "600000", "cleanup.policy": "compact"})

        [described] = describe_configs(connection, [(TOPIC_RESOURCE, "raw-incremental", ["cleanup.policy", "retention.ms"])])
        self.assertEqual(described["configs"]["cleanup.policy"][:3], ("compact", False, SOURCE_TOPIC))
        self.assertEqual(described["configs"]["retention.ms"][2], SOURCE_DEFAULT)

        with self.subTest("errors name the key and change nothing"):
            error, message = alter([("retention.ms", APPEND, "5")])
            self.assertEqual(error, INVALID_CONFIG)
            self.assertIn("retention.ms", message)
            error, message = alter([("segment.ms", SET, "-3")])
            self.assertEqual(error, INVALID_CONFIG)
            self.assertIn("segment.ms", message)
            self.assertEqual(alter([("retention.ms", SET, "1"), ("retention.ms", DELETE, None)])[0], INVALID_REQUEST)
            self.assertEqual(alter([("retention.ms", 9, "1")])[0], INVALID_REQUEST)
            self.assertEqual(alter([("retention.ms", SET, "1")], validate_only=True), (NONE, None))
            self.assertEqual(self.topic_overrides("raw-incremental"), {"segment.ms": "600000", "cleanup.policy": "compact"})

        with self.subTest("every resource gets its own answer"):
            answers = incremental_alter_configs_v0(connection, [
                (TOPIC_RESOURCE, "raw-missing", [("retention.ms", SET, "1")]),
                (BROKER_RESOURCE, str(self.broker.broker_id), [("log.cleaner.threads", SET, "2")]),
                (TOPIC_RESOURCE, "raw-incremental", [("retention.ms", SET, "2000")]),
            ])
            self.assertEqual([(a[0], a[2], a[3]) for a in answers], [
                (UNKNOWN_TOPIC_OR_PARTITION, TOPIC_RESOURCE, "raw-missing"),
                (INVALID_REQUEST, BROKER_RESOURCE, str(self.broker.broker_id)),
                (NONE, TOPIC_RESOURCE, "raw-incremental")])
            self.assertIn("not supported", answers[1][1])
            self.assertEqual(self.topic_overrides("raw-incremental")["retention.ms"], "2000")

    def test_describe_configs_of_brokers(self):
        connection = self.connection()
        me = str(self.broker.broker_id)
        results = describe_configs(connection, [
            (BROKER_RESOURCE, me, None),
            (BROKER_RESOURCE, me, ["num.partitions", "log.retention.ms"]),
            (BROKER_RESOURCE, "", None),
            (BROKER_RESOURCE, "7", None),
            (BROKER_RESOURCE, "seven", None),
            (99, "x", None),
        ], include_synonyms=True)
        self.assertEqual([(r["type"], r["name"]) for r in results],
                         [(BROKER_RESOURCE, me), (BROKER_RESOURCE, me), (BROKER_RESOURCE, ""),
                          (BROKER_RESOURCE, "7"), (BROKER_RESOURCE, "seven"), (99, "x")])
        everything = results[0]
        self.assertEqual(everything["error"], NONE)
        configs = everything["configs"]
        self.assertEqual(configs["broker.id"][:3], (me, True, SOURCE_STATIC_BROKER))
        self.assertEqual(configs["zookeeper.connect"][0], self.zookeeper.connect)
        # Every key of the harness's server.properties is there, as given, read-only.
        self.assertEqual(configs["sluice.admin.listener"][:3], (f"127.0.0.1:{self.broker.admin_port}", True, SOURCE_STATIC_BROKER))
        self.assertEqual(configs["log.segment.bytes"][:3], ("1073741824", True, SOURCE_DEFAULT))
        self.assertTrue(all(entry[1] for entry in configs.values()), "a broker config is not read-only")

        self.assertEqual(sorted(results[1]["configs"]), ["log.retention.ms", "num.partitions"])
        self.assertEqual(results[1]["configs"]["num.partitions"][4],
                         [("num.partitions", "1", SOURCE_STATIC_BROKER), ("num.partitions", "1", SOURCE_DEFAULT)])
        self.assertEqual((results[2]["error"], results[2]["configs"]), (NONE, {}))
        self.assertEqual(results[3]["error"], INVALID_REQUEST)
        self.assertIn("Unexpected broker id", results[3]["message"])
        self.assertEqual(results[4]["error"], INVALID_REQUEST)
        self.assertEqual(results[5]["error"], INVALID_REQUEST)

    def test_describe_configs_of_a_topic_across_versions(self):
        connection = self.connection()
        [created] = create_topics_v7(connection, [("raw-versions", 1, 1, {"retention.bytes": "123456"})])
        self.assertEqual(created["error"], NONE)
        keys = ["retention.bytes", "segment.bytes"]
        resource = [(TOPIC_RESOURCE, "raw-versions", keys)]

        [v0] = describe_configs(connection, resource, version=0)
        self.assertEqual(v0["configs"]["retention.bytes"][:3], ("123456", False, None))
        self.assertEqual(v0["configs"]["segment.bytes"][:3], ("1073741824", False, SOURCE_DEFAULT))

        [v1] = describe_configs(connection, resource, version=1, include_synonyms=True)
        self.assertEqual(v1["configs"]["retention.bytes"][4],
                         [("retention.bytes", "123456", SOURCE_TOPIC), ("log.retention.bytes", "-1", SOURCE_DEFAULT)])

        [v3_plain] = describe_configs(connection, resource, version=3)
        self.assertEqual([c[4:] for c in v3_plain["configs"].values()], [([], 5, None), ([], 3, None)])  # LONG, INT
        [v3] = describe_configs(connection, resource, version=3, include_documentation=True)
        self.assertTrue(all(c[6] for c in v3["configs"].values()), "documentation asked for but missing")

        with self.subTest("a missing topic and a bad name are answered per resource"):
            results = describe_configs(connection, [(TOPIC_RESOURCE, "raw-missing", None),
                                                    (TOPIC_RESOURCE, "bad name", None),
                                                    (TOPIC_RESOURCE, "raw-versions", ["retention.bytes"])])
            self.assertEqual([r["error"] for r in results], [UNKNOWN_TOPIC_OR_PARTITION, 17, NONE])
            self.assertEqual(list(results[2]["configs"]), ["retention.bytes"])

    def test_delete_topics_v6_by_topic_id(self):
        connection = self.connection()
        [created] = create_topics_v7(connection, [("raw-by-id", 1, 1, {})])
        self.assertEqual(created["error"], NONE)
        unknown_id = bytes(range(1, 17))
        answers = delete_topics_v6(connection, [(None, created["topic_id"]), (None, unknown_id),
                                                ("raw-by-id", created["topic_id"])])
        self.assertEqual(answers[0][:3], ("raw-by-id", created["topic_id"], NONE))
        self.assertEqual(answers[1][1:3], (unknown_id, UNKNOWN_TOPIC_ID))
        self.assertEqual(answers[2][2], INVALID_REQUEST)  # both name and id
        zk = self.zk()
        # The controller broker removes the deletion request last, as Kafka's TopicDeletionManager.
        wait_until(lambda: not zk.exists("/brokers/topics/raw-by-id") and
                   not zk.exists("/admin/delete_topics/raw-by-id"), 30, "raw-by-id's znodes to go")
        [(_, _, error, _)] = delete_topics_v6(connection, [(None, created["topic_id"])])
        self.assertEqual(error, UNKNOWN_TOPIC_ID, "a deleted topic's id is unknown")

    def test_describe_cluster_v0(self):
        connection = self.connection()
        cluster_id = self.zk().get_json("/cluster/id")["id"]
        plain = describe_cluster_v0(connection, include_operations=False)
        self.assertEqual((plain["error"], plain["message"], plain["cluster_id"]), (NONE, None, cluster_id))
        self.assertEqual(plain["controller"], self.broker.broker_id)
        self.assertEqual(plain["brokers"], [(self.broker.broker_id, "127.0.0.1", self.broker.port, None)])
        self.assertEqual(plain["operations"], INT32_MIN)
        with_operations = describe_cluster_v0(connection, include_operations=True)
        self.assertNotEqual(with_operations["operations"], INT32_MIN)
        self.assertTrue(with_operations["operations"] & (1 << 8), "DESCRIBE is allowed")


if __name__ == "__main__":
    unittest.main()
