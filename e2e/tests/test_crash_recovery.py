"""Crash recovery: the broker is SIGKILLed under acks=all load and restarted on the same
directories; every message the client saw acknowledged must be served back at its acknowledged
offset with intact content, the whole partition must be readable, and server.log must report the
recovery. A torn batch left at the tail of the active segment must be cut off on restart."""

import os
import re
import signal
import struct
import unittest

from harness import rdkafka_client
from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.record_batch import read_batch_headers
from harness.waiting import wait_until

TOPIC = "crash"


def read_acks(path):
    """Lines "<partition> <offset> <payload>" written by rdkafka_e2e_client produce-log.
    A final line without its newline (the client was mid-write) is ignored."""
    with open(path, "rb") as f:
        data = f.read()
    acks = []
    for line in data.split(b"\n")[:-1]:
        partition, offset, payload = line.split(b" ", 2)
        acks.append((int(partition), int(offset), payload))
    return acks


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


class CrashRecoveryTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.zookeeper = self.start_zookeeper()
        # A short ZooKeeper session so the dead broker's registration expires quickly.
        self.broker = self.start_broker(self.zookeeper, properties={"zookeeper.session.timeout.ms": 6000})
        self.kcat = Kcat(self.broker.bootstrap)
        self.kcat.wait_topic(TOPIC, 1)
        work = self.scratch_dir("producer")
        self.acks_path = os.path.join(work, "acks.txt")
        self.producer = rdkafka_client.start("produce-log", os.path.join(work, "producer.out"),
                                             bootstrap=self.broker.bootstrap, topic=TOPIC, partition=0,
                                             out=self.acks_path, payload_bytes=300)
        self.addCleanup(self.producer.stop)

    def wait_for_acks(self, at_least, timeout):
        wait_until(lambda: count_lines(self.acks_path) >= at_least, timeout,
                   f"{at_least} acknowledged messages in {self.acks_path} "
                   f"(producer output: {self.producer.output_tail(1500)!r})", interval=0.2)

    def stop_producer(self):
        code = self.producer.stop(timeout=45)
        self.assertEqual(code, 0, f"producer exit code; output:\n{self.producer.output_tail(3000)}")

    def read_partition(self):
        """offset -> payload for the whole partition, read by kcat (which must not fail)."""
        out = self.kcat.consume(TOPIC, "%o %s\n", partition=0, timeout=120)
        served = {}
        for line in out.split(b"\n"):
            if line:
                offset, payload = line.split(b" ", 1)
                served[int(offset)] = payload
        return served

    def assert_every_ack_served(self, acks, served):
        self.assertTrue(acks, "the producer saw no acknowledgements at all")
        by_offset = {}
        for partition, offset, payload in acks:
            self.assertEqual(partition, 0)
            previous = by_offset.setdefault(offset, payload)
            self.assertEqual(previous, payload, f"offset {offset} acknowledged for two different payloads")
        missing = [o for o in by_offset if o not in served]
        changed = [o for o in by_offset if o in served and served[o] != by_offset[o]]
        self.assertEqual(missing[:10], [], f"{len(missing)} acknowledged offsets are not served (first 10)")
        self.assertEqual(changed[:10], [], f"{len(changed)} acknowledged offsets serve other content (first 10)")
        self.assertEqual(sorted(served), list(range(len(served))), "offsets served are not dense from 0")

    def test_sigkill_under_acks_all_load_loses_no_acknowledged_message(self):
        self.wait_for_acks(3000, timeout=60)
        log_size_before_restart = len(self.broker.server_log())
        self.broker.kill(signal.SIGKILL)
        self.assertTrue(self.producer.alive(), "the producer must ride out the broker's death")

        acks_at_kill = count_lines(self.acks_path)
        self.broker.restart(timeout=60)
        self.wait_for_acks(acks_at_kill + 2000, timeout=90)  # the producer resumed after the restart
        self.stop_producer()

        acks = read_acks(self.acks_path)
        self.assert_every_ack_served(acks, self.read_partition())

        recovery_log = self.broker.server_log()[log_size_before_restart:]
        self.assertRegex(recovery_log, re.compile(r"recover", re.IGNORECASE),
                         "server.log after the restart does not mention recovery")
        self.broker.assert_alive()

    def test_torn_batch_at_the_tail_is_truncated_on_restart(self):
        self.wait_for_acks(2000, timeout=60)
        self.stop_producer()  # every produced message is now acknowledged; nothing in flight
        acks = read_acks(self.acks_path)
        valid_end = self.kcat.query_offset(TOPIC, 0, -1)
        self.broker.kill(signal.SIGKILL)

        # Append the first 40 bytes of a copy of the last batch, renumbered to follow it: what a
        # write cut short by a crash leaves behind.
        directory = self.broker.partition_dir(TOPIC, 0)
        active = os.path.join(directory, self.broker.segment_files(TOPIC, 0)[-1])
        last = read_batch_headers(active)[-1]
        with open(active, "rb") as f:
            f.seek(last.position)
            copy = bytearray(f.read(40))
        struct.pack_into(">q", copy, 0, last.base_offset + last.last_offset_delta + 1)
        with open(active, "ab") as f:
            f.write(bytes(copy))

        self.broker.restart(timeout=60)
        served = self.read_partition()
        self.assert_every_ack_served(acks, served)
        self.assertEqual(len(served), valid_end, "records served after truncating the torn tail")
        self.assertEqual(self.kcat.query_offset(TOPIC, 0, -1), valid_end, "log end offset after recovery")

        # The log continues right after the last intact batch.
        self.kcat.produce(TOPIC, b"after-recovery\n", partition=0)
        tail = self.kcat.consume(TOPIC, "%o %s\n", partition=0, offset=valid_end)
        self.assertEqual(tail, f"{valid_end} after-recovery\n".encode())
        self.assertTrue(all(h.crc_ok for s in self.broker.segment_files(TOPIC, 0)
                            for h in read_batch_headers(os.path.join(directory, s))),
                        "a batch on disk fails its CRC after recovery")


if __name__ == "__main__":
    unittest.main()
