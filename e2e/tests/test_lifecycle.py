"""The broker's life as an operator sees it: clean shutdown on SIGTERM, -daemon through
bin/kafka-server-start.sh, start-up errors that say what to fix, and the admin port's probes and
metrics.

One ZooKeeper serves the whole class; each test runs its own broker (its own id and topics, so
nothing one test leaves in ZooKeeper meets another's).
"""

import os
import re
import signal
import subprocess
import time
import unittest

from harness import ports
from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.paths import REPO_DIR, broker_binary
from harness.processes import pids_with_argument, process_gone
from harness.prometheus import Samples
from harness.waiting import wait_until
from harness.zk_client import ZkClient

CLEAN_SHUTDOWN_MARKER = ".kafka_cleanshutdown"
RECOVERY_CHECKPOINT = "recovery-point-offset-checkpoint"


def read_checkpoint(path):
    """Kafka's offset checkpoint file: version line (0), entry count, then "<topic> <partition>
    <offset>" lines. Returns {(topic, partition): offset}; checks the count matches."""
    with open(path) as f:
        lines = f.read().splitlines()
    if len(lines) < 2 or lines[0] != "0":
        raise AssertionError(f"{path} is not a version-0 offset checkpoint: {lines[:3]!r}")
    entries = {}
    for line in lines[2:]:
        topic, partition, offset = line.rsplit(" ", 2)
        entries[(topic, int(partition))] = int(offset)
    if len(entries) != int(lines[1]):
        raise AssertionError(f"{path} announces {lines[1]} entries and has {len(entries)}")
    return entries


class LifecycleTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zookeeper = cls.start_class_zookeeper()

    def registered(self, broker_id):
        with ZkClient(self.zookeeper.connect) as zk:
            return zk.exists(f"/brokers/ids/{broker_id}") is not None

    # --- clean shutdown --------------------------------------------------------------------

    def test_sigterm_exits_0_deregisters_at_once_and_checkpoints_the_log_ends(self):
        # A long session: if the registration vanished only by session expiry, it would take 30 s.
        broker = self.start_broker(self.zookeeper, broker_id=1, properties={
            "zookeeper.session.timeout.ms": 30000, "num.partitions": 3})
        kcat = Kcat(broker.bootstrap)
        kcat.wait_topic("clean", 3)
        kcat.wait_topic("clean-empty", 3)  # stays empty
        messages = [b"key%d:value-%d" % (i, i) for i in range(300)]
        kcat.produce("clean", b"\n".join(messages) + b"\n", key_delimiter=":")
        ends = {p: kcat.query_offset("clean", p, -1) for p in range(3)}
        self.assertEqual(sum(ends.values()), 300, ends)
        self.assertTrue(self.registered(1))

        started = time.monotonic()
        code = broker.stop(timeout=15)
        took = time.monotonic() - started
        self.assertFalse(broker.alive())
        self.assertEqual(code, 0, "exit code after SIGTERM")
        self.assertLess(took, 5.0, "clean shutdown took too long")
        self.assertFalse(self.registered(1), "/brokers/ids/1 outlived the broker: not deregistered on shutdown")

        with self.subTest("clean shutdown marker and recovery points"):
            self.assertTrue(os.path.exists(os.path.join(broker.data_dir, CLEAN_SHUTDOWN_MARKER)))
            checkpoint = read_checkpoint(os.path.join(broker.data_dir, RECOVERY_CHECKPOINT))
            self.assertEqual({p: checkpoint.get(("clean", p)) for p in range(3)}, ends,
                             "recovery points are not the partitions' log end offsets")
            self.assertEqual({p: checkpoint.get(("clean-empty", p)) for p in range(3)}, {0: 0, 1: 0, 2: 0})

        log_before_restart = len(broker.server_log())
        broker.start()
        restart_log = broker.server_log()[log_before_restart:]
        loaded = re.search(r"Loaded (\d+) logs \((\d+) recovered after an unclean shutdown, (\d+) segments re-validated, "
                           r"(\S*) bytes truncated\) in (\S*) ms", restart_log)
        self.assertIsNotNone(loaded, f"no log-loading summary in server.log after the restart:\n{restart_log[-3000:]}")
        self.assertEqual(loaded.group(1, 2), ("6", "0"), f"logs loaded, logs recovered: {loaded.group(0)}")
        self.assertFalse(os.path.exists(os.path.join(broker.data_dir, CLEAN_SHUTDOWN_MARKER)),
                         "the clean-shutdown marker must be removed once the broker runs again")
        with self.subTest("no segment re-validated after a clean shutdown, empty partitions included"):
            self.assertEqual(loaded.group(3), "0", loaded.group(0))
        with self.subTest("the log-loading summary is complete"):
            self.assertEqual(loaded.group(4), "0", f"bytes truncated: {loaded.group(0)}")
            self.assertRegex(loaded.group(5), r"^\d+$", f"load time: {loaded.group(0)}")
        with self.subTest("the data is served after the restart"):
            kcat.wait_topic("clean", 3)
            served = kcat.consume("clean", "%k:%s\n").splitlines()
            self.assertEqual(sorted(served), sorted(messages))

    # --- -daemon through the start script --------------------------------------------------

    def test_daemon_through_kafka_server_start_sh(self):
        broker = self.new_broker(self.zookeeper, broker_id=2)
        broker.write_properties()
        build_dir = os.path.dirname(os.path.dirname(broker_binary()))
        env = dict(os.environ, LOG_DIR=broker.log_dir,
                   # sluice-env.sh looks in $repo/$BUILD_DIR/bin, then on PATH.
                   BUILD_DIR=os.path.relpath(build_dir, REPO_DIR),
                   PATH=os.path.dirname(broker_binary()) + os.pathsep + os.environ.get("PATH", ""))
        script = os.path.join(REPO_DIR, "bin", "kafka-server-start.sh")
        script_output = os.path.join(broker.workdir, "start-script.out")
        started = time.monotonic()
        with open(script_output, "wb") as out:
            completed = subprocess.run([script, "-daemon", broker.properties_path], stdout=out, stderr=out,
                                       stdin=subprocess.DEVNULL, env=env, timeout=20)
        took = time.monotonic() - started

        # The daemon is not our child: find it by its unique server.properties path, and make
        # sure it goes away whatever happens next.
        pids = pids_with_argument(broker.properties_path)
        for pid in pids:
            self.addCleanup(self.kill_if_running, pid)
        with open(script_output, "rb") as f:
            self.assertEqual(completed.returncode, 0, f"kafka-server-start.sh -daemon: {f.read()[-2000:]!r}")
        self.assertLess(took, 3.0, "kafka-server-start.sh -daemon did not return at once")
        self.assertEqual(len(pids), 1, f"expected one daemonized broker, found {pids}")
        pid = pids[0]
        self.assertEqual(os.path.realpath(f"/proc/{pid}/exe"), os.path.realpath(broker_binary()),
                         "the script started another sluice-broker than the one under test")
        self.assertNotEqual(os.getsid(pid), os.getsid(0), "the daemon did not start its own session")

        def ready():
            if process_gone(pid):
                raise AssertionError(f"the daemon exited: {broker.failure_report()}")
            status, _ = broker.http_get("/readyz", timeout=1.0)
            return status == 200 and ports.port_accepts(broker.port)
        wait_until(ready, 30, "the daemonized broker to be ready")

        kcat = Kcat(broker.bootstrap)
        kcat.wait_topic("daemonized", 1)
        kcat.produce("daemonized", b"one\ntwo\nthree\n")
        self.assertEqual(kcat.consume("daemonized", "%s\n"), b"one\ntwo\nthree\n")

        console = os.path.join(broker.log_dir, "sluiceServer.out")
        self.assertTrue(os.path.isfile(console), f"no sluiceServer.out in LOG_DIR: {os.listdir(broker.log_dir)}")
        self.assertTrue(os.path.isfile(broker.server_log_path), "no server.log in LOG_DIR")
        self.assertIn("started", broker.server_log())

        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: process_gone(pid), 15, f"daemon {pid} to exit after SIGTERM")
        self.assertTrue(os.path.exists(os.path.join(broker.data_dir, CLEAN_SHUTDOWN_MARKER)),
                        "the daemon did not shut down cleanly")
        self.assertFalse(self.registered(2))

    def test_kafka_server_stop_sh_in_a_pid_namespace_of_its_own(self):
        # kafka-server-stop.sh signals every process whose command line mentions sluice-broker
        # (pgrep -f), like Kafka's script: on a shared machine that would stop other tests'
        # brokers. In a fresh PID namespace (with its own /proc) it sees only the broker started
        # there; when the namespace's first process exits the kernel kills whatever is left.
        probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True, timeout=10)
        if probe.returncode != 0:
            self.skipTest(f"cannot make a PID namespace here: {probe.stderr.decode(errors='replace').strip()}")
        broker = self.new_broker(self.zookeeper, broker_id=12)
        broker.write_properties()
        build_dir = os.path.dirname(os.path.dirname(broker_binary()))
        # Paths travel in the environment: a command line naming the broker would match the
        # script's pgrep pattern itself.
        env = dict(os.environ, LOG_DIR=broker.log_dir, BUILD_DIR=os.path.relpath(build_dir, REPO_DIR),
                   PATH=os.path.dirname(broker_binary()) + os.pathsep + os.environ.get("PATH", ""),
                   START=os.path.join(REPO_DIR, "bin", "kafka-server-start.sh"),
                   STOP=os.path.join(REPO_DIR, "bin", "kafka-server-stop.sh"), PROPS=broker.properties_path)
        namespace = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", "bash", "-c",
             '"$START" -daemon "$PROPS" || exit 9; read -r _; "$STOP"; echo "first=$?"; "$STOP"; echo "second=$?"'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.addCleanup(self.end_namespace, namespace)

        def ready():
            if namespace.poll() is not None:
                raise AssertionError(f"the namespace exited: {namespace.stdout.read()!r}")
            status, _ = broker.http_get("/readyz", timeout=1.0)
            return status == 200 and ports.port_accepts(broker.port)
        wait_until(ready, 30, "the broker started in the PID namespace to be ready")
        kcat = Kcat(broker.bootstrap)
        kcat.wait_topic("stopped-by-script", 1)
        kcat.produce("stopped-by-script", b"before-stop\n")

        started = time.monotonic()
        output, _ = namespace.communicate(b"stop\n", timeout=45)
        took = time.monotonic() - started
        text = output.decode(errors="replace")
        self.assertIn("first=0", text, "kafka-server-stop.sh did not stop the broker")
        self.assertIn("No kafka server to stop", text)
        self.assertIn("second=1", text, "with nothing running the script must exit 1")
        self.assertLess(took, 15, "stopping took too long")
        self.assertTrue(os.path.exists(os.path.join(broker.data_dir, CLEAN_SHUTDOWN_MARKER)),
                        "the script's SIGTERM did not give a clean shutdown")
        self.assertFalse(self.registered(12))

    @staticmethod
    def end_namespace(namespace):
        if namespace.poll() is None:
            os.killpg(namespace.pid, signal.SIGKILL)  # its PID 1 dies, and with it the namespace
            namespace.wait(timeout=10)

    @staticmethod
    def kill_if_running(pid):
        if not process_gone(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # --- start-up errors -------------------------------------------------------------------

    def assert_start_fails(self, broker, *, mentions, within=15.0, extra_args=()):
        completed, took = broker.run_until_exit(timeout=within, extra_args=extra_args)
        self.assertNotEqual(completed.returncode, 0, f"the broker started; stderr: {completed.stderr[-2000:]}")
        self.assertEqual(completed.returncode, 1, f"start-up failure exit code; stderr: {completed.stderr[-2000:]}")
        for text in mentions:
            self.assertIn(text, completed.stderr, "stderr does not say what is wrong")
        return completed, took

    def test_invalid_value_exits_non_zero_naming_the_key_and_the_value(self):
        broker = self.new_broker(self.zookeeper, broker_id=3, properties={"num.partitions": "abc"})
        self.assert_start_fails(broker, mentions=["num.partitions", "abc"])
        self.assertFalse(self.registered(3))

    def test_unknown_key_is_warned_about_and_the_broker_starts(self):
        broker = self.start_broker(self.zookeeper, broker_id=4, properties={"foo.bar": 1})
        warnings = [line for line in broker.server_log().splitlines() if "foo.bar" in line]
        self.assertTrue(warnings, "server.log does not name the unknown key foo.bar")
        self.assertTrue(any("WARN" in line for line in warnings), warnings)

    def test_override_on_the_command_line_takes_effect(self):
        broker = self.new_broker(self.zookeeper, broker_id=5, properties={"num.partitions": 1})
        broker.start(extra_args=["--override", "num.partitions=4"])
        Kcat(broker.bootstrap).wait_topic("overridden", 4)
        with ZkClient(self.zookeeper.connect) as zk:
            self.assertEqual(zk.get_children("/brokers/topics/overridden/partitions"), ["0", "1", "2", "3"])

    def test_missing_zookeeper_connect_is_refused(self):
        broker = self.new_broker(self.zookeeper, broker_id=6)
        del broker.properties["zookeeper.connect"]
        self.assert_start_fails(broker, mentions=["zookeeper.connect"], within=10)

    def test_unreachable_zookeeper_fails_within_the_connection_timeout(self):
        nobody = ports.free_port()  # nothing listens there
        broker = self.new_broker(self.zookeeper, broker_id=7, properties={
            "zookeeper.connect": f"127.0.0.1:{nobody}", "zookeeper.connection.timeout.ms": 2000})
        completed, took = self.assert_start_fails(broker, mentions=[], within=15)
        self.assertRegex(completed.stderr, re.compile(r"zookeeper", re.IGNORECASE))
        self.assertIn(f"127.0.0.1:{nobody}", completed.stderr + broker.server_log(), "the address tried is not named")
        self.assertGreaterEqual(took, 1.5, "gave up before zookeeper.connection.timeout.ms")
        self.assertLess(took, 2.0 + 6.0, "took far longer than zookeeper.connection.timeout.ms")

    def test_log_dir_of_another_broker_id_is_refused(self):
        broker = self.new_broker(self.zookeeper, broker_id=8)
        broker.write_properties()
        with open(os.path.join(broker.data_dir, "meta.properties"), "w") as f:
            f.write("#\n#Tue Nov 24 10:00:00 UTC 2026\nversion=0\nbroker.id=42\n")
        completed, _ = self.assert_start_fails(broker, mentions=["meta.properties", "broker.id", "42", "8"])
        self.assertIn(broker.data_dir, completed.stderr)
        self.assertFalse(self.registered(8))
        with open(os.path.join(broker.data_dir, "meta.properties")) as f:
            self.assertIn("broker.id=42", f.read(), "the other broker's meta.properties was overwritten")

    def test_second_broker_on_the_same_log_dir_is_refused(self):
        first = self.start_broker(self.zookeeper, broker_id=9)
        Kcat(first.bootstrap).wait_topic("shared-dir", 1)
        # Same broker.id (so meta.properties matches) and the same log.dirs; its own ports.
        second = self.new_broker(self.zookeeper, broker_id=9, properties={"log.dirs": first.data_dir})
        completed, _ = self.assert_start_fails(second, mentions=[first.data_dir])
        self.assertRegex(completed.stderr, re.compile(r"lock", re.IGNORECASE))
        first.assert_alive()
        self.assertTrue(self.registered(9), "the refused broker took the first one's registration down")
        kcat = Kcat(first.bootstrap)
        kcat.produce("shared-dir", b"still-serving\n")
        self.assertEqual(kcat.consume("shared-dir", "%s\n"), b"still-serving\n")

    # --- admin port ------------------------------------------------------------------------

    def test_admin_port_probes_and_metrics(self):
        broker = self.start_broker(self.zookeeper, broker_id=10, properties={"num.partitions": 3})
        self.assertEqual(broker.http_get("/healthz")[0], 200)
        self.assertEqual(broker.http_get("/readyz")[0], 200)

        kcat = Kcat(broker.bootstrap)
        kcat.wait_topic("metered", 3)
        count, value_size = 200, 100
        payload = b"".join(b"%s\n" % (b"%03d" % i).ljust(value_size, b"x") for i in range(count))
        kcat.produce("metered", payload, extra=["-X", "compression.codec=none"])
        consumed = kcat.consume("metered", "%s\n")
        self.assertEqual(len(consumed.splitlines()), count)

        status, text = broker.http_get("/metrics")
        self.assertEqual(status, 200)
        metrics = Samples(text)

        with self.subTest("per-topic bytes and messages"):
            messages_in = metrics.value("kafka_server_brokertopicmetrics_messagesin_total", topic="metered")
            bytes_in = metrics.value("kafka_server_brokertopicmetrics_bytesin_total", topic="metered")
            bytes_out = metrics.value("kafka_server_brokertopicmetrics_bytesout_total", topic="metered")
            self.assertEqual(messages_in, count)
            # Record batches as stored: the values plus per-record and per-batch overhead
            # (a 61-byte batch header, a few bytes of varints per record).
            self.assertGreaterEqual(bytes_in, count * value_size)
            self.assertLess(bytes_in, count * value_size + count * 30 + 3 * 61 * 20)
            # Everything was read once; a consumer may re-read a little, never less than all of it.
            self.assertGreaterEqual(bytes_out, bytes_in)
            self.assertLess(bytes_out, 2 * bytes_in)

        with self.subTest("request counts per API"):
            for request in ("Produce", "Metadata", "ApiVersions"):
                self.assertGreaterEqual(metrics.value("kafka_network_requestmetrics_requests_total", request=request), 1,
                                        request)
            fetches = [v for l, v in metrics.find("kafka_network_requestmetrics_requests_total")
                       if l.get("request") in ("Fetch", "FetchConsumer")]
            self.assertTrue(fetches and sum(fetches) >= 1, "no Fetch request counted")
            self.assertGreaterEqual(metrics.value("kafka_network_requestmetrics_requests_total", request="ListOffsets"), 3,
                                    "kcat -e asked for the 3 partitions' offsets")

        with self.subTest("request latency histogram"):
            buckets = sorted(((float(l["le"]), v) for l, v in
                              metrics.find("kafka_network_requestmetrics_totaltimems_bucket", request="Produce")),
                             key=lambda bucket: bucket[0])
            self.assertGreater(len(buckets), 3, "too few latency buckets")
            self.assertEqual(buckets[-1][0], float("inf"))
            counts = [v for _, v in buckets]
            self.assertEqual(counts, sorted(counts), "cumulative bucket counts must not decrease")
            total = metrics.value("kafka_network_requestmetrics_totaltimems_count", request="Produce")
            self.assertEqual(buckets[-1][1], total)
            self.assertGreaterEqual(total, metrics.value("kafka_network_requestmetrics_requests_total", request="Produce")
                                    - 1)
            self.assertGreaterEqual(metrics.value("kafka_network_requestmetrics_totaltimems_sum", request="Produce"), 0)

        with self.subTest("partition count"):
            self.assertEqual(metrics.value("kafka_server_replicamanager_partitioncount"), 3)
            self.assertEqual(metrics.value("kafka_server_replicamanager_leadercount"), 3)


if __name__ == "__main__":
    unittest.main()
