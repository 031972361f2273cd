"""kcat (librdkafka 2.0.2) produces 100,000 keyed messages into a 3-partition topic and reads them
back; the broker must return every message byte for byte, in order within each partition."""

import collections
import random
import unittest

from harness.case import E2ETestCase
from harness.kcat import Kcat

TOPIC = "roundtrip"
PARTITIONS = 3
MESSAGES = 100_000
KEYS = 500


def generate_messages(count, seed=20240501):
    """(key, value) pairs of printable ASCII without ':' in keys or newlines anywhere; values of
    varied length (1 byte to ~1 KiB, ~23 MB in all) so batches of different sizes cross segment-internal offsets."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;!?-_=+/\\'\"{}[]()<>|@#$%^&*~`"
    pool = "".join(rng.choice(alphabet) for _ in range(1 << 16))
    messages = []
    for i in range(count):
        key = f"k{rng.randrange(KEYS)}"
        length = rng.choice((1, 8, 40, 100, 250, 1000))
        start = rng.randrange(len(pool) - length)
        value = f"{i}|" + pool[start:start + length]
        messages.append((key.encode(), value.encode()))
    return messages


class KcatRoundtripTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper, properties={"num.partitions": PARTITIONS})
        cls.kcat = Kcat(cls.broker.bootstrap)

    def test_100k_keyed_messages_come_back_byte_for_byte_and_in_partition_order(self):
        # Asking for metadata auto-creates the topic with num.partitions=3.
        self.kcat.wait_topic(TOPIC, PARTITIONS)

        messages = generate_messages(MESSAGES)
        data = b"".join(key + b":" + value + b"\n" for key, value in messages)
        self.kcat.produce(TOPIC, data, key_delimiter=":", timeout=180,
                          extra=["-X", "linger.ms=20", "-X", "queue.buffering.max.messages=200000"])

        # %p partition, %o offset, %k key, %s value; tab-separated, values contain no tabs.
        out = self.kcat.consume(TOPIC, "%p\t%o\t%k\t%s\n", timeout=180)
        consumed = [line.split(b"\t", 3) for line in out.split(b"\n") if line]
        self.assertEqual(len(consumed), MESSAGES, "number of messages read back")

        by_partition = collections.defaultdict(list)
        for partition, offset, key, value in consumed:
            by_partition[int(partition)].append((int(offset), key, value))

        with self.subTest("every partition received data"):
            self.assertEqual(sorted(by_partition), list(range(PARTITIONS)))

        with self.subTest("offsets are dense from 0 in each partition"):
            for partition, entries in by_partition.items():
                offsets = [offset for offset, _, _ in entries]
                self.assertEqual(offsets, list(range(len(entries))), f"partition {partition}")

        with self.subTest("the same multiset of values per key"):
            sent = collections.defaultdict(collections.Counter)
            received = collections.defaultdict(collections.Counter)
            for key, value in messages:
                sent[key][value] += 1
            for _, _, key, value in consumed:
                received[key][value] += 1
            self.assertEqual(set(sent), set(received))
            differing = [key for key in sent if sent[key] != received[key]]
            self.assertEqual(differing, [], "keys whose values differ")

        with self.subTest("each key lives in one partition, in production order"):
            partition_of_key = {}
            for partition, entries in by_partition.items():
                for _, key, _ in entries:
                    self.assertEqual(partition_of_key.setdefault(key, partition), partition, f"key {key!r}")
            for partition, entries in by_partition.items():
                expected = [(key, value) for key, value in messages if partition_of_key[key] == partition]
                self.assertTrue([(k, v) for _, k, v in entries] == expected,
                                f"partition {partition} differs from the production order")


if __name__ == "__main__":
    unittest.main()
