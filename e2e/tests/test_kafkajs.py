"""kafkajs 2.2.4 (npm, pinned) against Sluice: admin createTopics / fetchTopicMetadata /
fetchTopicOffsets and a gzip-compressing producer (e2e/kafkajs/produce_consume.js); the messages
are read back with kcat and compared field by field, and the batches on disk are gzip batches
stored as the client sent them.

The kafkajs consumer is a consumer-group client (JoinGroup/SyncGroup/OffsetCommit); its path is
covered by the consumer-groups work, not here.
"""

import json
import os
import subprocess
import unittest

from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.paths import kafkajs_dir, node_modules_dir
from harness.record_batch import read_batch_headers

TOPIC = "kafkajs-gzip"
MESSAGES = 3000
PARTITIONS = 3
GZIP = 1


class KafkajsTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not os.path.isdir(os.path.join(node_modules_dir(), "kafkajs")):
            raise AssertionError("kafkajs is not installed: run scripts/install-deps.sh (npm ci in e2e/)")
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper)

    def test_admin_and_gzip_producer_then_read_back_with_kcat(self):
        out_path = os.path.join(self.scratch_dir("kafkajs"), "produced.jsonl")
        node = subprocess.run(
            ["node", os.path.join(kafkajs_dir(), "produce_consume.js"), "--bootstrap", self.broker.bootstrap,
             "--topic", TOPIC, "--count", str(MESSAGES), "--out", out_path],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(node.returncode, 0, f"node failed:\nstdout: {node.stdout}\nstderr: {node.stderr[-4000:]}")

        with open(out_path) as f:
            produced = [json.loads(line) for line in f if line.strip()]
        self.assertEqual(len(produced), MESSAGES)

        out = Kcat(self.broker.bootstrap).consume(TOPIC, "%p\t%o\t%k\t%s\t%h\n", timeout=60)
        consumed = {}
        for line in out.decode().splitlines():
            partition, offset, key, value, headers = line.split("\t")
            consumed[(int(partition), int(offset))] = (key, value, headers)
        self.assertEqual(len(consumed), MESSAGES, "messages read back by kcat")
        mismatches = []
        for m in produced:
            expected = (m["key"], m["value"], f"source={m['header']}")
            actual = consumed.get((m["partition"], m["offset"]))
            if actual != expected:
                mismatches.append(((m["partition"], m["offset"]), expected, actual))
        self.assertEqual(mismatches[:5], [], f"{len(mismatches)} messages differ (first 5 shown)")

        with self.subTest("batches are stored gzip-compressed, as sent, with valid CRCs"):
            for partition in range(PARTITIONS):
                segments = self.broker.segment_files(TOPIC, partition)
                self.assertTrue(segments, f"no segment in {self.broker.partition_dir(TOPIC, partition)}")
                headers = [h for s in segments
                           for h in read_batch_headers(os.path.join(self.broker.partition_dir(TOPIC, partition), s))]
                self.assertTrue(headers)
                self.assertEqual({h.attributes & 7 for h in headers}, {GZIP}, f"partition {partition} codecs")
                self.assertTrue(all(h.crc_ok for h in headers), f"partition {partition}: a stored batch fails its CRC")
                self.assertEqual(sum(h.record_count for h in headers), MESSAGES // PARTITIONS)


if __name__ == "__main__":
    unittest.main()
