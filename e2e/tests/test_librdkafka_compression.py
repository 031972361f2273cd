"""librdkafka's C API (e2e/clients, mode `roundtrip`) produces with each compression codec and
acks=all, records the acknowledged offsets, reads them back with the legacy simple consumer and
compares; the broker must store the compressed batches as sent (codec bits and CRC intact)."""

import os
import unittest

from harness import rdkafka_client
from harness.case import E2ETestCase
from harness.record_batch import read_batch_headers

MESSAGES = 5000
PARTITIONS = 2
CODEC_IDS = {"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


class LibrdkafkaCompressionTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper, properties={"num.partitions": PARTITIONS})

    def roundtrip(self, codec):
        topic = f"compressed-{codec}"
        result = rdkafka_client.run("roundtrip", timeout=150, bootstrap=self.broker.bootstrap, topic=topic,
                                    codec=codec, count=MESSAGES, payload_bytes=600)
        self.assertEqual(result.returncode, 0, f"rdkafka roundtrip ({codec}) failed:\n"
                                               f"stdout: {result.stdout}\nstderr: {result.stderr[-4000:]}")
        self.assertIn(f"codec={codec} produced={MESSAGES} acked={MESSAGES} verified={MESSAGES} "
                      f"partitions={PARTITIONS}", result.stdout)

        stored = 0
        for partition in range(PARTITIONS):
            directory = self.broker.partition_dir(topic, partition)
            headers = [h for s in self.broker.segment_files(topic, partition)
                       for h in read_batch_headers(os.path.join(directory, s))]
            self.assertTrue(headers, f"no batches on disk in {directory}")
            self.assertEqual({h.attributes & 7 for h in headers}, {CODEC_IDS[codec]},
                             f"{codec}: codec bits of the stored batches in partition {partition} (librdkafka "
                             f"sends uncompressed when the broker's ApiVersions do not enable the codec: lz4 "
                             f"needs FindCoordinator v0 advertised, zstd Produce v7 and Fetch v10)")
            self.assertTrue(all(h.crc_ok for h in headers), f"{codec}: a stored batch fails its CRC")
            self.assertTrue(all(h.magic == 2 for h in headers))
            stored += sum(h.record_count for h in headers)
        self.assertEqual(stored, MESSAGES, "records stored on disk")

    def test_gzip(self):
        self.roundtrip("gzip")

    def test_snappy(self):
        self.roundtrip("snappy")

    def test_lz4(self):
        self.roundtrip("lz4")

    def test_zstd(self):
        self.roundtrip("zstd")


if __name__ == "__main__":
    unittest.main()
