"""Fetch long polling and fetch errors, from raw sockets (Fetch v11, ListOffsets v4).

A fetch at the log end parks until max_wait_ms, or until min_bytes arrive; the broker parks it in
a purgatory, not on a thread, so parked fetches on several connections neither serialize nor
hold up a produce. Errors (offset out of range, unknown topic, fetch session, leader epoch) are
answered at once, without waiting for max_wait_ms.
"""

import json
import threading
import time
import unittest

from harness import kafka_wire as wire
from harness.case import E2ETestCase
from harness.kafka_wire import RawConnection
from harness.kcat import Kcat
from harness.record_batch import build_batch, parse_batch_headers
from harness.waiting import wait_until
from harness.zk_client import ZkClient

TOPIC = "waiting"
IDLE_TOPIC = "idle"  # nobody produces to it: fetches on it can only end by timing out
MAX_WAIT_MS = 1500
# Bounds for "returned after max_wait": no earlier than 1.4 s, and not much later either.
WAITED_AT_LEAST, WAITED_AT_MOST = 1.4, 3.0
PRODUCE_AFTER = 0.3


class FetchWaitTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper)
        kcat = Kcat(cls.broker.bootstrap)
        kcat.wait_topic(TOPIC, 1)
        kcat.wait_topic(IDLE_TOPIC, 1)

    def tearDown(self):
        self.broker.assert_alive()
        super().tearDown()

    # --- helpers ---------------------------------------------------------------------------

    def connect(self):
        return RawConnection(self.broker.port)

    def log_end(self, topic=TOPIC):
        with self.connect() as c:
            body = c.call(wire.API_LIST_OFFSETS, 1, wire.list_offsets_v1_body(topic, 0, wire.LATEST), correlation_id=3)
        (_, _, error_code, _, offset), = wire.parse_list_offsets_v1(body)
        self.assertEqual(error_code, wire.ERROR_NONE)
        return offset

    def produce(self, count, topic=TOPIC, value_size=20):
        """Appends one batch of `count` records on a connection of its own; returns its base offset."""
        records = [(b"k%d" % i, b"v" * value_size) for i in range(count)]
        with self.connect() as c:
            body = c.call(wire.API_PRODUCE, 3, wire.produce_v3_body(topic, 0, build_batch(records, int(time.time() * 1000))),
                          correlation_id=31)
        (_, _, error_code, base_offset, _), = wire.parse_produce_v3(body)
        self.assertEqual(error_code, wire.ERROR_NONE)
        return base_offset

    def produce_later(self, delay, count, **kwargs):
        """Produces from another thread after `delay` seconds; join() the returned thread."""
        outcome = {}

        def run():
            time.sleep(delay)
            try:
                outcome["base_offset"] = self.produce(count, **kwargs)
            except BaseException as error:  # noqa: BLE001 - reported by the caller
                outcome["error"] = error
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.outcome = outcome
        return thread

    def join(self, thread):
        thread.join(timeout=15)
        self.assertFalse(thread.is_alive(), "the producing thread did not finish")
        if "error" in thread.outcome:
            raise thread.outcome["error"]
        return thread.outcome["base_offset"]

    def fetch(self, offset, topic=TOPIC, partition=0, correlation_id=17, **kwargs):
        """One Fetch v11 on a fresh connection; returns (seconds it took, parsed response)."""
        with self.connect() as c:
            started = time.monotonic()
            body = c.call(wire.API_FETCH, 11, wire.fetch_v11_body(topic, partition, offset, **kwargs),
                          correlation_id=correlation_id)
            elapsed = time.monotonic() - started
        return elapsed, wire.parse_fetch_v11(body)

    def only_partition(self, parsed):
        error_code, session_id, partitions = parsed
        self.assertEqual((error_code, session_id), (wire.ERROR_NONE, 0))
        self.assertEqual(len(partitions), 1, partitions)
        return partitions[0]

    def leader_epoch(self):
        with self.connect() as c:
            body = c.call(wire.API_LIST_OFFSETS, 4, wire.list_offsets_v4_body(TOPIC, 0, wire.LATEST), correlation_id=9)
        (_, _, error_code, _, _, epoch), = wire.parse_list_offsets_v4(body)
        self.assertEqual(error_code, wire.ERROR_NONE)
        return epoch

    # --- waiting ---------------------------------------------------------------------------

    def test_fetch_at_the_log_end_returns_empty_after_max_wait(self):
        end = self.log_end()
        elapsed, parsed = self.fetch(end, max_wait_ms=MAX_WAIT_MS, min_bytes=1)
        partition = self.only_partition(parsed)
        self.assertEqual(partition.error_code, wire.ERROR_NONE)
        self.assertFalse(partition.records, "records returned from the log end")
        self.assertEqual(partition.high_watermark, end)
        self.assertGreaterEqual(elapsed, WAITED_AT_LEAST, "answered before max_wait_ms")
        self.assertLess(elapsed, WAITED_AT_MOST, "answered long after max_wait_ms")

    def test_fetch_at_the_log_end_is_answered_early_when_a_producer_appends(self):
        end = self.log_end()
        producer = self.produce_later(PRODUCE_AFTER, 3)
        elapsed, parsed = self.fetch(end, max_wait_ms=MAX_WAIT_MS, min_bytes=1)
        self.assertEqual(self.join(producer), end)
        partition = self.only_partition(parsed)
        self.assertEqual(partition.error_code, wire.ERROR_NONE)
        batches = parse_batch_headers(partition.records or b"")
        self.assertEqual([(b.base_offset, b.record_count, b.crc_ok) for b in batches], [(end, 3, True)])
        self.assertEqual(partition.high_watermark, end + 3)
        self.assertGreaterEqual(elapsed, PRODUCE_AFTER - 0.05, "answered before anything was produced")
        self.assertLess(elapsed, 1.0, "the append did not wake the parked fetch")

    def test_min_bytes_larger_than_what_arrives_keeps_waiting_until_max_wait(self):
        end = self.log_end()
        producer = self.produce_later(PRODUCE_AFTER, 2)  # about 150 bytes, far below min_bytes
        elapsed, parsed = self.fetch(end, max_wait_ms=MAX_WAIT_MS, min_bytes=64 * 1024)
        self.join(producer)
        partition = self.only_partition(parsed)
        self.assertGreaterEqual(elapsed, WAITED_AT_LEAST, "answered before min_bytes or max_wait_ms")
        self.assertLess(elapsed, WAITED_AT_MOST)
        # At the deadline the fetch returns what there is.
        batches = parse_batch_headers(partition.records or b"")
        self.assertEqual([(b.base_offset, b.record_count) for b in batches], [(end, 2)])

    def test_min_bytes_reached_by_a_later_append_answers_before_max_wait(self):
        end = self.log_end()
        small = self.produce_later(0.2, 1)
        large = self.produce_later(0.5, 40, value_size=200)  # about 8 KiB: past min_bytes
        elapsed, parsed = self.fetch(end, max_wait_ms=3000, min_bytes=4096)
        self.join(small)
        self.join(large)
        partition = self.only_partition(parsed)
        self.assertGreaterEqual(elapsed, 0.45, "answered before min_bytes were there")
        self.assertLess(elapsed, 1.5, "min_bytes were reached but the fetch kept waiting")
        self.assertEqual([b.record_count for b in parse_batch_headers(partition.records)], [1, 40])

    def test_parked_fetches_do_not_block_each_other_nor_a_produce(self):
        # More parked fetches than the broker has network threads (at least 2): if a parked fetch
        # held a thread, the later ones and the produce would queue behind it.
        parked_count = 6
        idle_end = self.log_end(IDLE_TOPIC)
        connections = [self.connect() for _ in range(parked_count)]
        for c in connections:
            self.addCleanup(c.sock.close)
        started = time.monotonic()
        for i, c in enumerate(connections):
            c.send_bytes(wire.frame(wire.request_header(wire.API_FETCH, 11, 100 + i) +
                                    wire.fetch_v11_body(IDLE_TOPIC, 0, idle_end, max_wait_ms=2000, min_bytes=1)))
        time.sleep(0.2)  # let every fetch park

        produce_started = time.monotonic()
        base_offset = self.produce(2)
        produce_took = time.monotonic() - produce_started
        self.assertLess(produce_took, 1.0, "a produce was held up by parked fetches on other connections")
        self.assertEqual(self.log_end(), base_offset + 2)

        finished = []
        for i, c in enumerate(connections):
            partition = self.only_partition(wire.parse_fetch_v11(c.receive_response(100 + i)))
            finished.append(time.monotonic() - started)
            self.assertEqual((partition.error_code, partition.records or b""), (wire.ERROR_NONE, b""))
        self.assertGreaterEqual(min(finished), 1.9, "a parked fetch on the idle topic returned early")
        self.assertLess(max(finished), 3.5, f"parked fetches were answered one after another: {finished}")

    # --- errors are answered at once -------------------------------------------------------

    def test_fetch_past_the_log_end_is_offset_out_of_range_at_once(self):
        end = self.log_end()
        elapsed, parsed = self.fetch(end + 10, max_wait_ms=MAX_WAIT_MS, min_bytes=1)
        partition = self.only_partition(parsed)
        self.assertEqual(partition.error_code, wire.ERROR_OFFSET_OUT_OF_RANGE)
        self.assertFalse(partition.records)
        self.assertLess(elapsed, 1.0, "an error waited for max_wait_ms")

    def test_fetch_of_an_unknown_topic_is_unknown_topic_or_partition_at_once(self):
        elapsed, parsed = self.fetch(0, topic="no-such-topic", max_wait_ms=MAX_WAIT_MS, min_bytes=1)
        partition = self.only_partition(parsed)
        self.assertEqual((partition.topic, partition.error_code), ("no-such-topic", wire.ERROR_UNKNOWN_TOPIC_OR_PARTITION))
        self.assertLess(elapsed, 1.0)

    def test_fetch_of_a_missing_partition_is_unknown_topic_or_partition(self):
        _, (_, _, partitions) = self.fetch(0, partition=5, max_wait_ms=MAX_WAIT_MS)
        self.assertEqual([(p.topic, p.partition, p.error_code) for p in partitions],
                         [(TOPIC, 5, wire.ERROR_UNKNOWN_TOPIC_OR_PARTITION)])

    def test_fetch_with_a_nonzero_session_id_is_fetch_session_id_not_found(self):
        elapsed, (error_code, session_id, _) = self.fetch(0, max_wait_ms=MAX_WAIT_MS, session_id=12345,
                                                           session_epoch=1)
        self.assertEqual(error_code, wire.ERROR_FETCH_SESSION_ID_NOT_FOUND)
        self.assertEqual(session_id, 0)
        self.assertLess(elapsed, 1.0)

    def test_fetch_with_the_current_leader_epoch_is_served(self):
        self.produce(1)
        epoch = self.leader_epoch()
        self.assertGreaterEqual(epoch, 0)
        _, parsed = self.fetch(0, max_wait_ms=0, current_leader_epoch=epoch)
        partition = self.only_partition(parsed)
        self.assertEqual(partition.error_code, wire.ERROR_NONE)
        self.assertTrue(parse_batch_headers(partition.records or b""), "no batch served from offset 0")

    def test_fetch_with_a_newer_leader_epoch_is_unknown_leader_epoch(self):
        _, parsed = self.fetch(0, max_wait_ms=MAX_WAIT_MS, current_leader_epoch=self.leader_epoch() + 1)
        self.assertEqual(self.only_partition(parsed).error_code, wire.ERROR_UNKNOWN_LEADER_EPOCH)

    def test_list_offsets_v4_reports_the_leader_epoch_and_is_fenced_like_fetch(self):
        epoch = self.leader_epoch()
        end = self.log_end()
        with self.connect() as c:
            earliest = wire.parse_list_offsets_v4(c.call(
                wire.API_LIST_OFFSETS, 4, wire.list_offsets_v4_body(TOPIC, 0, wire.EARLIEST, current_leader_epoch=epoch),
                correlation_id=4))
            newer = wire.parse_list_offsets_v4(c.call(
                wire.API_LIST_OFFSETS, 4, wire.list_offsets_v4_body(TOPIC, 0, wire.LATEST, current_leader_epoch=epoch + 1),
                correlation_id=5))
        self.assertEqual(earliest, [(TOPIC, 0, wire.ERROR_NONE, -1, 0, epoch)])
        self.assertEqual(newer[0][2], wire.ERROR_UNKNOWN_LEADER_EPOCH)
        self.assertEqual(self.log_end(), end)


