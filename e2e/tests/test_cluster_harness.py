"""The multi-broker harness and the no-loss checker, proven before the fault suites trust them:
  * the checker's verdict catches a lost, a moved and a duplicated value and a replica that
    differs (fed hand-made inputs and a tampered copy of real segment files), so a "lost=0" from
    the fault suites means something;
  * a 3-broker cluster on loopback: registrations, the controller, a topic placed with an explicit
    assignment lives on exactly its replica, the checker's producer and verifier end to end
    across a SIGKILL and restart of that replica (replication factor 1: what works before
    replication), controller failover after a SIGKILL;
  * network-namespace mode: brokers on their own addresses, a cut between two brokers drops
    their traffic while clients still reach both, a broker cut from ZooKeeper loses its session
    (its registration goes) and comes back after heal, and close() leaves no namespace, veth or
    bridge behind."""

import os
import shutil
import subprocess
import unittest

from harness.case import E2ETestCase
from harness.kcat import KcatError
from harness.netns import available as netns_available
from harness.noloss import NoLossProducer, ProducerLog, ReplicaData, read_partition, verify
from harness.waiting import wait_until
from harness.record_batch import build_batch, decode_records

TOPIC = "harness"


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


class CheckerVerdictTest(E2ETestCase):
    def producer_log(self, lines):
        path = os.path.join(self.scratch_dir("log"), "out.txt")
        write_lines(path, lines)
        return ProducerLog(path)

    def test_clean_run(self):
        log = self.producer_log(["ack r-0 0 1", "ack r-1 1 2", "fail r-2 _MSG_TIMED_OUT", "ack r-3 3 4"])
        verdict = verify([log], [(0, "r-0"), (1, "r-1"), (2, "r-2"), (3, "r-3"), (4, "other-0")])
        self.assertTrue(verdict.ok, verdict.details())
        self.assertEqual(verdict.line(), "acked=3 lost=0 moved=0 duplicated=0 unacked-but-present=1 "
                                         "replicas-consistent=n/a")

    def test_lost_moved_duplicated_and_gaps_are_caught(self):
        log = self.producer_log(["ack r-0 0 1", "ack r-1 1 2", "ack r-2 2 3", "ack r-3 4 4"])
        served = [(0, "r-0"), (1, "r-2"), (2, "r-2"), (4, "r-3")]  # r-1 lost, r-2 moved+duplicated, gap
        verdict = verify([log], served)
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.lost, ["r-1"])
        self.assertEqual(verdict.moved, [("r-2", 2, 1)])
        self.assertEqual(verdict.duplicated, ["r-2"])
        self.assertEqual(verdict.offset_problems, ["offsets not contiguous: 2 then 4"])
        self.assertIn("lost=1 moved=1 duplicated=1", verdict.line())

    def test_records_decoded_from_a_batch(self):
        records = decode_records(build_batch([(b"k", b"v"), (None, b"hello")], 1000, base_offset=40))
        self.assertEqual([(r.offset, r.timestamp, r.key, r.value) for r in records],
                         [(40, 1000, b"k", b"v"), (41, 1001, None, b"hello")])

    def test_a_torn_last_line_is_ignored_and_a_double_ack_refused(self):
        path = os.path.join(self.scratch_dir("log"), "out.txt")
        with open(path, "w") as f:
            f.write("ack r-0 0 1\nack r-1 1")
        self.assertEqual(ProducerLog(path).acks, {"r-0": 0})
        write_lines(path, ["ack r-0 0 1", "ack r-0 5 2"])
        with self.assertRaisesRegex(AssertionError, "acknowledged twice"):
            ProducerLog(path)


