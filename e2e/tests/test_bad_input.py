"""Malformed and hostile input on the Kafka port, from raw sockets: the broker closes the
offending connection (or answers with the right error code) and keeps serving everyone else.

Frames are hand-built (harness/kafka_wire.py, harness/record_batch.py with its own CRC-32C); the
valid-produce case is the positive control proving the hand-built requests are right.
"""

import struct
import time
import unittest

from harness import kafka_wire as wire
from harness.case import E2ETestCase
from harness.crc32c import crc32c
from harness.kafka_wire import RawConnection
from harness.kcat import Kcat
from harness.record_batch import build_batch, corrupt_crc

TOPIC = "raw"
MAX_REQUEST_BYTES = 1024 * 1024


class BadInputTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper, properties={"socket.request.max.bytes": MAX_REQUEST_BYTES})
        Kcat(cls.broker.bootstrap).wait_topic(TOPIC, 1)

    def tearDown(self):
        # After every case the broker is alive and still answers a well-formed request.
        self.broker.assert_alive()
        self.assertEqual(self.api_versions_v0()[0], wire.ERROR_NONE)
        super().tearDown()

    # --- helpers ---------------------------------------------------------------------------

    def connect(self):
        return RawConnection(self.broker.port)

    def api_versions_v0(self):
        with self.connect() as c:
            return wire.parse_api_versions_v0(c.call(wire.API_API_VERSIONS, 0, b"", correlation_id=7))

    def assert_closed_after(self, data):
        with self.connect() as c:
            c.send_bytes(data)
            self.assertTrue(c.closed_by_peer(timeout=10), f"connection still open after {data[:32]!r}")

    def produce(self, topic, partition, records):
        with self.connect() as c:
            body = c.call(wire.API_PRODUCE, 3, wire.produce_v3_body(topic, partition, records), correlation_id=11)
        results = wire.parse_produce_v3(body)
        self.assertEqual(len(results), 1, results)
        return results[0]

    def log_end_offset(self):
        with self.connect() as c:
            body = c.call(wire.API_LIST_OFFSETS, 1, wire.list_offsets_v1_body(TOPIC, 0, wire.LATEST), correlation_id=5)
        (_, _, error_code, _, offset), = wire.parse_list_offsets_v1(body)
        self.assertEqual(error_code, wire.ERROR_NONE)
        return offset

    def batch(self, count=2):
        stamp = int(time.time() * 1000)
        return build_batch([(b"key-%d" % i, b"raw-value-%d" % i) for i in range(count)], stamp)

    # --- framing ---------------------------------------------------------------------------

    def test_negative_frame_size_closes_the_connection(self):
        self.assert_closed_after(struct.pack(">i", -1) + b"\x00" * 16)

    def test_frame_larger_than_socket_request_max_bytes_closes_the_connection(self):
        self.assert_closed_after(struct.pack(">i", MAX_REQUEST_BYTES + 1) + b"\x00" * 64)

    def test_huge_frame_size_closes_the_connection(self):
        self.assert_closed_after(struct.pack(">i", 0x7FFFFFFF) + b"\x00" * 64)

    def test_http_request_on_the_kafka_port_closes_the_connection(self):
        # "GET " read as a size is 1195725856 bytes.
        self.assert_closed_after(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")

    def test_frame_too_short_for_a_request_header_closes_the_connection(self):
        self.assert_closed_after(wire.frame(b"\x00\x12\x00"))

    def test_garbage_bytes_close_the_connection(self):
        self.assert_closed_after(wire.frame(bytes(range(0x7F, 0x7F + 40))))

    def test_unknown_api_key_closes_the_connection(self):
        self.assert_closed_after(wire.frame(wire.request_header(999, 0, 1) + b"\x00" * 8))

    # --- ApiVersions -----------------------------------------------------------------------

    def test_api_versions_v0_lists_the_core_apis(self):
        error_code, keys = self.api_versions_v0()
        self.assertEqual(error_code, wire.ERROR_NONE)
        for key in (wire.API_PRODUCE, 1, wire.API_LIST_OFFSETS, wire.API_METADATA, wire.API_API_VERSIONS):
            self.assertIn(key, keys)
        self.assertEqual(keys[wire.API_API_VERSIONS], (0, 3))
        self.assertTrue(all(low <= high for low, high in keys.values()), keys)

    def test_api_versions_v3_flexible_as_librdkafka_sends_it(self):
        with self.connect() as c:
            body = c.call(wire.API_API_VERSIONS, 3, wire.api_versions_v3_body("librdkafka", "2.0.2"),
                          correlation_id=42, flexible=True)
        error_code, keys, throttle_ms = wire.parse_api_versions_v3(body)
        self.assertEqual(error_code, wire.ERROR_NONE)
        self.assertEqual(throttle_ms, 0)
        self.assertEqual(keys, self.api_versions_v0()[1], "v3 and v0 must list the same ranges")

    def test_unsupported_api_versions_version_gets_error_35_in_v0_format_with_the_key_list(self):
        with self.connect() as c:
            body = c.call(wire.API_API_VERSIONS, 9, b"\x00" * 8, correlation_id=99, flexible=True)
            error_code, keys = wire.parse_api_versions_v0(body)
            self.assertEqual(error_code, wire.ERROR_UNSUPPORTED_VERSION)
            self.assertEqual(keys.get(wire.API_API_VERSIONS), (0, 3))
            self.assertIn(wire.API_PRODUCE, keys)
            # The connection stays usable: the client retries with a version the broker has.
            retry = c.call(wire.API_API_VERSIONS, 3, wire.api_versions_v3_body(), correlation_id=100, flexible=True)
            self.assertEqual(wire.parse_api_versions_v3(retry)[0], wire.ERROR_NONE)

    # --- Produce ---------------------------------------------------------------------------

    def test_valid_hand_built_batch_is_appended_at_the_log_end(self):
        before = self.log_end_offset()
        topic, partition, error_code, base_offset, _ = self.produce(TOPIC, 0, self.batch(3))
        self.assertEqual((topic, partition, error_code), (TOPIC, 0, wire.ERROR_NONE))
        self.assertEqual(base_offset, before)
        self.assertEqual(self.log_end_offset(), before + 3)
        served = Kcat(self.broker.bootstrap).consume(TOPIC, "%k=%s\n", partition=0, offset=before)
        self.assertEqual(served, b"key-0=raw-value-0\nkey-1=raw-value-1\nkey-2=raw-value-2\n")

    def test_produce_to_an_invalid_topic_name_is_invalid_topic_exception(self):
        _, _, error_code, _, _ = self.produce("bad name!", 0, self.batch())
        self.assertEqual(error_code, wire.ERROR_INVALID_TOPIC_EXCEPTION)

    def test_produce_to_a_missing_partition_is_unknown_topic_or_partition(self):
        _, partition, error_code, _, _ = self.produce(TOPIC, 7, self.batch())
        self.assertEqual((partition, error_code), (7, wire.ERROR_UNKNOWN_TOPIC_OR_PARTITION))

    def test_batch_with_a_corrupt_crc_is_corrupt_message_and_not_stored(self):
        before = self.log_end_offset()
        _, _, error_code, _, _ = self.produce(TOPIC, 0, corrupt_crc(self.batch()))
        self.assertEqual(error_code, wire.ERROR_CORRUPT_MESSAGE)
        self.assertEqual(self.log_end_offset(), before, "log end offset moved after a rejected batch")

    def test_batch_with_a_record_count_beyond_its_bytes_is_rejected_and_not_stored(self):
        before = self.log_end_offset()
        batch = bytearray(self.batch(2))
        struct.pack_into(">i", batch, 57, 50)  # recordCount claims 50 records
        # Re-sign so only the inconsistency, not the CRC, is wrong.
        struct.pack_into(">I", batch, 17, crc32c(bytes(batch[21:])))
        _, _, error_code, _, _ = self.produce(TOPIC, 0, bytes(batch))
        self.assertIn(error_code, (wire.ERROR_CORRUPT_MESSAGE, wire.ERROR_INVALID_RECORD), "CORRUPT_MESSAGE or INVALID_RECORD")
        self.assertEqual(self.log_end_offset(), before)

    def test_acks_0_produce_gets_no_response_and_lands(self):
        before = self.log_end_offset()
        with self.connect() as c:
            c.send_bytes(wire.frame(wire.request_header(wire.API_PRODUCE, 3, 21) +
                                    wire.produce_v3_body(TOPIC, 0, self.batch(2), acks=0)))
            # The next request on the same connection is answered first: nothing came for acks=0.
            body = c.call(wire.API_API_VERSIONS, 0, b"", correlation_id=22)
            self.assertEqual(wire.parse_api_versions_v0(body)[0], wire.ERROR_NONE)
        self.assertEqual(self.log_end_offset(), before + 2)

    def test_failed_acks_0_produce_closes_the_connection(self):
        # With acks=0 there is no response to carry the error: Kafka closes the connection.
        with self.connect() as c:
            c.send_bytes(wire.frame(wire.request_header(wire.API_PRODUCE, 3, 23) +
                                    wire.produce_v3_body(TOPIC, 7, self.batch(), acks=0)))
            self.assertTrue(c.closed_by_peer(timeout=10))


if __name__ == "__main__":
    unittest.main()
