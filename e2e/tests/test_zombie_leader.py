"""A zombie leader: the partition leader is frozen (SIGSTOP) longer than its ZooKeeper session
(zookeeper.session.timeout.ms=6000), so the controller elects another leader; then it thaws
(SIGCONT) still believing it leads. It must not acknowledge a write it cannot replicate: an
acks=all Produce sent straight to it right after it thaws gets an error (never success) and that
value is not in the partition afterwards. The no-loss producer runs throughout: no acknowledged
write is lost, none duplicated, replicas identical."""

import socket
import struct
import sys
import time

from harness import kafka_wire
from harness.record_batch import build_batch
from harness.replicated import ReplicatedTestCase

TOPIC = "zombie"
FREEZE_SECONDS = 10  # > zookeeper.session.timeout.ms (6 s)


class ZombieLeaderTest(ReplicatedTestCase):
    def produce_to(self, broker, value, timeout_ms=8000):
        """One acks=all Produce v3 straight to `broker`; returns its error code, or None when the
        broker closed the connection or did not answer within the socket timeout."""
        batch = build_batch([(None, value)], int(time.time() * 1000))
        try:
            with kafka_wire.RawConnection(broker.port, host=broker.host, timeout=timeout_ms / 1000 + 10) as connection:
                body = connection.call(0, 3, kafka_wire.produce_v3_body(TOPIC, 0, batch, acks=-1, timeout_ms=timeout_ms))
        except (ConnectionError, socket.timeout, struct.error) as error:
            print(f"zombie produce: no answer ({error!r})", file=sys.stderr)
            return None
        (_, _, error_code, base_offset, _), = kafka_wire.parse_produce_v3(body)
        print(f"zombie produce: error {error_code}, base offset {base_offset}", file=sys.stderr)
        return error_code

    def test_frozen_leader_is_replaced_and_cannot_acknowledge_after_thawing(self):
        cluster = self.start_replicated_cluster()
        self.create_checked_topic(cluster, TOPIC)
        producer = self.start_producer(cluster, TOPIC, run="zombie")
        producer.wait_acks(500, timeout=60)

        old_leader = cluster.leader(TOPIC, 0)
        epoch = cluster.partition_state(TOPIC, 0)["leader_epoch"]
        print(f"SIGSTOP leader {old_leader} (epoch {epoch}) for {FREEZE_SECONDS}s", file=sys.stderr)
        frozen_at = time.monotonic()
        cluster.pause_broker(old_leader)
        new_leader = cluster.wait_leader(TOPIC, 0, timeout=30, not_in=[old_leader])
        self.assertGreater(cluster.partition_state(TOPIC, 0)["leader_epoch"], epoch)
        self.assertNotIn(old_leader, cluster.isr(TOPIC, 0), "a frozen broker stayed in the ISR")
        producer.wait_acks(producer.acked() + 200, timeout=60)  # writes go on through the new leader
        time.sleep(max(0.0, FREEZE_SECONDS - (time.monotonic() - frozen_at)))

        cluster.resume_broker(old_leader)
        error_code = self.produce_to(cluster.broker(old_leader), b"thawed-write")
        self.assertNotEqual(error_code, kafka_wire.ERROR_NONE,
                            f"the thawed old leader {old_leader} acknowledged an acks=all write it could not "
                            f"replicate (new leader {new_leader})")

        self.wait_full_isr(cluster, TOPIC)  # the old leader rejoins as a follower
        self.assertNotEqual(cluster.leader(TOPIC, 0), old_leader)
        producer.wait_acks(producer.acked() + 300, timeout=60)

        def zombie_write_is_gone(served):
            self.assertNotIn("thawed-write", [v for _, v in served],
                             "the zombie's write survived in the partition")

        self.finish_and_verify(cluster, TOPIC, min_acked=1000, check_served=zombie_write_is_gone)
