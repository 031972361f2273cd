"""The harness's own parts, checked before they are trusted by the other e2e tests: CRC-32C,
the hand-built record batch, and the ZooKeeper client against Debian's ZooKeeper server."""

import unittest

from harness.case import E2ETestCase
from harness.crc32c import crc32c
from harness.record_batch import HEADER, build_batch, corrupt_crc, zigzag_varint
from harness.zk_client import ZkClient

# build_batch([(b"k", b"v"), (None, b"hello")], 1000): byte for byte what kafka-python 2.0.2's
# DefaultRecordBatchBuilder produces for the same records, except partitionLeaderEpoch (-1 here,
# as the Java producer sends; 0 there).
GOLDEN_BATCH = bytes.fromhex(
    "000000000000000000000046ffffffff02f7bbf30600000000000100000000000003e800000000000003e9ffffff"
    "ffffffffffffffffffffff0000000210000000026b02760016000202010a68656c6c6f00")


class HarnessTest(E2ETestCase):
    def test_crc32c_check_values(self):
        self.assertEqual(crc32c(b"123456789"), 0xE3069283)
        self.assertEqual(crc32c(b""), 0)
        self.assertEqual(crc32c(bytes(32)), 0x8A9136AA)  # RFC 3720 B.4: 32 bytes of zeros

    def test_zigzag_varints(self):
        self.assertEqual(zigzag_varint(0), b"\x00")
        self.assertEqual(zigzag_varint(-1), b"\x01")
        self.assertEqual(zigzag_varint(1), b"\x02")
        self.assertEqual(zigzag_varint(300), b"\xd8\x04")

    def test_record_batch_matches_the_golden_bytes(self):
        batch = build_batch([(b"k", b"v"), (None, b"hello")], 1000)
        self.assertEqual(batch, GOLDEN_BATCH)
        fields = HEADER.unpack_from(batch)
        self.assertEqual(fields[1], len(batch) - 12, "batchLength counts the bytes after itself")
        self.assertEqual(fields[4], crc32c(batch[21:]))
        self.assertNotEqual(corrupt_crc(batch), batch)
        self.assertEqual(len(corrupt_crc(batch)), len(batch))

    def test_zookeeper_fixture_and_client(self):
        zookeeper = self.start_zookeeper()
        with ZkClient(zookeeper.connect) as zk:
            self.assertEqual(zk.get_children("/"), ["zookeeper"])
            zk.create_recursive("/a/b/c", b'{"x":1}')
            self.assertEqual(zk.get_json("/a/b/c"), {"x": 1})
            zk.create("/ephemeral", b"e", ephemeral=True)
            self.assertNotEqual(zk.exists("/ephemeral").ephemeral_owner, 0)
            self.assertIsNone(zk.exists("/missing"))
        with ZkClient(zookeeper.connect) as zk:
            self.assertIsNone(zk.exists("/ephemeral"), "an ephemeral node outlived its closed session")
            self.assertEqual(zk.exists("/a/b/c").ephemeral_owner, 0)
        zookeeper.stop()
        self.assertFalse(zookeeper.alive())


if __name__ == "__main__":
    unittest.main()