class StaleLeaderEpochTest(E2ETestCase):
    """When a partition's leader is elected again its epoch grows; a client still holding the old
    epoch is fenced. With one broker the election is provoked the way a failed leader leaves it:
    while the broker is down, the partition's state znode is marked leaderless (leader -1), so the
    controller broker elects it anew, with epoch + 1, when the broker comes back."""

    def test_fetch_and_list_offsets_with_a_stale_leader_epoch_are_fenced(self):
        zookeeper = self.start_zookeeper()
        broker = self.start_broker(zookeeper)
        Kcat(broker.bootstrap).wait_topic(TOPIC, 1)

        def leader_epoch():
            with RawConnection(broker.port) as c:
                body = c.call(wire.API_LIST_OFFSETS, 4, wire.list_offsets_v4_body(TOPIC, 0, wire.LATEST), correlation_id=9)
            (_, _, error_code, _, _, epoch), = wire.parse_list_offsets_v4(body)
            self.assertEqual(error_code, wire.ERROR_NONE)
            return epoch

        old_epoch = leader_epoch()
        self.assertEqual(broker.stop(), 0)
        state_path = f"/brokers/topics/{TOPIC}/partitions/0/state"
        with ZkClient(zookeeper.connect) as zk:
            state = zk.get_json(state_path)
            self.assertEqual(state["leader_epoch"], old_epoch, "ListOffsets v4 and ZooKeeper disagree on the epoch")
            zk.set_data(state_path, json.dumps(dict(state, leader=-1)).encode())
        broker.restart()
        wait_until(lambda: leader_epoch() > old_epoch, 20, "the partition to be led at a newer epoch")
        new_epoch = leader_epoch()
        with ZkClient(zookeeper.connect) as zk:
            self.assertEqual(zk.get_json(state_path)["leader_epoch"], new_epoch)

        with RawConnection(broker.port) as c:
            started = time.monotonic()
            fetched = wire.parse_fetch_v11(c.call(
                wire.API_FETCH, 11, wire.fetch_v11_body(TOPIC, 0, 0, max_wait_ms=MAX_WAIT_MS,
                                                        current_leader_epoch=old_epoch), correlation_id=10))
            elapsed = time.monotonic() - started
            listed = wire.parse_list_offsets_v4(c.call(
                wire.API_LIST_OFFSETS, 4, wire.list_offsets_v4_body(TOPIC, 0, wire.LATEST, current_leader_epoch=old_epoch),
                correlation_id=11))
        self.assertEqual([p.error_code for p in fetched[2]], [wire.ERROR_FENCED_LEADER_EPOCH])
        self.assertLess(elapsed, 1.0, "a fenced fetch waited for max_wait_ms")
        self.assertEqual([entry[2] for entry in listed], [wire.ERROR_FENCED_LEADER_EPOCH])


if __name__ == "__main__":
    unittest.main()
