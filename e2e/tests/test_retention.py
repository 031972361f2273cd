"""Segment rolling and time-based retention: with log.segment.bytes=16 KiB the partition rolls into
several segment files; with log.retention.ms=4000 checked every second, the old segments (and
their indexes) are deleted and the log start offset advances, while the log end offset and the
following offsets stay where they were."""

import os
import unittest

from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.waiting import wait_until

TOPIC = "retained"
SEGMENT_BYTES = 16 * 1024
RETENTION_MS = 4000
MESSAGES = 2000  # ~200 KB of records: a dozen segments


class RetentionTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper, properties={
            "log.segment.bytes": SEGMENT_BYTES,
            "log.retention.ms": RETENTION_MS,
            "log.retention.check.interval.ms": 1000,
            "file.delete.delay.ms": 1000,
        })
        cls.kcat = Kcat(cls.broker.bootstrap)

    def produce(self, first, count):
        data = b"".join(b"retained-%06d-" % i + b"x" * 80 + b"\n" for i in range(first, first + count))
        # Small batches, so segments can roll between them.
        self.kcat.produce(self.topic, data, partition=0, extra=["-X", "batch.num.messages=20", "-X", "linger.ms=1"])

    def test_old_segments_are_deleted_and_the_log_start_offset_advances(self):
        self.topic = TOPIC
        self.kcat.wait_topic(TOPIC, 1)
        self.produce(0, MESSAGES)

        segments_before = self.broker.segment_files(TOPIC, 0)
        self.assertGreaterEqual(len(segments_before), 4, f"segments after producing: {segments_before}")
        self.assertEqual(segments_before[0], "00000000000000000000.log")
        directory = self.broker.partition_dir(TOPIC, 0)
        for segment in segments_before:
            base = segment[:-len(".log")]
            self.assertTrue(os.path.exists(os.path.join(directory, base + ".index")), f"{base}.index")
            self.assertTrue(os.path.exists(os.path.join(directory, base + ".timeindex")), f"{base}.timeindex")
        with self.subTest("no closed segment is much bigger than log.segment.bytes"):
            for segment in segments_before[:-1]:
                # A segment rolls before a batch that would overflow it; one batch (< 4 KiB here) may pass.
                self.assertLess(os.path.getsize(os.path.join(directory, segment)), SEGMENT_BYTES + 4096, segment)
        self.assertEqual(self.kcat.query_offset(TOPIC, 0, -2), 0)
        self.assertEqual(self.kcat.query_offset(TOPIC, 0, -1), MESSAGES)

        # Kafka checks retention every log.retention.check.interval.ms; the first check may come
        # later (Kafka itself waits 30 s after start-up), hence the generous timeout.
        wait_until(lambda: "00000000000000000000.log" not in self.broker.segment_files(TOPIC, 0), 45,
                   f"the first segment of {TOPIC}-0 to be deleted by retention", interval=0.5)

        def indexes_only_for_live_segments():
            names = os.listdir(directory)
            logs = {n[:-len(".log")] for n in names if n.endswith(".log") and n[:-len(".log")].isdigit()}
            indexes = {n.split(".")[0] for n in names if n.endswith((".index", ".timeindex"))}
            return indexes <= logs
        wait_until(indexes_only_for_live_segments, 10, "the deleted segments' .index/.timeindex to go too")
        earliest = self.kcat.query_offset(TOPIC, 0, -2)
        self.assertGreater(earliest, 0, "log start offset after retention")
        self.assertEqual(self.kcat.query_offset(TOPIC, 0, -1), MESSAGES, "log end offset must not move")
        # Time retention removes whole segments, so the start offset is a segment boundary (or the
        # log end offset, if the expired active segment was rolled and deleted too).
        boundaries = {int(s[:-len(".log")]) for s in segments_before} | {MESSAGES}
        self.assertIn(earliest, boundaries)

        # New data continues the offsets; reading from the beginning starts at the log start offset
        # (which retention may still advance while we read, hence the bracket).
        self.produce(MESSAGES, 5)
        start_before = self.kcat.query_offset(TOPIC, 0, -2)
        out = self.kcat.consume(TOPIC, "%o %s\n", partition=0, timeout=60)
        start_after = self.kcat.query_offset(TOPIC, 0, -2)
        offsets = [int(line.split(b" ", 1)[0]) for line in out.split(b"\n") if line]
        self.assertTrue(offsets, "nothing read from the beginning")
        self.assertTrue(earliest <= start_before <= offsets[0] <= start_after,
                        f"first offset read {offsets[0]}, log start {start_before}..{start_after}")
        self.assertEqual(offsets, list(range(offsets[0], MESSAGES + 5)))
        self.assertEqual(out.split(b"\n")[-2], f"{MESSAGES + 4} retained-{MESSAGES + 4:06d}-".encode() + b"x" * 80)


if __name__ == "__main__":
    unittest.main()
