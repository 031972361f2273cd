"""Controlled shutdown (controlled.shutdown.enable=true): SIGTERM of the partition's leader moves
leadership away *before* the broker leaves ZooKeeper — the state znode's new leader was written
(its mzxid) before /brokers/ids lost the broker (the parent's pzxid) — the broker exits 0, and a
producer with acks=all (request.timeout.ms=10000) sees no failure and no stall as long as a
request timeout. Twice (the second time the new leader goes), then the no-loss verdict."""

import sys

from harness.replicated import ReplicatedTestCase

TOPIC = "controlled"
ROUNDS = 2
MAX_ACK_GAP_MS = 8000  # less than request.timeout.ms: nothing waited for a timeout


class ControlledShutdownTest(ReplicatedTestCase):
    def test_sigterm_of_the_leader_moves_leadership_first(self):
        cluster = self.start_replicated_cluster()
        self.create_checked_topic(cluster, TOPIC)
        producer = self.start_producer(cluster, TOPIC, run="controlled", request_timeout_ms=10000,
                                       message_timeout_ms=30000)
        producer.wait_acks(300, timeout=60)
        for round_ in range(ROUNDS):
            self.pause(0.5, 2.0)
            leader = cluster.leader(TOPIC, 0)
            print(f"[round {round_}] SIGTERM leader {leader}", file=sys.stderr)
            self.assertEqual(cluster.stop_broker(leader, timeout=60), 0, f"broker {leader}'s exit code")
            cluster.wait_unregistered(leader, timeout=30)
            with cluster.zk() as zk:
                _, state_stat = zk.get_data(f"/brokers/topics/{TOPIC}/partitions/0/state")
                ids_stat = zk.exists("/brokers/ids")
                state = zk.get_json(f"/brokers/topics/{TOPIC}/partitions/0/state")
            self.assertNotEqual(state["leader"], leader, "leadership did not move off the stopped broker")
            self.assertNotIn(leader, state["isr"], "the stopped broker is still in the ISR")
            self.assertLess(state_stat.mzxid, ids_stat.pzxid,
                            "the new leader was written after the broker left /brokers/ids: leadership moved "
                            "by failure handling, not by controlled shutdown")
            producer.wait_acks(producer.acked() + 300, timeout=60)
            cluster.start_broker(leader)
            self.wait_full_isr(cluster, TOPIC)
        producer.wait_acks(producer.acked() + 300, timeout=60)
        self.finish_and_verify(cluster, TOPIC, min_acked=1000)

        log = producer.log()
        self.assertEqual(log.failures, {}, "the producer saw failed deliveries")
        times = [ms for ms, _, _ in log.ack_times]
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertLess(max(gaps), MAX_ACK_GAP_MS, "the producer stalled (longest gap between acknowledgements, ms)")
