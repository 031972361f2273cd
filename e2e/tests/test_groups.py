"""Consumer groups against Sluice with real clients: kcat's balanced consumer (librdkafka's
consumer groups) and kafkajs consumer groups (e2e/kafkajs/groups.js), plus raw requests for the
documented errors.

Point-to-point: the members of one group split a 6-partition topic, each message reaches one of
them; a third member takes a share; a member killed with SIGKILL stops heartbeating, is removed
after its session timeout (6 s) and its partitions move. With synchronous commits (kafkajs) every
message is consumed exactly once across the group, and a restarted group resumes from its
committed offsets. Publish/subscribe: two groups each see every message. Committed offsets
survive a broker restart (rebuilt from __consumer_offsets).
"""

import json
import os
import signal
import struct
import subprocess
import time
import unittest

from harness import kafka_wire as wire
from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.paths import kafkajs_dir, node_modules_dir
from harness.processes import ManagedProcess
from harness.waiting import wait_until

PARTITIONS = 6
API_OFFSET_COMMIT, API_OFFSET_FETCH, API_FIND_COORDINATOR = 8, 9, 10
API_JOIN_GROUP, API_HEARTBEAT, API_SYNC_GROUP = 11, 12, 14
NONE, ILLEGAL_GENERATION, INCONSISTENT_GROUP_PROTOCOL = 0, 22, 23
UNKNOWN_MEMBER_ID, INVALID_SESSION_TIMEOUT, MEMBER_ID_REQUIRED = 25, 26, 79
COORDINATOR_NOT_AVAILABLE = 15
# librdkafka consumer settings: the smallest session timeout the broker allows
# (group.min.session.timeout.ms = 6000) so that a killed member is noticed quickly.
KCAT_GROUP_OPTIONS = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
                      "-X", "auto.offset.reset=earliest", "-X", "auto.commit.interval.ms=200",
                      "-X", "topic.metadata.refresh.interval.ms=1000"]


def subscription_v0(topics):
    """ConsumerProtocol subscription v0: version, topics, null user data."""
    return struct.pack(">hi", 0, len(topics)) + b"".join(wire.string(t) for t in topics) + struct.pack(">i", -1)


def join_group_body(group, member_id, protocols, version=0, session_timeout=10000):
    body = wire.string(group) + struct.pack(">i", session_timeout)
    if version >= 1:
        body += struct.pack(">i", 30000)
    body += wire.string(member_id) + wire.string("consumer") + struct.pack(">i", len(protocols))
    for name, metadata in protocols:
        body += wire.string(name) + struct.pack(">i", len(metadata)) + metadata
    return body


def parse_join_group(body, version=0):
    r = wire.Reader(body)
    if version >= 2:
        r.take(">i")
    error, generation = r.take(">hi")
    protocol, leader, member_id = r.string(), r.string(), r.string()
    return {"error": error, "generation": generation, "protocol": protocol, "leader": leader,
            "member_id": member_id}


class GroupsTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper, properties={
            "num.partitions": PARTITIONS,
            "group.initial.rebalance.delay.ms": 0,
        })
        cls.kcat = Kcat(cls.broker.bootstrap)

    # --- helpers ---------------------------------------------------------------------------

    def produce(self, topic, first, count):
        """Messages "m<i>" for i in [first, first+count), keyed so they spread over partitions."""
        lines = "".join(f"k{i}:m{i}\n" for i in range(first, first + count)).encode()
        self.kcat.produce(topic, lines, key_delimiter=":")

    def start_kcat_member(self, group, topic, name, extra=()):
        out = os.path.join(self.scratch_dir(name), "out.txt")
        argv = (["kcat", "-b", self.broker.bootstrap, "-G", group, "-u", "-f", "MSG %p %o %s\n"]
                + KCAT_GROUP_OPTIONS + list(extra) + [topic])
        process = ManagedProcess(argv, out)
        self.addCleanup(process.stop)
        return process, out

    @staticmethod
    def kcat_messages(out):
        """[(partition, offset, value)] printed by a kcat member."""
        messages = []
        with open(out, "rb") as f:
            for line in f.read().decode(errors="replace").splitlines():
                if line.startswith("MSG "):
                    _, p, o, v = line.split(" ", 3)
                    messages.append((int(p), int(o), v))
        return messages

    @staticmethod
    def kcat_assignment(out):
        """The partitions a kcat member holds now, from its last "% Group ... rebalanced" line."""
        held = set()
        with open(out, "rb") as f:
            for line in f.read().decode(errors="replace").splitlines():
                if "rebalanced" not in line:
                    continue
                if "): assigned:" in line:
                    held = {int(part.split("[")[1].rstrip("], ")) for part in line.split("assigned:")[1].split(",")
                            if "[" in part}
                else:
                    held = set()
        return held

    def wait_split(self, outs, what, timeout=60):
        """Waits until the members' assignments are non-empty, disjoint and cover the topic."""
        def split():
            held = [self.kcat_assignment(out) for out in outs]
            union = set().union(*held)
            if all(held) and union == set(range(PARTITIONS)) and sum(map(len, held)) == PARTITIONS:
                return held
            return None
        return wait_until(split, timeout, what, interval=0.3)

    def start_kafkajs_member(self, group, topic, name, out):
        process = ManagedProcess(
            ["node", os.path.join(kafkajs_dir(), "groups.js"), "--bootstrap", self.broker.bootstrap,
             "--group", group, "--topic", topic, "--out", out, "--id", name],
            out + f".{name}.log")
        self.addCleanup(process.stop)
        return process

    @staticmethod
    def kafkajs_records(out):
        if not os.path.exists(out):
            return []
        with open(out) as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_values(self, read, expected, timeout, what):
        """Waits until the values read cover `expected` (a set); returns the list read."""
        def covered():
            got = read()
            return got if expected <= {m for m in got} else None
        return wait_until(lambda: covered(), timeout, what, interval=0.3)

    def find_coordinator_ready(self, group):
        """FindCoordinator v0 until it names a coordinator (the first call creates __consumer_offsets)."""
        def ask():
            with wire.RawConnection(self.broker.port) as conn:
                r = wire.Reader(conn.call(API_FIND_COORDINATOR, 0, wire.string(group)))
                error, node = r.take(">hi")
                host, port = r.string(), r.take(">i")
                if error == COORDINATOR_NOT_AVAILABLE:
                    return None
                self.assertEqual(error, NONE)
                return node, host, port
        return wait_until(ask, 30, f"a coordinator for {group}", interval=0.2)

    # --- point-to-point with kcat ----------------------------------------------------------

    def test_kcat_balanced_consumers_split_partitions_and_take_over_a_killed_member(self):
        topic, group = "kcat-split", "kcat-group"
        self.produce(topic, 0, 60)
        self.kcat.wait_topic(topic, PARTITIONS)
        a, out_a = self.start_kcat_member(group, topic, "a")
        b, out_b = self.start_kcat_member(group, topic, "b")
        everything = lambda: [m[2] for m in self.kcat_messages(out_a) + self.kcat_messages(out_b)]
        self.wait_values(everything, {f"m{i}" for i in range(60)}, 60, "60 messages across a and b")
        held_a, held_b = self.wait_split([out_a, out_b], "a and b to split the partitions")
        self.produce(topic, 60, 60)
        self.wait_values(everything, {f"m{i}" for i in range(120)}, 60, "120 messages across a and b")
        parts_a = {p for p, _, v in self.kcat_messages(out_a) if int(v[1:]) >= 60}
        parts_b = {p for p, _, v in self.kcat_messages(out_b) if int(v[1:]) >= 60}
        self.assertLessEqual(parts_a, held_a, "a reads only its own partitions")
        self.assertLessEqual(parts_b, held_b, "b reads only its own partitions")

        # A third member takes a share.
        c, out_c = self.start_kcat_member(group, topic, "c")
        self.wait_split([out_a, out_b, out_c], "a, b and c to split the partitions")
        all3 = lambda: everything() + [m[2] for m in self.kcat_messages(out_c)]
        self.produce(topic, 120, 60)
        n = 180
        self.wait_values(all3, {f"m{i}" for i in range(n)}, 60, f"{n} messages across a, b, c")
        self.assertTrue(any(int(v[1:]) >= 120 for _, _, v in self.kcat_messages(out_c)), "c consumed its share")

        # Kill a: after its session timeout b and c take over its partitions.
        a.kill(signal.SIGKILL)
        self.wait_split([out_b, out_c], "b and c to take over a's partitions", timeout=60)
        start = n
        self.produce(topic, start, 60)
        n = start + 60
        survivors = lambda: [m[2] for m in self.kcat_messages(out_b) + self.kcat_messages(out_c)]
        self.wait_values(survivors, {f"m{i}" for i in range(start, n)}, 60,
                         "b and c consume every message produced after a was killed")
        late = [p for p, _, v in self.kcat_messages(out_b) + self.kcat_messages(out_c) if int(v[1:]) >= start]
        self.assertEqual(set(late), set(range(PARTITIONS)))

    # --- point-to-point with kafkajs, exactly once ---------------------------------------

    def test_kafkajs_group_consumes_each_message_exactly_once_and_resumes(self):
        if not os.path.isdir(os.path.join(node_modules_dir(), "kafkajs")):
            raise AssertionError("kafkajs is not installed: run scripts/install-deps.sh (npm ci in e2e/)")
        topic, group = "kafkajs-split", "kafkajs-group"
        out = os.path.join(self.scratch_dir("kafkajs"), "consumed.jsonl")
        self.produce(topic, 0, 120)
        self.kcat.wait_topic(topic, PARTITIONS)
        records = lambda: [r for r in self.kafkajs_records(out) if "value" in r]
        values = lambda: [r["value"] for r in records()]
        members = {name: self.start_kafkajs_member(group, topic, name, out) for name in ("one", "two")}
        self.wait_values(values, {f"m{i}" for i in range(120)}, 90, "120 messages across two kafkajs members")

        members["three"] = self.start_kafkajs_member(group, topic, "three", out)
        def three_joined():
            joins = [r for r in self.kafkajs_records(out) if r.get("event") == "join"]
            return any(r["member"] == "three" for r in joins)
        wait_until(three_joined, 60, "the third kafkajs member to join")
        n = 120
        deadline = time.monotonic() + 60
        while not any(r["member"] == "three" for r in records()):
            self.assertLess(time.monotonic(), deadline, "the third member never received a message")
            self.produce(topic, n, 12)
            n += 12
            time.sleep(1.0)
        self.wait_values(values, {f"m{i}" for i in range(n)}, 60, f"{n} messages across three members")

        # Kill one while idle: the others take over its partitions after its session timeout.
        members.pop("one").kill(signal.SIGKILL)
        start = n
        self.produce(topic, start, 60)
        n = start + 60
        self.wait_values(values, {f"m{i}" for i in range(n)}, 90, "messages after a member was killed")
        late = {r["partition"] for r in records() if int(r["value"][1:]) >= start}
        self.assertEqual(late, set(range(PARTITIONS)))

        # A clean stop of the group, more messages, and a new member resumes from the commits.
        for process in members.values():
            self.assertEqual(process.stop(), 0, "kafkajs member exits cleanly on SIGTERM")
        start = n
        self.produce(topic, start, 30)
        n = start + 30
        self.start_kafkajs_member(group, topic, "four", out)
        self.wait_values(values, {f"m{i}" for i in range(n)}, 90, "the restarted group reads the new messages")
        time.sleep(2.0)  # anything read twice would show up by now
        got = values()
        duplicates = sorted({v for v in got if got.count(v) > 1})
        self.assertEqual(duplicates, [], "every message consumed exactly once across the group")
        four = [r["value"] for r in records() if r["member"] == "four"]
        self.assertEqual(sorted(four, key=lambda v: int(v[1:])), [f"m{i}" for i in range(start, n)])

    # --- publish/subscribe -----------------------------------------------------------------

    def test_two_groups_each_see_every_message(self):
        topic = "pubsub"
        self.produce(topic, 0, 50)
        self.kcat.wait_topic(topic, PARTITIONS)
        for group in ("subscriber-a", "subscriber-b"):
            result = self.kcat.run(["-G", group, "-e", "-q", "-f", "%s\n"] + KCAT_GROUP_OPTIONS + [topic],
                                   timeout=60)
            got = sorted(result.stdout.decode().split())
            self.assertEqual(got, sorted(f"m{i}" for i in range(50)), group)
        # Both groups committed their own positions: a second run of either reads nothing new.
        again = self.kcat.run(["-G", "subscriber-a", "-e", "-q", "-f", "%s\n"] + KCAT_GROUP_OPTIONS + [topic],
                              timeout=60)
        self.assertEqual(again.stdout.decode().split(), [])

    # --- bad input -------------------------------------------------------------------------

    def test_documented_errors_for_bad_group_requests(self):
        group = "raw-group"
        self.find_coordinator_ready(group)
        range_protocol = [("range", subscription_v0(["raw-topic"]))]
        with wire.RawConnection(self.broker.port, timeout=30) as conn:
            joined = parse_join_group(conn.call(API_JOIN_GROUP, 0, join_group_body(group, "", range_protocol)))
            self.assertEqual(joined["error"], NONE)
            self.assertEqual(joined["generation"], 1)
            self.assertEqual(joined["leader"], joined["member_id"])
            member = joined["member_id"]
            # The leader's SyncGroup ends the rebalance (the group is Stable afterwards).
            sync = (wire.string(group) + struct.pack(">i", 1) + wire.string(member) + struct.pack(">i", 1) +
                    wire.string(member) + struct.pack(">i", 3) + b"abc")
            r = wire.Reader(conn.call(API_SYNC_GROUP, 0, sync, correlation_id=10))
            self.assertEqual(r.take(">h"), NONE)
            self.assertEqual(r.take(">i"), 3)

            # A protocol no member supports.
            other = parse_join_group(conn.call(API_JOIN_GROUP, 0, join_group_body(
                group, "", [("no-such-assignor", b"")]), correlation_id=2))
            self.assertEqual(other["error"], INCONSISTENT_GROUP_PROTOCOL)

            # A generation that is not the group's.
            body = wire.string(group) + struct.pack(">i", 7) + wire.string(member)
            self.assertEqual(wire.Reader(conn.call(API_HEARTBEAT, 0, body, correlation_id=3)).take(">h"),
                             ILLEGAL_GENERATION)
            body = wire.string(group) + struct.pack(">i", 1) + wire.string(member)
            self.assertEqual(wire.Reader(conn.call(API_HEARTBEAT, 0, body, correlation_id=4)).take(">h"), NONE)

            # A commit from a member the group does not know (OffsetCommit v2).
            self.kcat.produce("raw-topic", b"x\n")
            self.kcat.wait_topic("raw-topic", PARTITIONS)
            commit = (wire.string(group) + struct.pack(">i", 1) + wire.string("not-a-member") +
                      struct.pack(">q", -1) + struct.pack(">i", 1) + wire.string("raw-topic") +
                      struct.pack(">i", 1) + struct.pack(">iq", 0, 1) + wire.nullable_string(None))
            r = wire.Reader(conn.call(API_OFFSET_COMMIT, 2, commit, correlation_id=5))
            self.assertEqual(r.take(">i"), 1)
            self.assertEqual(r.string(), "raw-topic")
            self.assertEqual(r.take(">i"), 1)
            self.assertEqual(r.take(">ih"), (0, UNKNOWN_MEMBER_ID))

            # A session timeout below group.min.session.timeout.ms.
            bad = parse_join_group(conn.call(API_JOIN_GROUP, 0, join_group_body(
                "raw-group-2", "", range_protocol, session_timeout=10), correlation_id=6))
            self.assertEqual(bad["error"], INVALID_SESSION_TIMEOUT)

            # JoinGroup v4 without a member id: MEMBER_ID_REQUIRED and a generated id (KIP-394).
            v4 = parse_join_group(conn.call(API_JOIN_GROUP, 4, join_group_body(
                "raw-group-3", "", range_protocol, version=4), correlation_id=7), version=4)
            self.assertEqual(v4["error"], MEMBER_ID_REQUIRED)
            self.assertTrue(v4["member_id"].startswith("sluice-e2e-"), v4["member_id"])