class LoopbackClusterTest(E2ETestCase):
    def test_three_brokers_checker_end_to_end_and_controller_failover(self):
        cluster = self.start_cluster(3)
        self.assertEqual(cluster.registered_brokers(), [0, 1, 2])
        self.assertIn(cluster.controller(), [0, 1, 2])

        # The partition lives on the controller: before multi-broker replication only the
        # controller tells a broker (itself) about new leaderships.
        owner = cluster.controller()
        cluster.create_topic(TOPIC, assignment=[[owner]])
        self.assertEqual(cluster.assignment(TOPIC), {0: [owner]})
        self.assertEqual(cluster.wait_leader(TOPIC, 0), owner)
        self.assertEqual(cluster.isr(TOPIC, 0), [owner])
        self.assertEqual([os.path.isdir(b.partition_dir(TOPIC, 0)) for b in cluster.brokers],
                         [b == owner for b in range(3)])

        work = self.scratch_dir("noloss")
        # Idempotence off: this proves the machinery on what a single broker already does; the
        # fault suites run it with enable.idempotence=true.
        # Bootstrap from the owner alone: before UpdateMetadata the other brokers know no leader.
        producer = NoLossProducer(work, cluster.bootstrap_of([owner]), TOPIC, run="h1", rate=300,
                                  idempotence=False).start()
        self.addCleanup(producer.stop)
        producer.wait_acks(300, timeout=60)
        cluster.kill_broker(owner)
        cluster.start_broker(owner)
        acked_at_restart = producer.acked()
        producer.wait_acks(acked_at_restart + 300, timeout=90)
        print(producer.stop())

        served = read_partition(cluster.bootstrap_of([owner]), TOPIC, 0)
        cluster.stop_broker(owner)  # a clean stop writes the high-watermark checkpoint
        replicas = [ReplicaData(owner, cluster.broker(owner).data_dir, TOPIC, 0)]
        verdict = verify([producer.log()], served, replicas)
        print(f"[checker] {verdict.line()}")
        self.assertTrue(verdict.ok, verdict.details())
        self.assertGreaterEqual(verdict.acked, 600)
        self.assertTrue(verdict.replicas_consistent)

        # The checker sees a replica that differs: a copy with one record's value changed.
        copy_dir = self.scratch_dir("tampered")
        shutil.copytree(cluster.broker(owner).partition_dir(TOPIC, 0), os.path.join(copy_dir, f"{TOPIC}-0"))
        segment = os.path.join(copy_dir, f"{TOPIC}-0", sorted(n for n in os.listdir(os.path.join(copy_dir, f"{TOPIC}-0"))
                                                               if n.endswith(".log"))[0])
        with open(segment, "r+b") as f:
            data = bytearray(f.read())
            at = data.index(b"h1-0") + 3
            data[at] = ord("9")
            f.seek(0)
            f.write(data)
        tampered = verify([producer.log()], served, replicas + [ReplicaData(9, copy_dir, TOPIC, 0)])
        self.assertFalse(tampered.replicas_consistent, tampered.details())

        old_controller = cluster.controller()
        cluster.kill_broker(old_controller)
        new_controller = cluster.wait_controller(timeout=30, not_in=[old_controller])
        self.assertNotEqual(new_controller, old_controller)


class NetnsClusterTest(E2ETestCase):
    def setUp(self):
        # Not a skip: scripts/install-deps.sh installs iproute2 and iptables, and CI runs as root.
        available, why = netns_available()
        self.assertTrue(available, f"network namespaces are needed: {why}")
        super().setUp()

    def probe(self, cluster, from_broker, to_broker, timeout=2):
        """True when a TCP connection from inside from_broker's namespace reaches to_broker's port."""
        target = cluster.broker(to_broker)
        code = ("import socket,sys\ntry:\n socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))"
                "\nexcept OSError:\n sys.exit(1)\n")
        completed = subprocess.run(["ip", "netns", "exec", cluster.network.namespaces[from_broker], "/usr/bin/python3",
                                    "-c", code, target.host, str(target.port), str(timeout)], timeout=timeout + 10)
        return completed.returncode == 0

    def test_addresses_cuts_zookeeper_loss_and_teardown(self):
        cluster = self.start_cluster(2, netns=True)
        network = cluster.network
        hosts = [b.host for b in cluster.brokers]
        self.assertEqual(len(set(hosts)), 2)
        self.assertTrue(all(h.startswith("10.") for h in hosts), hosts)
        self.assertTrue(cluster.zookeeper.connect.startswith(network.gateway + ":"))
        self.assertTrue(self.probe(cluster, 0, 1))

        cluster.cut(0, [1])
        self.assertIn("-A INPUT -s", network.rules(0))
        self.assertFalse(self.probe(cluster, 0, 1), "broker 0 still reaches broker 1 after the cut")
        self.assertFalse(self.probe(cluster, 1, 0), "broker 1 still reaches broker 0 after the cut")
        cluster.kcat([0]).metadata()  # clients (root namespace) still reach both
        cluster.kcat([1]).metadata()
        cluster.heal(0)
        self.assertTrue(self.probe(cluster, 0, 1))

        cluster.cut_from_zookeeper(1)
        cluster.wait_unregistered(1, timeout=30)
        # Out of ZooKeeper, the broker's metadata may be stale: it closes client connections
        # instead of answering (broker/server/leadership_fence.h), so clients ask another broker.
        with self.assertRaises(KcatError):
            cluster.kcat([1]).metadata()
        self.assertNotIn(1, [b["id"] for b in cluster.kcat([0]).metadata()["brokers"]])
        cluster.heal(1)
        cluster.wait_registered([1], timeout=60)
        wait_until(lambda: self.answers_metadata(cluster, 1), 60, "broker 1 to answer Metadata again")

        cluster.close()
        self.assertFalse(network.exists(), "namespaces, veths or the bridge outlived close()")
        self.assertFalse(cluster.broker(0).alive())


    @staticmethod
    def answers_metadata(cluster, broker_id):
        try:
            return any(b["id"] == broker_id for b in cluster.kcat([broker_id]).metadata()["brokers"])
        except KcatError:
            return False


if __name__ == "__main__":
    unittest.main()
