"""Exactly-once production across a leader failure with two real idempotent clients writing to
the same partition (replication factor 3, min.insync.replicas=2): kafkajs 2.2.4
(`idempotent: true`, e2e/kafkajs/idempotent_producer.js) and librdkafka
(enable.idempotence=true, the no-loss producer). The leader is SIGKILLed while both write, so
both retry batches whose acknowledgement was lost; the broker's producer state must turn every
retry of a written batch into a duplicate answer. Verdict: every acknowledged value once at its
acknowledged offset, no value of either client twice, replicas identical."""

import os
import sys

from harness.noloss import ProducerLog
from harness.paths import kafkajs_dir, node_modules_dir
from harness.processes import ManagedProcess
from harness.replicated import ReplicatedTestCase

TOPIC = "idempotent"
KAFKAJS_COUNT = 3000


class IdempotentClientsTest(ReplicatedTestCase):
    def test_kafkajs_and_librdkafka_exactly_once_across_a_leader_kill(self):
        if not os.path.isdir(os.path.join(node_modules_dir(), "kafkajs")):
            raise AssertionError("kafkajs is not installed: run scripts/install-deps.sh (npm ci in e2e/)")
        cluster = self.start_replicated_cluster()
        self.create_checked_topic(cluster, TOPIC)

        rdkafka = self.start_producer(cluster, TOPIC, run="rdk", rate=300)
        work = self.scratch_dir("kafkajs")
        kafkajs_out = os.path.join(work, "kafkajs.txt")
        kafkajs = ManagedProcess(["node", os.path.join(kafkajs_dir(), "idempotent_producer.js"),
                                  "--bootstrap", cluster.bootstrap, "--topic", TOPIC, "--partition", "0",
                                  "--run", "kjs", "--count", str(KAFKAJS_COUNT), "--out", kafkajs_out],
                                 os.path.join(work, "kafkajs.out"), cwd=work)
        self.addCleanup(kafkajs.stop, 5)

        rdkafka.wait_acks(500, timeout=60)
        cluster.wait_for(lambda: len(ProducerLog(kafkajs_out).acks) >= 200, 60,
                         f"kafkajs to get 200 acknowledgements ({kafkajs.output_tail(800)!r})")
        leader = cluster.leader(TOPIC, 0)
        print(f"SIGKILL leader {leader}", file=sys.stderr)
        cluster.kill_broker(leader)
        cluster.wait_leader(TOPIC, 0, timeout=30, not_in=[leader])
        rdkafka.wait_acks(rdkafka.acked() + 500, timeout=90)
        cluster.start_broker(leader)
        self.wait_full_isr(cluster, TOPIC)

        code = kafkajs.wait(timeout=180)
        self.assertEqual(code, 0, f"kafkajs producer failed:\n{kafkajs.output_tail(3000)}")
        kafkajs_log = ProducerLog(kafkajs_out)
        print(f"[kafkajs] {kafkajs.output_tail(200).strip()}", file=sys.stderr)
        self.assertEqual(len(kafkajs_log.acks) + len(kafkajs_log.failures), KAFKAJS_COUNT)
        verdict = self.finish_and_verify(cluster, TOPIC, min_acked=2000, logs=[kafkajs_log])
        self.assertEqual(verdict.duplicated, [])
