"""ListOffsets by timestamp: messages produced with explicit CreateTime timestamps (several records
per batch), then librdkafka's rd_kafka_offsets_for_times and kcat -Q must find the exact offset —
the first whose timestamp is >= the one asked — plus earliest and latest."""

import time
import unittest

from harness import rdkafka_client
from harness.case import E2ETestCase
from harness.kcat import Kcat

TOPIC = "timestamps"
COUNT = 100
STEP_MS = 10


class ListOffsetsByTimestampTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper)
        # An hour ago: well inside the default retention, clearly not "now".
        cls.base_ts = (int(time.time()) - 3600) * 1000
        produced = rdkafka_client.run("produce-at", timeout=90, bootstrap=cls.broker.bootstrap, topic=TOPIC,
                                      partition=0, count=COUNT, base_ts=cls.base_ts, step_ms=STEP_MS)
        if produced.returncode != 0:
            raise AssertionError(f"produce-at failed: {produced.stderr[-3000:]}")
        cls.offset_of = {}
        for line in produced.stdout.splitlines():
            offset, timestamp = map(int, line.split())
            cls.offset_of[timestamp] = offset

    def timestamp_of(self, index):
        return self.base_ts + index * STEP_MS

    def offsets_for_times(self, timestamps):
        result = rdkafka_client.run("offsets-for-times", timeout=60, bootstrap=self.broker.bootstrap, topic=TOPIC,
                                    partition=0, timestamps=",".join(map(str, timestamps)))
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        lines = result.stdout.splitlines()
        _, low, high = lines[0].split()
        answers = dict(tuple(map(int, line.split())) for line in lines[1:])
        return int(low), int(high), answers

    def test_produced_offsets_are_dense_and_follow_timestamps(self):
        self.assertEqual([self.offset_of[self.timestamp_of(i)] for i in range(COUNT)], list(range(COUNT)))

    def test_exact_timestamp_finds_that_message(self):
        asked = [self.timestamp_of(i) for i in (0, 1, 24, 25, 26, 37, 50, 99)]
        _, _, answers = self.offsets_for_times(asked)
        self.assertEqual(answers, {ts: self.offset_of[ts] for ts in asked})

    def test_timestamp_between_messages_finds_the_next_one(self):
        asked = [self.timestamp_of(i) + STEP_MS // 2 for i in (0, 24, 37, 98)]
        _, _, answers = self.offsets_for_times(asked)
        self.assertEqual(answers, {ts: self.offset_of[ts + STEP_MS - STEP_MS // 2] for ts in asked})

    def test_timestamp_before_everything_finds_the_first_message(self):
        _, _, answers = self.offsets_for_times([self.base_ts - 60_000, 0])
        self.assertEqual(answers, {self.base_ts - 60_000: 0, 0: 0})

    def test_timestamp_after_everything_finds_nothing(self):
        later = self.timestamp_of(COUNT - 1) + 1
        _, _, answers = self.offsets_for_times([later])
        # Kafka answers offset -1 (no such message) with no error; librdkafka passes it through.
        self.assertEqual(answers, {later: -1})

    def test_earliest_and_latest(self):
        low, high, _ = self.offsets_for_times([self.base_ts])
        self.assertEqual((low, high), (0, COUNT))
        kcat = Kcat(self.broker.bootstrap)
        self.assertEqual(kcat.query_offset(TOPIC, 0, -2), 0, "kcat -Q earliest")
        self.assertEqual(kcat.query_offset(TOPIC, 0, -1), COUNT, "kcat -Q latest")

    def test_kcat_query_by_timestamp_agrees(self):
        kcat = Kcat(self.broker.bootstrap)
        for index in (0, 37, 99):
            with self.subTest(index=index):
                self.assertEqual(kcat.query_offset(TOPIC, 0, self.timestamp_of(index)), index)


if __name__ == "__main__":
    unittest.main()