class GroupOffsetsRestartTest(E2ETestCase):
    def test_committed_offsets_survive_a_broker_restart(self):
        zookeeper = self.start_zookeeper()
        broker = self.start_broker(zookeeper, properties={"num.partitions": 3,
                                                          "group.initial.rebalance.delay.ms": 0})
        kcat = Kcat(broker.bootstrap)
        kcat.produce("durable", "".join(f"k{i}:d{i}\n" for i in range(30)).encode(), key_delimiter=":")
        kcat.wait_topic("durable", 3)
        consume = lambda: sorted(kcat.run(["-G", "durable-group", "-e", "-q", "-f", "%s\n"] + KCAT_GROUP_OPTIONS
                                          + ["durable"], timeout=60).stdout.decode().split(),
                                 key=lambda v: int(v[1:]))
        self.assertEqual(consume(), [f"d{i}" for i in range(30)])
        broker.restart()
        kcat.wait_topic("durable", 3)
        kcat.produce("durable", "".join(f"k{i}:d{i}\n" for i in range(30, 40)).encode(), key_delimiter=":")
        self.assertEqual(consume(), [f"d{i}" for i in range(30, 40)],
                         "after the restart the group resumes from its committed offsets")
        self.assertIn("Finished loading offsets and group metadata", broker.server_log())


if __name__ == "__main__":
    unittest.main()
