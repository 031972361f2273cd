"""The project's images in Debian's Docker engine, built with the project's Dockerfile.

Starts the engine unless one answers (and stops it at the end only then), makes the local base
image (cached), builds sluice/broker, sluice/operator and the test ZooKeeper image, and checks:
  * the broker image: non-root (uid 10001), a mounted server.properties, SLUICE_BROKER_ID and
    SLUICE_OVERRIDE_* become --override arguments, the broker is PID 1 (exec) so `docker stop`'s
    SIGTERM is a clean shutdown (exit 0, deregistered), kafka-*.sh run inside the image;
  * three brokers and a ZooKeeper container on a user-defined network serve kcat on the host;
  * `docker kill` of the leader's container under an acks=all idempotent producer loses no
    acknowledged message (harness/noloss.py's verdict, replicas read from the data volumes);
  * data and application logs land in their separate volumes, and `docker logs` has the log lines;
  * the test ZooKeeper image forms a three-server ensemble from ZOO_SERVERS / ZOO_MY_ID;
  * image sizes are printed (the broker image must stay under 150 MB).
A fresh machine compiles Sluice inside the builder stage once (minutes); after that Docker's layer
cache makes the builds take seconds unless the sources changed.
"""

import os
import re
import sys
import time

from harness import docker as d
from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.noloss import NoLossProducer, ReplicaData, read_partition, verify
from harness.replicated import FAULT_PROPERTIES
from harness.waiting import wait_until
from harness.zookeeper import four_letter_word

BROKER_UID = 10001
BROKER_IMAGE_LIMIT_BYTES = 150 * 1000 * 1000
# Partition directories, and the files Kafka keeps next to them in every log directory.
PARTITION_DIR = re.compile(r"^.+-\d+$")
LOG_DIR_BOOKKEEPING = {"meta.properties", "recovery-point-offset-checkpoint", "replication-offset-checkpoint",
                       "log-start-offset-checkpoint", "cleaner-offset-checkpoint", ".lock", ".kafka_cleanshutdown"}
DATA_FILE_MARKERS = re.compile(r"(^\d{20}\.(log|index|timeindex|txnindex|snapshot))|checkpoint|^meta\.properties$")


def megabytes(size):
    return f"{size / 1e6:.1f} MB"


class DockerImagesTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engine = d.DockerEngine().ensure()
        cls.addClassCleanup(cls.engine.stop)
        cls.session = d.DockerSession()
        cls.addClassCleanup(cls.session.close)
        cls.clusters = []
        build_logs = cls._new_dir("builds")
        took = d.build_broker_image(os.path.join(build_logs, "broker.log"))
        print(f"\n[docker] built {d.BROKER_IMAGE} in {took:.0f} s", file=sys.stderr)
        took = d.build_zookeeper_image(os.path.join(build_logs, "zookeeper.log"))
        print(f"[docker] built {d.ZOOKEEPER_IMAGE} in {took:.0f} s", file=sys.stderr)
        cls.build_logs = build_logs

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        problems_before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > problems_before:
            for cluster in self.clusters:
                print(cluster.report(), file=sys.stderr)
        return outcome

    def start_docker_cluster(self, name, size, properties=None):
        cluster = d.DockerCluster(self.session, name, self.scratch_dir(f"cluster-{name}"), size, properties)
        self.clusters.append(cluster)
        return cluster.start()

    # --- images ----------------------------------------------------------------------------

    def test_image_sizes(self):
        sizes = {tag: d.image_size(tag) for tag in (d.BROKER_IMAGE, d.ZOOKEEPER_IMAGE, "debian:bookworm-slim")}
        for tag, size in sizes.items():
            print(f"[docker] image {tag}: {megabytes(size)}", file=sys.stderr)
        self.assertLess(sizes[d.BROKER_IMAGE], BROKER_IMAGE_LIMIT_BYTES,
                        f"{d.BROKER_IMAGE} is {megabytes(sizes[d.BROKER_IMAGE])}, over the 150 MB target")

    def test_broker_image_metadata(self):
        config = d.image_inspect(d.BROKER_IMAGE)["Config"]
        self.assertEqual(config["User"], f"{BROKER_UID}:{BROKER_UID}")
        self.assertEqual(set(config["Volumes"]), {"/var/lib/sluice/data", "/var/log/sluice"})
        self.assertEqual(set(config["ExposedPorts"]), {"9092/tcp", "9644/tcp"})
        self.assertEqual(config["Entrypoint"], ["/opt/sluice/bin/sluice-docker-entrypoint"])
        self.assertEqual(config["Labels"]["org.opencontainers.image.version"], d.PROJECT_VERSION)
        listing = self.session.run("ls", d.BROKER_IMAGE, "bash", "-c",
                                   "ls /opt/sluice/bin; cat /etc/sluice/server.properties; "
                                   "ldd /opt/sluice/bin/sluice-broker /opt/sluice/bin/sluice; "
                                   "echo java-or-zookeeper: $(command -v java zkServer.sh zkCli.sh)",
                                   detach=False).stdout
        for program in ("sluice-broker", "sluice", "kafka-topics.sh", "kafka-console-producer.sh",
                        "kafka-server-start.sh", "sluice-env.sh", "sluice-docker-entrypoint"):
            self.assertIn(f"\n{program}\n", f"\n{listing}", f"{program} missing from /opt/sluice/bin")
        self.assertIn("java-or-zookeeper:", listing.splitlines(), "ZooKeeper (or a JRE) is in the broker image")
        self.assertIn("\nlog.dirs=/var/lib/sluice/data\n", listing)
        self.assertIn("\nzookeeper.connect=zookeeper:2181\n", listing)
        self.assertNotIn("not found", listing, "a runtime library is missing")

    def test_operator_image(self):
        took = d.build_operator_image(os.path.join(self.build_logs, "operator.log"))
        size = d.image_size(d.OPERATOR_IMAGE)
        print(f"\n[docker] built {d.OPERATOR_IMAGE} in {took:.0f} s; image {megabytes(size)}", file=sys.stderr)
        config = d.image_inspect(d.OPERATOR_IMAGE)["Config"]
        self.assertEqual(config["User"], f"{BROKER_UID}:{BROKER_UID}")
        self.assertEqual(set(config["ExposedPorts"]), {"8080/tcp"})
        self.assertEqual(config["Entrypoint"], ["/opt/sluice/bin/sluice-operator"])
        ldd = self.session.run("operator-ldd", d.OPERATOR_IMAGE, "/opt/sluice/bin/sluice-operator",
                               entrypoint="ldd", detach=False).stdout
        self.assertIn("libcpprest", ldd)
        self.assertNotIn("not found", ldd, "a runtime library is missing from the operator image")
        usage = self.session.run("operator-help", d.OPERATOR_IMAGE, "--help", detach=False)
        self.assertIn("--metrics-port", usage.stdout + usage.stderr)

    # --- one broker ------------------------------------------------------------------------

    def test_entrypoint_maps_the_environment_to_overrides(self):
        # A stand-in sluice-broker that prints its arguments, ahead of the real one on PATH: the
        # entrypoint's mapping is checked exactly, without starting a broker.
        script = ("mkdir -p /tmp/fake && printf '#!/bin/sh\\nfor a in \"$@\"; do echo \"arg:$a\"; done\\n' "
                  ">/tmp/fake/sluice-broker && chmod +x /tmp/fake/sluice-broker && "
                  "PATH=/tmp/fake:$PATH exec sluice-docker-entrypoint --override num.io.threads=2")
        completed = self.session.run(
            "entrypoint", d.BROKER_IMAGE, "-c", script, entrypoint="bash", detach=False,
            env={"SLUICE_BROKER_ID": 4, "SLUICE_OVERRIDE_NUM_IO_THREADS": 16,
                 "SLUICE_OVERRIDE_SLUICE_ADMIN_LISTENER": "0.0.0.0:9700",
                 "SLUICE_OVERRIDE_SOME__KEY___WITH_PARTS": "x=y"})
        args = [line[4:] for line in completed.stdout.splitlines() if line.startswith("arg:")]
        self.assertEqual(args, ["/etc/sluice/server.properties", "--log-dir", "/var/log/sluice",
                                "--override", "broker.id=4",
                                "--override", "num.io.threads=16",
                                "--override", "sluice.admin.listener=0.0.0.0:9700",
                                "--override", "some_key-with.parts=x=y",
                                "--override", "num.io.threads=2"])
        bad = self.session.run("entrypoint-bad", d.BROKER_IMAGE, detach=False, check=False,
                               env={"SLUICE_BROKER_ID": "zero"})
        self.assertEqual(bad.returncode, 1)
        self.assertIn("SLUICE_BROKER_ID must be an integer", bad.stderr)

    def test_broker_runs_as_non_root_with_a_mounted_config(self):
        cluster = self.start_docker_cluster("solo", 1, {"num.partitions": 1, "offsets.topic.replication.factor": 1})
        broker = cluster.broker(0)
        self.assertEqual(broker.exec("id", "-u").stdout.strip(), str(BROKER_UID))
        self.assertNotEqual(broker.exec("id", "-u").stdout.strip(), "0")
        # PID 1 is the broker itself (the entrypoint exec'd it), with the mounted file and overrides.
        cmdline = broker.exec("cat", "/proc/1/cmdline").stdout.split("\0")
        self.assertEqual(os.path.basename(cmdline[0]), "sluice-broker", cmdline)
        self.assertEqual(cmdline[1:4], ["/etc/sluice/server.properties", "--log-dir", "/var/log/sluice"])
        self.assertIn("broker.id=0", cmdline)
        self.assertIn("/etc/sluice/server.properties", broker.exec("grep", "-l", "EXTERNAL://0.0.0.0:9093",
                                                                    "/etc/sluice/server.properties").stdout)
        # kafka-*.sh inside the image, as the first argument of a container of the image.
        created = cluster.kafka_tool(0, "kafka-topics.sh", "--create", "--topic", "solo", "--partitions", "2",
                                     "--replication-factor", "1")
        self.assertEqual(created.returncode, 0, created.stdout + created.stderr)
        listed = self.session.run("list-topics", d.BROKER_IMAGE, "kafka-topics.sh", "--bootstrap-server",
                                  "broker-0:9092", "--list", network=cluster.network, detach=False)
        self.assertIn("solo", listed.stdout.split())
        kcat = Kcat(cluster.bootstrap)
        kcat.wait_topic("solo", 2)
        kcat.produce("solo", b"".join(b"m%d\n" % i for i in range(100)))
        self.assertEqual(sorted(kcat.consume("solo", "%s\n").split()), sorted(b"m%d" % i for i in range(100)))
        # SIGTERM from docker stop reaches the broker: a clean shutdown that deregisters at once.
        self.assertEqual(broker.stop(grace_seconds=60), 0, broker.logs(tail=30))
        self.assertEqual(cluster.registered_brokers(), [])
        self.assertTrue(os.path.exists(os.path.join(cluster.data_path(0), ".kafka_cleanshutdown")),
                        "no clean-shutdown marker in the data volume")

    # --- three brokers ---------------------------------------------------------------------

    def test_three_brokers_serve_kcat_and_lose_nothing_when_the_leader_is_killed(self):
        cluster = self.start_docker_cluster("trio", 3, FAULT_PROPERTIES)
        kcat = Kcat(cluster.bootstrap)

        with self.subTest("kcat on the host round-trips through the containers"):
            cluster.create_topic("roundtrip", partitions=3, replication_factor=3)
            sent = [b"key%d:value-%d" % (i, i) for i in range(3000)]
            kcat.produce("roundtrip", b"\n".join(sent) + b"\n", key_delimiter=":")
            received = kcat.consume("roundtrip", "%k:%s\n").split(b"\n")
            self.assertEqual(sorted(r for r in received if r), sorted(sent))
            metadata = kcat.metadata()
            advertised = sorted((b["id"], b["name"]) for b in metadata["brokers"])
            self.assertEqual(advertised, [(i, f"127.0.0.1:{cluster.external_ports[i]}") for i in range(3)])

        topic = "noloss"
        cluster.create_topic(topic, partitions=1, replication_factor=3, configs={"min.insync.replicas": 2})
        producer = NoLossProducer(self.scratch_dir("producer"), cluster.bootstrap, topic, run="docker",
                                  rate=200, message_timeout_ms=60000)
        producer.start()
        self.addCleanup(producer.stop, 5)
        producer.wait_acks(400, timeout=60)
        leader = cluster.wait_leader(topic, 0)
        killed_at = time.time()
        cluster.broker(leader).kill()
        print(f"\n[docker] docker kill of broker {leader} (the leader) after {producer.acked()} acks",
              file=sys.stderr)
        new_leader = cluster.wait_leader(topic, 0, timeout=60, not_in=(leader,))
        acked_at_kill = producer.acked()
        producer.wait_acks(acked_at_kill + 400, timeout=90)
        resumed = producer.log().first_ack_after(int(killed_at * 1000))
        print(f"[docker] broker {new_leader} leads; first ack {resumed - int(killed_at * 1000)} ms after the kill",
              file=sys.stderr)
        cluster.broker(leader).start()
        cluster.wait_ready(leader)
        producer.wait_acks(producer.acked() + 200, timeout=60)
        print(f"[producer] {producer.stop().strip()}", file=sys.stderr)
        cluster.wait_isr(topic, 0, cluster.assignment(topic)[0], timeout=120)
        served = read_partition(cluster.bootstrap, topic, 0)
        replicas = cluster.assignment(topic)[0]
        for broker_id in range(3):
            self.assertEqual(cluster.broker(broker_id).stop(grace_seconds=60), 0,
                             f"broker {broker_id} did not stop cleanly:\n{cluster.broker(broker_id).logs(tail=30)}")
        replica_data = [ReplicaData(b, cluster.data_path(b), topic, 0) for b in replicas]
        verdict = verify([producer.log()], served, replica_data)
        print(f"[checker] {self.id()}: {verdict.line()}", file=sys.stderr)
        self.assertTrue(verdict.ok, verdict.details())
        self.assertTrue(verdict.replicas_consistent, verdict.details())
        self.assertGreaterEqual(verdict.acked, 1000)

        for broker_id in range(3):
            with self.subTest("data volume holds partitions and Kafka's own files only", broker=broker_id):
                data = cluster.data_path(broker_id)
                entries = sorted(os.listdir(data))
                directories = [e for e in entries if os.path.isdir(os.path.join(data, e))]
                files = [e for e in entries if not os.path.isdir(os.path.join(data, e))]
                self.assertEqual([e for e in directories if not PARTITION_DIR.match(e)], [], entries)
                self.assertIn(f"{topic}-0", directories)
                self.assertEqual([f for f in files if f not in LOG_DIR_BOOKKEEPING], [], entries)
                self.assertIn("meta.properties", files)
                owners = {os.stat(os.path.join(root, name)).st_uid
                          for root, dirs, names in os.walk(data) for name in dirs + names}
                self.assertEqual(owners, {BROKER_UID}, "files in the data volume owned by others")
            with self.subTest("log volume holds the application logs and no data", broker=broker_id):
                logs = cluster.log_path(broker_id)
                log_files = [name for _, _, names in os.walk(logs) for name in names]
                self.assertIn("server.log", log_files)
                self.assertGreater(os.path.getsize(os.path.join(logs, "server.log")), 0)
                self.assertEqual([f for f in log_files if DATA_FILE_MARKERS.search(f)], [])
            with self.subTest("docker logs has the broker's log lines", broker=broker_id):
                docker_logs = cluster.broker(broker_id).logs()
                with open(os.path.join(cluster.log_path(broker_id), "server.log"), errors="replace") as f:
                    server_log = f.read()
                last_line = server_log.strip().splitlines()[-1]
                message = re.sub(r"^\[[^\]]*\] ", "", last_line)  # without the timestamp
                self.assertIn(message, docker_logs,
                              f"server.log's last line is not in docker logs: {last_line!r}")

    # --- ZooKeeper test image --------------------------------------------------------------

    def test_zookeeper_image_forms_an_ensemble_from_the_official_environment(self):
        network = self.session.network("zk-net")
        servers = " ".join(f"server.{i}=zk{i}:2888:3888;2181" for i in (1, 2, 3))
        containers = {}
        for i in (1, 2, 3):
            containers[i] = self.session.run(
                f"zk{i}", d.ZOOKEEPER_IMAGE, network=network, aliases=[f"zk{i}"], hostname=f"zk{i}",
                env={"ZOO_MY_ID": i, "ZOO_SERVERS": servers, "ZOO_4LW_COMMANDS_WHITELIST": "ruok,srvr",
                     "ZOO_TICK_TIME": 500, "ZOO_INIT_LIMIT": 20, "ZOO_SYNC_LIMIT": 10,
                     "ZOO_CFG_EXTRA": "quorumListenOnAllIPs=true"},
                ports=[(0, 2181)])

        def modes():
            found = {}
            for i, container in containers.items():
                answer = four_letter_word(container.host_port(2181), "srvr", timeout=1)
                match = re.search(r"^Mode: (\w+)", answer, re.M)
                if not match:
                    return None
                found[i] = match.group(1)
            return found
        found = wait_until(modes, 90, "three ZooKeeper containers to serve as one ensemble", interval=0.5)
        self.assertEqual(sorted(found.values()), ["follower", "follower", "leader"], found)
        for i, container in containers.items():
            self.assertEqual(container.exec("cat", "/data/myid").stdout.strip(), str(i))
            config = container.exec("cat", "/conf/zoo.cfg").stdout
            self.assertIn("tickTime=500\n", config)
            self.assertIn("4lw.commands.whitelist=ruok,srvr\n", config)
            self.assertIn(f"server.{i}=zk{i}:2888:3888;2181\n", config)
            # The server runs as the official image's zookeeper user (uid 1000), not root.
            status = container.exec("cat", "/proc/1/status").stdout
            self.assertRegex(status, r"\nUid:\s+1000\s")
        # The image's `zkServer.sh status` reports the same roles from inside the containers. Ask
        # until every member answers at once: on a loaded machine a follower may briefly drop out
        # of the quorum (tickTime 500 ms) and answer "not serving" while it rejoins.
        def statuses():
            answers = {i: c.exec("zkServer.sh", "status", check=False) for i, c in containers.items()}
            if any(a.returncode != 0 for a in answers.values()):
                return None
            return {i: a.stdout.strip() for i, a in answers.items()}
        reported = wait_until(statuses, 60, "zkServer.sh status to answer in all three containers", interval=1)
        self.assertEqual(sorted(reported.values()), ["Mode: follower", "Mode: follower", "Mode: leader"], reported)


if __name__ == "__main__":
    import unittest
    unittest.main()
