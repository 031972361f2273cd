"""bin/kafka-leader-election.sh (ElectLeaders, key 43, at the controller) on 3 brokers with
auto.leader.rebalance.enable=false: after the preferred leader of an RF-3 partition is SIGKILLed,
replaced and restarted (full ISR again, leadership elsewhere), a preferred election by
--topic/--partition moves leadership back (state znode) and prints Kafka's success line; a
second run prints "Valid replica already elected"; --all-topic-partitions and
--path-to-json-file select the same partition, an unclean election with a live leader is a no-op; an unknown partition prints Kafka's per-partition
error line and exits 1; bad flags exit 1 with a message naming the flag, changing nothing."""

import json
import os
import sys

from harness.cluster import run_tool
from harness.replicated import ReplicatedTestCase

TOPIC = "elect"


class LeaderElectionTest(ReplicatedTestCase):
    extra_properties = {"auto.leader.rebalance.enable": "false"}

    def elect(self, cluster, *args):
        completed = run_tool("kafka-leader-election.sh", "--bootstrap-server", cluster.bootstrap, *args, timeout=90)
        print(f"[kafka-leader-election.sh {' '.join(args)}] rc={completed.returncode}\n"
              f"{completed.stdout}{completed.stderr}", file=sys.stderr)
        return completed

    def json_file(self, partitions):
        path = os.path.join(self.scratch_dir("election"), "partitions.json")
        with open(path, "w") as f:
            json.dump({"partitions": [{"topic": t, "partition": p} for t, p in partitions]}, f)
        return path

    def test_preferred_election_moves_leadership_back(self):
        cluster = self.start_replicated_cluster()
        controller = cluster.wait_controller()
        # The preferred leader is a broker that is not the controller, so killing it leaves the
        # controller (which runs the election) in place.
        preferred = next(b for b in range(3) if b != controller)
        replicas = [preferred] + [b for b in range(3) if b != preferred]
        self.create_checked_topic(cluster, TOPIC, assignment=[replicas])
        self.assertEqual(cluster.wait_leader(TOPIC, 0), preferred)

        # Bad flags: exit 1, the message names the flag, nothing moves.
        bad = [
            (["--election-type", "fastest", "--topic", TOPIC, "--partition", "0"], "election-type"),
            (["--election-type", "preferred", "--topic", TOPIC], "partition"),
            (["--election-type", "preferred", "--topic", TOPIC, "--partition", "zero"], "partition"),
            (["--topic", TOPIC, "--partition", "0"], "election-type"),
            (["--election-type", "preferred", "--all-topic-partitions", "--topic", TOPIC, "--partition", "0"],
             "all-topic-partitions"),
            (["--election-type", "preferred", "--all-topic-partitions", "--admin.config", "/dev/null"],
             "admin.config"),
        ]
        for args, flag in bad:
            completed = self.elect(cluster, *args)
            self.assertEqual(completed.returncode, 1, f"{args}: {completed.stdout}{completed.stderr}")
            self.assertIn(flag, completed.stderr, f"{args}: the message does not name --{flag}")
            self.assertNotIn("Successfully", completed.stdout)
        self.assertEqual(cluster.leader(TOPIC, 0), preferred)

        # The preferred leader dies: another replica leads; it comes back and catches up, but
        # (no automatic rebalance) leadership stays where it is.
        epoch_before = cluster.partition_state(TOPIC, 0)["leader_epoch"]
        cluster.kill_broker(preferred)
        other = cluster.wait_leader(TOPIC, 0, timeout=60, not_in=[preferred])
        cluster.start_broker(preferred)
        self.wait_full_isr(cluster, TOPIC)
        self.assertEqual(cluster.leader(TOPIC, 0), other, "leadership moved back without an election")
        state = cluster.partition_state(TOPIC, 0)
        self.assertGreater(state["leader_epoch"], epoch_before)

        # The preferred election moves it back.
        completed = self.elect(cluster, "--election-type", "preferred", "--topic", TOPIC, "--partition", "0")
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        self.assertIn(f"Successfully completed leader election (PREFERRED) for partitions {TOPIC}-0",
                      completed.stdout)
        cluster.wait_for(lambda: cluster.leader(TOPIC, 0) == preferred, 30,
                         f"the state znode of {TOPIC}-0 to name the preferred leader {preferred}")
        after = cluster.partition_state(TOPIC, 0)
        self.assertGreater(after["leader_epoch"], state["leader_epoch"])
        self.assertEqual(sorted(after["isr"]), [0, 1, 2])
        cluster.wait_for(lambda: (cluster.metadata_partition(TOPIC, 0) or (None,))[0] == preferred, 30,
                         f"Metadata to name {preferred} as the leader of {TOPIC}-0")

        # Already preferred: nothing to do, in Kafka's words, exit 0; uppercase type accepted.
        completed = self.elect(cluster, "--election-type", "PREFERRED", "--topic", TOPIC, "--partition", "0")
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        self.assertIn(f"Valid replica already elected for partitions {TOPIC}-0", completed.stdout)
        self.assertNotIn("Successfully", completed.stdout)
        completed = self.elect(cluster, "--election-type", "preferred",
                               "--path-to-json-file", self.json_file([(TOPIC, 0)]))
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        self.assertIn(f"Valid replica already elected for partitions {TOPIC}-0", completed.stdout)
        completed = self.elect(cluster, "--election-type", "preferred", "--all-topic-partitions")
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        self.assertNotIn("Error completing", completed.stdout)
        # Unclean with a live leader: nothing to do either.
        completed = self.elect(cluster, "--election-type", "unclean", "--topic", TOPIC, "--partition", "0")
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        self.assertIn(f"Valid replica already elected for partitions {TOPIC}-0", completed.stdout)
        self.assertEqual(cluster.leader(TOPIC, 0), preferred)
        self.assertEqual(cluster.partition_state(TOPIC, 0)["leader_epoch"], after["leader_epoch"],
                         "a no-op election bumped the leader epoch")

        # A partition that does not exist: Kafka's per-partition error line, exit 1.
        completed = self.elect(cluster, "--election-type", "preferred", "--topic", "no-such-topic",
                               "--partition", "0")
        self.assertEqual(completed.returncode, 1, completed.stdout + completed.stderr)
        self.assertIn("Error completing leader election (PREFERRED) for partition: no-such-topic-0: ",
                      completed.stdout)
        self.assertIn("1 replica(s) could not be elected", completed.stderr)

        # A bad JSON file names the problem.
        path = os.path.join(self.scratch_dir("bad-json"), "partitions.json")
        with open(path, "w") as f:
            f.write('{"partitions": [{"topic": "elect", "partition": 0}, {"topic": "elect", "partition": 0}]}')
        completed = self.elect(cluster, "--election-type", "preferred", "--path-to-json-file", path)
        self.assertEqual(completed.returncode, 1, completed.stdout + completed.stderr)
        self.assertIn("duplicate partitions: elect-0", completed.stderr)
