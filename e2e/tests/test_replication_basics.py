"""Replication on a healthy 3-broker cluster: a topic with 2 partitions and replication factor 2
lives on exactly its assigned replicas (each partition directory on exactly two brokers);
kafka-topics.sh --describe shows a leader among the replicas and the full ISR; every broker's
Metadata agrees (UpdateMetadata reached them all); kcat produces with acks=all and consumes every
message back in order; the followers' segment files hold the same batches as the leader's."""

import os
import re
import sys

from harness.cluster import run_tool
from harness.noloss import ReplicaData
from harness.replicated import ReplicatedTestCase

TOPIC = "basics"
PARTITION_LINE = re.compile(r"^\tTopic: (?P<name>\S+)\tPartition: (?P<partition>\d+)\tLeader: (?P<leader>\d+|none)\t"
                            r"Replicas: (?P<replicas>[\d,]*)\tIsr: (?P<isr>[\d,]*)")
MESSAGES = 2000


def ids(text):
    return sorted(int(x) for x in text.split(",") if x)


class ReplicationBasicsTest(ReplicatedTestCase):
    def test_two_partitions_replication_factor_two(self):
        cluster = self.start_replicated_cluster({"min.insync.replicas": 1})
        assignment = cluster.create_topic(TOPIC, partitions=2, replication_factor=2)
        self.assertEqual(sorted(assignment), [0, 1])
        for partition, replicas in assignment.items():
            self.assertEqual(len(set(replicas)), 2, f"partition {partition} replicas {replicas}")
            self.assertTrue(set(replicas) <= {0, 1, 2})

        # Each partition directory exists on exactly its two replicas.
        def placed():
            return all(os.path.isdir(b.partition_dir(TOPIC, p)) == (b.broker_id in replicas)
                       for p, replicas in assignment.items() for b in cluster.brokers)
        cluster.wait_for(placed, 30, f"partition directories exactly on the replicas {assignment}")

        # kafka-topics.sh --describe: leader among the replicas, ISR = replicas.
        def described():
            completed = run_tool("kafka-topics.sh", "--describe", "--bootstrap-server", cluster.bootstrap,
                                 "--topic", TOPIC)
            self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
            lines = [PARTITION_LINE.match(line) for line in completed.stdout.splitlines()[1:]]
            self.assertTrue(all(lines), completed.stdout)
            return lines if all(m["leader"] != "none" and ids(m["isr"]) == sorted(assignment[int(m["partition"])])
                                for m in lines) and len(lines) == 2 else None
        lines = cluster.wait_for(described, 30, "describe to show leaders and full ISRs")
        for match in lines:
            partition = int(match["partition"])
            self.assertEqual([int(r) for r in match["replicas"].split(",")], assignment[partition])
            self.assertIn(int(match["leader"]), assignment[partition])
            self.assertEqual(int(match["leader"]), cluster.leader(TOPIC, partition), "describe vs the state znode")

        # Every broker answers Metadata with the same leader, replicas and ISR.
        for partition, replicas in assignment.items():
            expected = (cluster.leader(TOPIC, partition), sorted(replicas), sorted(replicas))
            for broker in cluster.brokers:
                cluster.wait_for(lambda: cluster.metadata_partition(TOPIC, partition, via=[broker.broker_id]) == expected,
                                 30, f"broker {broker.broker_id}'s Metadata for {TOPIC}-{partition} to be {expected}")

        # kcat: produce with acks=all, consume everything back in order.
        kcat = cluster.kcat()
        for partition in assignment:
            data = b"".join(b"p%d-%d\n" % (partition, i) for i in range(MESSAGES))
            kcat.produce(TOPIC, data, partition=partition)
            out = kcat.consume(TOPIC, "%o %s\n", partition=partition)
            self.assertEqual(out, b"".join(b"%d p%d-%d\n" % (i, partition, i) for i in range(MESSAGES)))

        # Followers hold the same batches as the leader (compared after a clean stop).
        for partition, replicas in assignment.items():
            cluster.wait_isr(TOPIC, partition, replicas, 30)
        for broker_id in cluster.running():
            cluster.stop_broker(broker_id)
        for partition, replicas in assignment.items():
            data = [ReplicaData(b, cluster.broker(b).data_dir, TOPIC, partition) for b in replicas]
            for replica in data:
                self.assertEqual(replica.log_end_offset, MESSAGES, f"broker {replica.broker_id}'s log end offset "
                                                                   f"for {TOPIC}-{partition}")
                self.assertEqual(replica.corrupt, [])
            self.assertEqual(data[0].batches, data[1].batches,
                             f"replicas {replicas} of {TOPIC}-{partition} hold different batches")
            print(f"[replicas] {TOPIC}-{partition}: brokers {replicas} identical, {len(data[0].batches)} batches",
                  file=sys.stderr)
