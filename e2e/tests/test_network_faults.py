"""Network faults, each broker in its own network namespace (harness/netns.py), replication
factor 3, min.insync.replicas=2, the no-loss producer running throughout:
  * the leader cut from both followers (its ZooKeeper session stays alive): the followers fall
    out of the ISR or the leader stops acknowledging; after the cut heals the ISR is full again,
    the producer resumes, nothing acknowledged is lost;
  * the leader cut from ZooKeeper until its session expires: the controller elects another
    leader; the cut-off broker must not go on acknowledging writes; after the heal it rejoins
    as a follower with the same data as the others.
Needs root and iptables (scripts/install-deps.sh installs it): it fails, naming what is missing, rather than skip."""

import sys

from harness.netns import available as netns_available
from harness.replicated import ReplicatedTestCase

TOPIC = "netfaults"


class NetworkFaultsTest(ReplicatedTestCase):
    netns = True

    def setUp(self):
        # Not a skip: scripts/install-deps.sh installs iproute2 and iptables, and CI runs as root.
        available, why = netns_available()
        self.assertTrue(available, f"network namespaces are needed: {why}")
        super().setUp()
        self.cluster = self.start_replicated_cluster()
        self.create_checked_topic(self.cluster, TOPIC)
        self.producer = self.start_producer(self.cluster, TOPIC, run=self._testMethodName.replace("_", ""),
                                            message_timeout_ms=60000)
        self.producer.wait_acks(300, timeout=60)

    def test_leader_cut_from_followers(self):
        cluster = self.cluster
        leader = cluster.leader(TOPIC, 0)
        followers = [b for b in range(cluster.size) if b != leader]
        print(f"cutting leader {leader} from followers {followers}", file=sys.stderr)
        cluster.cut(leader, followers)
        # The followers stop fetching; after replica.lag.time.max.ms the ISR cannot stay {all}.
        cluster.wait_for(lambda: cluster.isr(TOPIC, 0) != sorted(cluster.assignment(TOPIC)[0]) or
                         cluster.leader(TOPIC, 0) != leader, 40,
                         "the ISR to shrink or leadership to move while the leader is cut off")
        self.pause(1.0, 5.0)
        cluster.heal(leader)
        self.wait_full_isr(cluster, TOPIC)
        self.producer.wait_acks(self.producer.acked() + 300, timeout=90)
        self.finish_and_verify(cluster, TOPIC, min_acked=600)

    def test_leader_cut_from_zookeeper(self):
        cluster = self.cluster
        leader = cluster.leader(TOPIC, 0)
        print(f"cutting leader {leader} from ZooKeeper", file=sys.stderr)
        cluster.cut_from_zookeeper(leader)
        cluster.wait_unregistered(leader, timeout=30)
        new_leader = cluster.wait_leader(TOPIC, 0, timeout=30, not_in=[leader])
        print(f"new leader {new_leader}", file=sys.stderr)
        acked_before = self.producer.acked()
        self.producer.wait_acks(acked_before + 300, timeout=90)  # through the new leader
        self.pause(0.5, 3.0)
        cluster.heal(leader)
        cluster.wait_registered([leader], timeout=60)
        self.wait_full_isr(cluster, TOPIC)
        self.producer.wait_acks(self.producer.acked() + 300, timeout=90)
        self.finish_and_verify(cluster, TOPIC, min_acked=900)
