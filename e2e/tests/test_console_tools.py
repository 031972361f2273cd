"""The console tools as a Kafka user types them: bin/kafka-console-producer.sh and
bin/kafka-console-consumer.sh (the `sluice` binary behind them) against a real broker, checked
with kcat (a client we did not write): keyed lines, Kafka's default partitioner (murmur2, the same
partitions librdkafka's murmur2_random picks), --from-beginning / --max-messages / --timeout-ms,
--partition / --offset, print.* properties, every compression codec as stored on disk, the `>`
prompt on a terminal, SIGINT, and bad flags (exit 1, the flag or value named). Consumer groups
(--group) run when the broker advertises JoinGroup."""

import os
import pty
import select
import signal
import subprocess
import time
import unittest

from harness import kafka_wire
from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.paths import REPO_DIR, build_dir
from harness.record_batch import read_batch_headers

PRODUCER = os.path.join(REPO_DIR, "bin", "kafka-console-producer.sh")
CONSUMER = os.path.join(REPO_DIR, "bin", "kafka-console-consumer.sh")
PARTITIONS = 3
CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def tool_env():
    """bin/sluice-env.sh finds `sluice` under $BUILD_DIR (relative to the repo) before PATH."""
    env = dict(os.environ)
    env["BUILD_DIR"] = os.path.relpath(build_dir(), REPO_DIR)
    return env


class ConsoleToolsTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sluice = os.path.join(build_dir(), "bin", "sluice")
        if not os.access(sluice, os.X_OK):
            raise AssertionError(f"sluice not found at {sluice}: build it (ninja sluice)")
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper, properties={"num.partitions": PARTITIONS})
        cls.kcat = Kcat(cls.broker.bootstrap)

    # --- helpers -----------------------------------------------------------------------------

    def produce(self, topic, lines, *flags, server_flag="--bootstrap-server", timeout=60, check=True):
        data = "".join(line + "\n" for line in lines).encode()
        completed = subprocess.run([PRODUCER, server_flag, self.broker.bootstrap, "--topic", topic, *flags],
                                   input=data, capture_output=True, timeout=timeout, env=tool_env())
        if check:
            self.assertEqual(completed.returncode, 0, f"console producer failed:\n{completed.stderr.decode()}")
        return completed

    def consume(self, topic, *flags, timeout=60, check=True):
        completed = subprocess.run([CONSUMER, "--bootstrap-server", self.broker.bootstrap, "--topic", topic, *flags],
                                   capture_output=True, timeout=timeout, env=tool_env())
        if check:
            self.assertEqual(completed.returncode, 0, f"console consumer failed:\n{completed.stderr.decode()}")
        return completed

    def run_tool(self, script, *args, timeout=30):
        return subprocess.run([script, *args], capture_output=True, timeout=timeout, env=tool_env())

    def kcat_records(self, topic):
        """{(key, value): partition} of everything in the topic, read by kcat."""
        out = self.kcat.consume(topic, "%k\t%s\t%p\n").decode()
        records = {}
        for line in out.splitlines():
            key, value, partition = line.split("\t")
            records[(key, value)] = int(partition)
        return records

    def stored_codecs(self, topic):
        codecs = set()
        count = 0
        for partition in range(PARTITIONS):
            directory = self.broker.partition_dir(topic, partition)
            for segment in self.broker.segment_files(topic, partition):
                for header in read_batch_headers(os.path.join(directory, segment)):
                    self.assertTrue(header.crc_ok, f"{topic}-{partition}: a stored batch fails its CRC")
                    codecs.add(header.attributes & 7)
                    count += header.record_count
        return codecs, count

    def broker_has_groups(self):
        with kafka_wire.RawConnection(self.broker.port) as connection:
            _, keys = kafka_wire.parse_api_versions_v0(connection.call(18, 0, b""))
        return all(key in keys for key in (10, 11, 12, 13, 14, 8, 9))

    # --- produce and consume -------------------------------------------------------------------

    def test_keyed_lines_reach_kcat_in_murmur2_partitions(self):
        lines = [f"key-{i}:value {i}" for i in range(60)]
        # --broker-list: the seed tutorial's spelling (deprecated in Kafka 2.5, still accepted).
        produced = self.produce("keyed", lines, "--property", "parse.key=true", "--property", "key.separator=:",
                                server_flag="--broker-list")
        self.assertNotIn(b">", produced.stdout, "no prompt when stdin is not a terminal")
        records = self.kcat_records("keyed")
        self.assertEqual(set(records), {(f"key-{i}", f"value {i}") for i in range(60)})
        self.assertGreater(len(set(records.values())), 1, "keys spread over several partitions")

        # librdkafka's murmur2_random is Java's default partitioner; the same keys must land in the
        # same partitions of a topic with the same partition count.
        self.kcat.produce("keyed-by-kcat", "".join(f"key-{i}:value {i}\n" for i in range(60)).encode(),
                          key_delimiter=":", extra=["-X", "partitioner=murmur2_random"])
        self.assertEqual(self.kcat_records("keyed-by-kcat"), records)

    def test_from_beginning_with_max_messages_and_print_key(self):
        self.produce("sports", [f"k{i}\tgame {i}" for i in range(25)], "--property", "parse.key=true")
        consumed = self.consume("sports", "--from-beginning", "--max-messages", "25",
                                "--property", "print.key=true")
        lines = consumed.stdout.decode().splitlines()
        self.assertEqual(sorted(lines), sorted(f"k{i}\tgame {i}" for i in range(25)))
        self.assertIn("Processed a total of 25 messages", consumed.stderr.decode())

    def test_max_messages_stops_early(self):
        self.produce("ten", [f"m{i}" for i in range(10)])
        consumed = self.consume("ten", "--from-beginning", "--max-messages", "4")
        self.assertEqual(len(consumed.stdout.decode().splitlines()), 4)
        self.assertIn("Processed a total of 4 messages", consumed.stderr.decode())

    def test_timeout_ms_ends_an_idle_consumer(self):
        self.produce("idle", ["a", "b", "c"])
        started = time.monotonic()
        consumed = self.consume("idle", "--from-beginning", "--timeout-ms", "2000")
        self.assertLess(time.monotonic() - started, 20)
        self.assertEqual(sorted(consumed.stdout.decode().splitlines()), ["a", "b", "c"])
        self.assertIn("Processed a total of 3 messages", consumed.stderr.decode())

    def test_without_from_beginning_only_new_records_are_read(self):
        self.produce("latest", ["old"])
        consumer = subprocess.Popen([CONSUMER, "--bootstrap-server", self.broker.bootstrap, "--topic", "latest",
                                     "--max-messages", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=tool_env())
        try:
            time.sleep(3)  # let it position at the end
            self.produce("latest", ["new"])
            out, err = consumer.communicate(timeout=30)
        finally:
            consumer.kill()
        self.assertEqual(out.decode().splitlines(), ["new"], err.decode())

    def test_partition_and_offset(self):
        self.produce("numbered", [f"{i}:n{i}" for i in range(30)], "--property", "parse.key=true",
                     "--property", "key.separator=:")
        on_zero = sorted(value for (key, value), p in self.kcat_records("numbered").items() if p == 0)
        self.assertGreater(len(on_zero), 3)
        consumed = self.consume("numbered", "--partition", "0", "--offset", "2", "--timeout-ms", "2000",
                                "--property", "print.offset=true", "--property", "print.partition=true")
        rows = [line.split("\t") for line in consumed.stdout.decode().splitlines()]
        self.assertEqual([int(r[1].removeprefix("Offset:")) for r in rows], list(range(2, len(on_zero))))
        self.assertTrue(all(r[0] == "Partition:0" for r in rows))
        earliest = self.consume("numbered", "--partition", "0", "--offset", "earliest", "--timeout-ms", "2000")
        self.assertEqual(sorted(earliest.stdout.decode().splitlines()), on_zero)
        latest = self.consume("numbered", "--partition", "0", "--offset", "latest", "--timeout-ms", "1500")
        self.assertEqual(latest.stdout, b"")

    def test_compression_codecs_are_stored_as_chosen(self):
        for codec, flags in [("none", []), ("gzip", ["--compression-codec"]), ("snappy", ["--compression-codec", "snappy"]),
                             ("lz4", ["--compression-codec", "lz4"]),
                             ("zstd", ["--producer-property", "compression.type=zstd"])]:
            with self.subTest(codec=codec):
                topic = f"codec-{codec}"
                lines = [f"{codec} line {i} " + "x" * 50 for i in range(200)]
                self.produce(topic, lines, *flags)
                codecs, count = self.stored_codecs(topic)
                self.assertEqual(codecs, {CODEC_IDS[codec]})
                self.assertEqual(count, 200)
                self.assertEqual(sorted(self.kcat.consume(topic, "%s\n").decode().splitlines()), sorted(lines))
                consumed = self.consume(topic, "--from-beginning", "--max-messages", "200")
                self.assertEqual(sorted(consumed.stdout.decode().splitlines()), sorted(lines))

    def test_acks_all_and_sync(self):
        self.produce("acked", ["one", "two"], "--request-required-acks", "all", "--sync")
        self.assertEqual(sorted(self.kcat.consume("acked", "%s\n").decode().splitlines()), ["one", "two"])

    def test_prompt_on_a_terminal(self):
        master, slave = pty.openpty()
        producer = subprocess.Popen([PRODUCER, "--bootstrap-server", self.broker.bootstrap, "--topic", "typed"],
                                    stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=tool_env())
        os.close(slave)
        output = b""
        try:
            def read_until(token, deadline):
                nonlocal output
                while token not in output and time.monotonic() < deadline:
                    ready, _, _ = select.select([master], [], [], 0.2)
                    if ready:
                        try:
                            output += os.read(master, 1024)
                        except OSError:
                            break
            read_until(b">", time.monotonic() + 20)
            self.assertIn(b">", output)
            os.write(master, b"hello from a terminal\n")
            time.sleep(0.5)
            os.write(master, b"\x04")  # end of input
            producer.wait(timeout=30)
        finally:
            producer.kill()
            os.close(master)
            stderr = producer.stderr.read().decode()
            producer.stderr.close()
        self.assertEqual(producer.returncode, 0, stderr)
        self.assertEqual(self.kcat.consume("typed", "%s\n").decode().splitlines(), ["hello from a terminal"])

    def test_sigint_ends_the_consumer_cleanly(self):
        self.produce("interrupted", ["x"])
        consumer = subprocess.Popen([CONSUMER, "--bootstrap-server", self.broker.bootstrap, "--topic", "interrupted",
                                     "--from-beginning"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=tool_env())
        try:
            time.sleep(3)
            consumer.send_signal(signal.SIGINT)
            out, err = consumer.communicate(timeout=20)
        finally:
            consumer.kill()
        self.assertEqual(consumer.returncode, 0, err.decode())
        self.assertEqual(out.decode().splitlines(), ["x"])
        self.assertIn("Processed a total of 1 messages", err.decode())

    def test_failed_delivery_names_the_topic_and_exits_1(self):
        completed = self.produce("bad topic!", ["x"], check=False)
        self.assertEqual(completed.returncode, 1)
        self.assertIn("bad topic!", completed.stderr.decode())

    # --- bad flags -------------------------------------------------------------------------------

    def test_bad_flags_exit_1_naming_the_flag(self):
        cases = [
            (PRODUCER, ["--bootstrap-server", self.broker.bootstrap], 'Missing required argument "[topic]"'),
            (PRODUCER, ["--bootstrap-server", self.broker.bootstrap, "--topic", "t", "--no-such-flag"],
             "no-such-flag is not a recognized option"),
            (PRODUCER, ["--bootstrap-server", self.broker.bootstrap, "--topic", "t", "--compression-codec", "brotli"],
             "Invalid value brotli for --compression-codec"),
            (PRODUCER, ["--topic", "t"], 'Missing required argument "[bootstrap-server]"'),
            (CONSUMER, ["--bootstrap-server", self.broker.bootstrap, "--topic", "t", "--partition", "0",
                        "--offset", "abc"], "The provided offset value 'abc' is incorrect"),
            (CONSUMER, ["--bootstrap-server", self.broker.bootstrap], "Exactly one of whitelist/topic is required."),
            (CONSUMER, ["--bootstrap-server", self.broker.bootstrap, "--topic", "t", "--offset", "1"],
             "The partition is required when offset is specified."),
            (CONSUMER, ["--topic", "t"], 'Missing required argument "[bootstrap-server]"'),
            (CONSUMER, ["--bootstrap-server", self.broker.bootstrap, "--topic", "t", "--max-messages", "ten"],
             "max-messages"),
            (CONSUMER, [], "This tool helps to read data from Kafka topics"),
            (PRODUCER, [], "This tool helps to read data from standard input"),
        ]
        for script, args, message in cases:
            with self.subTest(tool=os.path.basename(script), args=args):
                completed = self.run_tool(script, *args)
                self.assertEqual(completed.returncode, 1, completed.stderr.decode())
                self.assertIn(message, completed.stderr.decode())

    def test_help_exits_0(self):
        for script, flag in [(PRODUCER, "--topic"), (CONSUMER, "--from-beginning")]:
            completed = self.run_tool(script, "--help")
            self.assertEqual(completed.returncode, 0)
            self.assertIn(flag, completed.stdout.decode())

    def test_unreachable_broker_is_named(self):
        completed = self.run_tool(CONSUMER, "--bootstrap-server", "127.0.0.1:1", "--topic", "t")
        self.assertEqual(completed.returncode, 1)
        self.assertIn("127.0.0.1:1", completed.stderr.decode())

    # --- consumer groups -------------------------------------------------------------------------

    def test_group_resumes_from_committed_offsets(self):
        self.assertTrue(self.broker_has_groups(), "the broker does not advertise the group APIs")
        self.produce("grouped", [f"g{i}" for i in range(10)])
        first = self.consume("grouped", "--group", "readers", "--from-beginning", "--max-messages", "6")
        second = self.consume("grouped", "--group", "readers", "--from-beginning", "--timeout-ms", "4000")
        first_lines = first.stdout.decode().splitlines()
        second_lines = second.stdout.decode().splitlines()
        self.assertEqual(len(first_lines), 6)
        self.assertEqual(sorted(first_lines + second_lines), sorted(f"g{i}" for i in range(10)),
                         "the second run resumes where the first committed: every record exactly once")
        # Another group reads everything again (publish/subscribe).
        other = self.consume("grouped", "--group", "others", "--from-beginning", "--timeout-ms", "4000")
        self.assertEqual(sorted(other.stdout.decode().splitlines()), sorted(f"g{i}" for i in range(10)))

    def test_two_members_of_one_group_split_the_partitions(self):
        self.assertTrue(self.broker_has_groups(), "the broker does not advertise the group APIs")
        self.produce("split", ["warm-up"])  # creates the topic with its partitions
        # --from-beginning: a member positions at the log end only after the join, so without it
        # records produced while the group forms could be skipped (as with Kafka).
        argv = [CONSUMER, "--bootstrap-server", self.broker.bootstrap, "--topic", "split", "--group", "splitters",
                "--from-beginning", "--timeout-ms", "12000", "--consumer-property", "heartbeat.interval.ms=500",
                "--property", "print.partition=true"]
        members = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=tool_env())
                   for _ in range(2)]
        try:
            time.sleep(6)  # both joined and the rebalance settled
            self.produce("split", [f"{i}:s{i}" for i in range(60)], "--property", "parse.key=true",
                         "--property", "key.separator=:")
            outputs = [m.communicate(timeout=90) for m in members]
        finally:
            for m in members:
                m.kill()
        seen = [[line.split("\t") for line in out.decode().splitlines()] for out, _ in outputs]
        values = [[v for _, v in rows if v != "warm-up"] for rows in seen]
        self.assertEqual(sorted(values[0] + values[1]), sorted(f"s{i}" for i in range(60)),
                         "each message reaches exactly one member of the group")
        self.assertTrue(values[0] and values[1], f"both members got partitions: {[e.decode()[-500:] for _, e in outputs]}")
        partitions = [{p for p, _ in rows} for rows in seen]
        self.assertFalse(partitions[0] & partitions[1], "no partition is read by both members")


if __name__ == "__main__":
    unittest.main()
