"""Partition reassignment with bin/kafka-reassign-partitions.sh (--bootstrap-server, i.e.
AlterPartitionReassignments/ListPartitionReassignments): a partition on {0,1} moves to {1,2}
while the no-loss producer writes to it and a kcat consumer reads it (it must end up with exactly
the partition's records and see no error beyond retriable ones); the tool's --verify reports completion; the assignment
znode says [1,2], the ISR is {1,2}, broker 0's partition directory is deleted (StopReplica with
delete), no acknowledged write is lost and the new replicas hold identical data.
Bad reassignment files (not JSON, an unknown broker, a duplicate replica, an unknown topic, an
empty replica list) each fail with an error naming the problem and change nothing."""

import json
import os
import subprocess
import sys
import time

from harness.cluster import run_tool
from harness.replicated import ReplicatedTestCase

TOPIC = "reassign"


class ReassignmentTest(ReplicatedTestCase):
    def reassign(self, cluster, *args, plan=None, raw=None):
        path = os.path.join(self.scratch_dir("plan"), "reassignment.json")
        with open(path, "w") as f:
            f.write(raw if raw is not None else json.dumps(plan))
        return run_tool("kafka-reassign-partitions.sh", "--bootstrap-server", cluster.bootstrap,
                        "--reassignment-json-file", path, *args, timeout=60)

    @staticmethod
    def plan(replicas, topic=TOPIC, partition=0):
        return {"version": 1, "partitions": [{"topic": topic, "partition": partition, "replicas": replicas}]}

    def test_move_under_load_and_bad_plans(self):
        cluster = self.start_replicated_cluster()
        self.create_checked_topic(cluster, TOPIC, assignment=[[0, 1]])
        producer = self.start_producer(cluster, TOPIC, run="reassign")
        producer.wait_acks(500, timeout=60)
        consumer = self.start_tailing_consumer(cluster)

        # Bad plans: an error that names the problem, nothing changes.
        bad_plans = [
            ("not json", "{\"version\": 1, \"partitions\": [", ["json", "JSON", "parse"]),
            ("unknown broker", json.dumps(self.plan([1, 7])), ["7"]),
            ("duplicate replica", json.dumps(self.plan([1, 1])), ["duplicate"]),
            ("unknown topic", json.dumps(self.plan([1, 2], topic="no-such-topic")), ["no-such-topic"]),
            ("empty replicas", json.dumps(self.plan([])), ["replica", "empty"]),
        ]
        for name, raw, any_of in bad_plans:
            completed = self.reassign(cluster, "--execute", raw=raw)
            output = completed.stdout + completed.stderr
            self.assertNotEqual(completed.returncode, 0, f"{name}: the tool accepted it:\n{output}")
            self.assertTrue(any(word in output for word in any_of), f"{name}: the error does not name the problem "
                                                                    f"(one of {any_of}):\n{output}")
            self.assertEqual(cluster.assignment(TOPIC), {0: [0, 1]}, f"{name} changed the assignment")
            with cluster.zk() as zk:
                self.assertIsNone(zk.exists("/admin/reassign_partitions"), f"{name} left a reassignment znode")
        listed = run_tool("kafka-reassign-partitions.sh", "--bootstrap-server", cluster.bootstrap, "--list")
        self.assertEqual(listed.returncode, 0, listed.stdout + listed.stderr)
        self.assertNotIn(f"{TOPIC}-0", listed.stdout, "a rejected plan shows up as an ongoing reassignment")

        # The move {0,1} -> {1,2} under load.
        completed = self.reassign(cluster, "--execute", plan=self.plan([1, 2]))
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        print(completed.stdout, file=sys.stderr)

        def finished():
            verified = self.reassign(cluster, "--verify", plan=self.plan([1, 2]))
            return verified.returncode == 0 and "complete" in verified.stdout and \
                "in progress" not in verified.stdout and verified.stdout
        print(cluster.wait_for(finished, 90, "kafka-reassign-partitions.sh --verify to report completion", interval=1),
              file=sys.stderr)
        self.assertEqual(cluster.assignment(TOPIC), {0: [1, 2]})
        cluster.wait_isr(TOPIC, 0, [1, 2], 60)
        self.assertIn(cluster.leader(TOPIC, 0), [1, 2])
        cluster.wait_for(lambda: not os.path.isdir(cluster.broker(0).partition_dir(TOPIC, 0)), 30,
                         "broker 0 to delete its replica of the moved partition")
        self.assertTrue(os.path.isdir(cluster.broker(2).partition_dir(TOPIC, 0)))

        producer.wait_acks(producer.acked() + 300, timeout=60)
        self.finish_and_verify(cluster, TOPIC, min_acked=800,
                               check_served=lambda served: self.check_consumer(consumer, served))

    def start_tailing_consumer(self, cluster):
        """kcat consuming the partition from the beginning throughout the move (no -e)."""
        directory = self.scratch_dir("consumer")
        out = open(os.path.join(directory, "consumed.txt"), "wb")
        err = open(os.path.join(directory, "kcat.err"), "wb")
        self.addCleanup(out.close)
        self.addCleanup(err.close)
        process = subprocess.Popen(["kcat", "-b", cluster.bootstrap, "-C", "-t", TOPIC, "-p", "0", "-o", "beginning",
                                    "-f", "%o %s\\n", "-X", "topic.metadata.refresh.interval.ms=1000"],
                                   stdout=out, stderr=err)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        return process, out.name, err.name

    def check_consumer(self, consumer, served):
        """The consumer that ran through the move saw exactly what the partition serves now, and
        nothing but retriable conditions (which librdkafka handles without surfacing them)."""
        process, out_path, err_path = consumer

        def consumed():
            with open(out_path, "rb") as f:
                return [line.split(b" ", 1) for line in f.read().split(b"\n") if line]

        deadline = time.monotonic() + 60
        while len(consumed()) < len(served) and time.monotonic() < deadline:
            self.assertIsNone(process.poll(), "the consumer exited during the move")
            time.sleep(0.2)
        process.terminate()
        process.wait(timeout=10)
        # Values as the checker reads them: the producer pads them with '.' after the value proper.
        seen = [(int(offset), value.decode(errors="replace").split(".", 1)[0]) for offset, value in consumed()]
        self.assertEqual(seen[:len(served)], list(served),
                         "the consumer that ran through the move saw other records than the partition holds")
        with open(err_path, errors="replace") as f:
            errors = [line for line in f if line.startswith("% ERROR")]
        self.assertEqual(errors, [], "errors surfaced to the consumer during the move")
        print(f"[consumer] read {len(seen)} records through the move, no errors", file=sys.stderr)
