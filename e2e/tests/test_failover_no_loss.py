"""No acknowledged write is lost when brokers die: a topic with replication factor 3 and
min.insync.replicas=2 on 3 brokers, the no-loss producer (acks=all, idempotence) writing all the
time, and
  * the leader SIGKILLed (twice, at seeded random moments), restarted after a random delay;
  * the controller SIGKILLed (twice);
  * a rolling restart (SIGTERM, start) of every broker;
  * a follower restarted with its data dir wiped, which must re-replicate everything.
After each, the checker's verdict: every acknowledged value present once at its offset, no
duplicates, and the three replicas identical up to the high watermark."""

import sys

from harness.noloss import ReplicaData
from harness.replicated import ReplicatedTestCase

TOPIC = "failover"
ROUNDS = 2


class FailoverNoLossTest(ReplicatedTestCase):
    def setUp(self):
        super().setUp()
        self.cluster = self.start_replicated_cluster()
        self.create_checked_topic(self.cluster, TOPIC)
        self.producer = self.start_producer(self.cluster, TOPIC, run=self._testMethodName.replace("_", ""))
        self.producer.wait_acks(300, timeout=60)

    def wait_progress(self, more=300, timeout=90):
        self.producer.wait_acks(self.producer.acked() + more, timeout)

    def test_sigkill_leader(self):
        cluster = self.cluster
        for round_ in range(ROUNDS):
            self.pause(0.5, 3.0)
            leader = cluster.leader(TOPIC, 0)
            epoch = cluster.partition_state(TOPIC, 0)["leader_epoch"]
            print(f"[round {round_}] SIGKILL leader {leader} (epoch {epoch})", file=sys.stderr)
            cluster.kill_broker(leader)
            new_leader = cluster.wait_leader(TOPIC, 0, timeout=30, not_in=[leader])
            self.assertGreater(cluster.partition_state(TOPIC, 0)["leader_epoch"], epoch)
            self.wait_progress()  # the producer carries on with the new leader
            self.pause(0.0, 4.0)
            cluster.start_broker(leader)
            self.wait_full_isr(cluster, TOPIC)
            print(f"[round {round_}] leader {leader} -> {new_leader}; ISR full again", file=sys.stderr)
        self.wait_progress()
        self.finish_and_verify(cluster, TOPIC, min_acked=1000)

    def test_sigkill_controller(self):
        cluster = self.cluster
        for round_ in range(ROUNDS):
            self.pause(0.5, 3.0)
            controller = cluster.controller()
            print(f"[round {round_}] SIGKILL controller {controller} (leader {cluster.leader(TOPIC, 0)})",
                  file=sys.stderr)
            cluster.kill_broker(controller)
            cluster.wait_controller(timeout=30, not_in=[controller])
            cluster.wait_leader(TOPIC, 0, timeout=30, not_in=[controller])
            self.wait_progress()
            self.pause(0.0, 3.0)
            cluster.start_broker(controller)
            self.wait_full_isr(cluster, TOPIC)
        self.wait_progress()
        self.finish_and_verify(cluster, TOPIC, min_acked=1000)

    def test_rolling_restart(self):
        cluster = self.cluster
        for broker_id in range(cluster.size):
            self.pause(0.5, 2.0)
            print(f"rolling restart of broker {broker_id} (leader {cluster.leader(TOPIC, 0)})", file=sys.stderr)
            self.assertEqual(cluster.stop_broker(broker_id), 0, f"broker {broker_id}'s exit code after SIGTERM")
            cluster.wait_leader(TOPIC, 0, timeout=30, not_in=[broker_id])
            self.wait_progress(200)
            cluster.start_broker(broker_id)
            self.wait_full_isr(cluster, TOPIC)
        self.wait_progress()
        self.finish_and_verify(cluster, TOPIC, min_acked=1000)

    def test_follower_with_wiped_data_dir_rereplicates(self):
        cluster = self.cluster
        leader = cluster.leader(TOPIC, 0)
        follower = next(b for b in cluster.assignment(TOPIC)[0] if b != leader)
        self.wait_progress(1000)
        print(f"wiping follower {follower} (leader {leader})", file=sys.stderr)
        cluster.stop_broker(follower)
        cluster.wipe_data(follower)
        self.pause(0.5, 2.0)
        cluster.start_broker(follower)
        self.wait_full_isr(cluster, TOPIC)
        self.wait_progress()
        verdict = self.finish_and_verify(cluster, TOPIC, min_acked=1500)
        wiped = ReplicaData(follower, cluster.broker(follower).data_dir, TOPIC, 0)
        self.assertGreaterEqual(wiped.log_end_offset, verdict.acked,
                                f"broker {follower} did not re-replicate the whole partition")
