"""Log compaction (cleanup.policy=compact) on a real broker with kcat as the client.

A topic created with cleanup.policy=compact, small segments, min.cleanable.dirty.ratio=0.01 and a
two-second delete.retention.ms, on a broker whose cleaner backs off only 300 ms:
  * many updates per key shrink to one record per key (the segment files shrink), and kcat reading
    from the beginning sees exactly the latest value of each key, tombstones included while they
    are within their retention;
  * a tombstone goes once the segment holding it was compacted and is older than
    delete.retention.ms relative to the newest compacted segment (Kafka 2.8's rule), so later
    writes are produced until it does;
  * a record without a key is refused with INVALID_RECORD, as Kafka does on compacted topics;
  * progress is logged to log-cleaner.log and cleaner-offset-checkpoint records it.
"""

import os
import struct
import time
import unittest

from harness.case import E2ETestCase
from harness.kafka_wire import (ERROR_INVALID_RECORD, RawConnection, Reader, nullable_string,
                                parse_produce_v3, produce_v3_body, string)
from harness.kcat import Kcat
from harness.record_batch import build_batch
from harness.waiting import wait_until

TOPIC = "compacted"
SEGMENT_BYTES = 8192
DELETE_RETENTION_MS = 2000
KEYS = 20
UPDATES_PER_KEY = 50
TOMBSTONED = [f"key{k:02d}" for k in range(5)]
API_CREATE_TOPICS = 19


def create_topic_v4(port, topic, configs):
    """CreateTopics v4 (the last non-flexible version) with one partition, replication factor 1; returns the topic's error code."""
    body = struct.pack(">i", 1) + string(topic) + struct.pack(">ih", 1, 1) + struct.pack(">i", 0)
    body += struct.pack(">i", len(configs))
    for name, value in configs.items():
        body += string(name) + nullable_string(value)
    body += struct.pack(">i?", 15000, False)
    with RawConnection(port, timeout=30.0) as connection:
        r = Reader(connection.call(API_CREATE_TOPICS, 4, body))
    r.take(">i")  # throttle
    assert r.take(">i") == 1
    assert r.string() == topic
    return r.take(">h")


class CompactionTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper, properties={
            "log.cleaner.backoff.ms": 300,
            "log.segment.delete.delay.ms": 500,
            "log.retention.check.interval.ms": 1000,
        })
        cls.kcat = Kcat(cls.broker.bootstrap)
        error = create_topic_v4(cls.broker.port, TOPIC, {
            "cleanup.policy": "compact",
            "segment.bytes": str(SEGMENT_BYTES),
            "min.cleanable.dirty.ratio": "0.01",
            "delete.retention.ms": str(DELETE_RETENTION_MS),
        })
        assert error == 0, f"CreateTopics error {error}"
        cls.kcat.wait_topic(TOPIC, 1)

    # --- helpers ---------------------------------------------------------------------------

    def produce(self, pairs):
        """pairs: [(key, value or None)]; None is a tombstone (kcat -Z sends empty as NULL)."""
        data = b"".join(k.encode() + b"\t" + (v.encode() if v is not None else b"") + b"\n" for k, v in pairs)
        # Small batches, so segments roll between them.
        self.kcat.produce(TOPIC, data, key_delimiter="\t", partition=0,
                          extra=["-Z", "-X", "batch.num.messages=10", "-X", "linger.ms=1"])

    def consume(self):
        """[(offset, key, value or None)] from the beginning."""
        out = self.kcat.consume(TOPIC, "%o\t%k\t%s\n", partition=0, extra=["-Z"], timeout=60)
        records = []
        for line in out.decode().split("\n"):
            if not line:
                continue
            offset, key, value = line.split("\t", 2)
            records.append((int(offset), key, None if value == "NULL" else value))
        return records

    def log_bytes(self):
        directory = self.broker.partition_dir(TOPIC, 0)
        return sum(os.path.getsize(os.path.join(directory, name)) for name in self.broker.segment_files(TOPIC, 0))

    def cleaner_checkpoint(self):
        path = os.path.join(self.broker.data_dir, "cleaner-offset-checkpoint")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            lines = f.read().split("\n")
        for line in lines[2:]:
            parts = line.split(" ")
            if len(parts) == 3 and parts[0] == TOPIC and parts[1] == "0":
                return int(parts[2])
        return None

    def filler(self, tag, count):
        """Unique keys: compaction keeps them all, so the compacted section spans segments."""
        return [(f"filler-{tag}-{i:04d}", "f" * 90) for i in range(count)]

    # --- the test ----------------------------------------------------------------------------

    def test_updates_shrink_to_the_latest_value_per_key_and_tombstones_expire(self):
        expected = {}
        updates = []
        for round_ in range(UPDATES_PER_KEY):
            for k in range(KEYS):
                key, value = f"key{k:02d}", f"value-{round_:03d}-" + "v" * 70
                updates.append((key, value))
                expected[key] = value
        tombstones = [(key, None) for key in TOMBSTONED]
        # The filler pushes the updates and tombstones out of the active segment, which the
        # cleaner never touches.
        filler = self.filler("a", 200)
        self.produce(updates + tombstones + filler)
        for key in TOMBSTONED:
            expected[key] = None
        expected.update(dict(filler))
        end = len(updates) + len(tombstones) + len(filler)
        produced_bytes = sum(len(k) + len(v) for k, v in updates)

        first_filler_offset = len(updates) + len(tombstones)
        wait_until(lambda: (self.cleaner_checkpoint() or 0) > first_filler_offset, 60,
                   "the cleaner to compact past the tombstones (cleaner-offset-checkpoint)", interval=0.3)

        with self.subTest("the segment files shrank"):
            # What survives: 20 latest values, 5 tombstones, the filler (~22 KB) and the active
            # segment; the updates alone were ~90 KB of keys and values.
            self.assertLess(self.log_bytes(), 0.4 * (produced_bytes + 200 * 105))
        with self.subTest("reading from the beginning gives the latest value of each key, once"):
            records = self.consume()
            keys = [key for _, key, _ in records]
            self.assertEqual(len(keys), len(set(keys)), "a key read twice")
            self.assertEqual({key: value for _, key, value in records}, expected)
            offsets = [offset for offset, _, _ in records]
            self.assertEqual(offsets, sorted(offsets))
            self.assertEqual(offsets[-1], end - 1, "the last offset does not move")
            self.assertEqual(self.kcat.query_offset(TOPIC, 0, -1), end)
            # Offsets are kept: each key's latest value is where it was written.
            for offset, key, value in records:
                if key.startswith("key") and value is not None:
                    self.assertEqual(updates[offset], (key, value))
        with self.subTest("tombstones within delete.retention.ms are kept"):
            self.assertEqual({key for _, key, value in records if value is None}, set(TOMBSTONED))

        # Kafka 2.8 drops a tombstone once its segment is older, by delete.retention.ms, than
        # the newest segment compacted before the pass: keep writing new data until it does.
        def tombstones_gone():
            self.produce(self.filler(f"b{time.monotonic_ns()}", 100))
            time.sleep(DELETE_RETENTION_MS / 1000 * 1.5)
            return not any(key in TOMBSTONED for _, key, _ in self.consume())
        wait_until(tombstones_gone, 90, "the tombstones to be removed after delete.retention.ms", interval=0)
        records = self.consume()
        latest = {key: value for _, key, value in records}
        for key in TOMBSTONED:
            self.assertNotIn(key, latest)
        for k in range(5, KEYS):
            key = f"key{k:02d}"
            self.assertEqual(latest[key], expected[key])

        with self.subTest("log-cleaner.log tells what was compacted"):
            with open(os.path.join(self.broker.log_dir, "log-cleaner.log")) as f:
                text = f.read()
            self.assertIn(f"Compacted log {TOPIC}-0", text)
            self.assertIn("tombstones removed", text)

    def test_a_record_without_key_is_refused(self):
        batch = build_batch([(None, b"no key")], first_timestamp=int(time.time() * 1000))
        with RawConnection(self.broker.port, timeout=30.0) as connection:
            [(_, _, error, _, _)] = parse_produce_v3(connection.call(0, 3, produce_v3_body(TOPIC, 0, batch)))
        self.assertEqual(error, ERROR_INVALID_RECORD)


if __name__ == "__main__":
    unittest.main()
