"""ReplicatedTestCase: what the replication fault suites share.

A 3-broker cluster with short timeouts (so faults resolve within a test's budget), topics with
replication factor 3 and min.insync.replicas=2, the no-loss producer, and finish_and_verify():
stop the producers, let every replica catch up, read the partition back, stop the brokers cleanly
(so each writes its high-watermark checkpoint), compare the replicas, print the verdict, assert it.

Random delays come from one seeded generator per test; the seed is printed (and can be fixed
with SLUICE_E2E_SEED) so a failing timing can be replayed.
"""

import os
import random
import sys
import time

from .case import E2ETestCase
from .noloss import NoLossProducer, ReplicaData, read_partition, verify

# Broker settings for fault tests: a short ZooKeeper session (a dead broker is noticed in ~6 s),
# a short replica lag time (a stuck follower leaves the ISR in ~6 s), clean elections only.
FAULT_PROPERTIES = {
    "zookeeper.session.timeout.ms": 6000,
    "replica.lag.time.max.ms": 6000,
    "replica.socket.timeout.ms": 5000,
    "replica.fetch.wait.max.ms": 200,
    "unclean.leader.election.enable": "false",
    "controlled.shutdown.enable": "true",
    # The last brokers of a cluster being stopped cannot hand leadership to anybody; retry briefly.
    "controlled.shutdown.retry.backoff.ms": 500,
    "replica.high.watermark.checkpoint.interval.ms": 1000,
    "min.insync.replicas": 2,
    "default.replication.factor": 3,
    "offsets.topic.replication.factor": 3,
    "auto.create.topics.enable": "false",
    "auto.leader.rebalance.enable": "false",
}

CHECKED_TOPIC_CONFIGS = {"min.insync.replicas": 2, "unclean.leader.election.enable": "false"}


class ReplicatedTestCase(E2ETestCase):
    cluster_size = 3
    extra_properties = {}
    netns = False

    def setUp(self):
        super().setUp()
        seed = int(os.environ.get("SLUICE_E2E_SEED") or time.time_ns() % 1_000_000)
        print(f"\n[e2e] {self.id()}: random seed {seed} (replay with SLUICE_E2E_SEED={seed})", file=sys.stderr)
        self.rng = random.Random(seed)
        self.producers = []

    def start_replicated_cluster(self, properties=None, size=None, netns=None):
        merged = dict(FAULT_PROPERTIES)
        merged.update(self.extra_properties)
        merged.update(properties or {})
        return self.start_cluster(size or self.cluster_size, merged,
                                  netns=self.netns if netns is None else netns)

    def create_checked_topic(self, cluster, topic, assignment=None, partitions=1, replication_factor=3,
                             configs=None):
        merged = dict(CHECKED_TOPIC_CONFIGS)
        merged.update(configs or {})
        return cluster.create_topic(topic, partitions=partitions, replication_factor=replication_factor,
                                    assignment=assignment, configs=merged)

    def start_producer(self, cluster, topic, run, partition=0, rate=200, **options):
        producer = NoLossProducer(self.scratch_dir(f"producer-{run}"), cluster.bootstrap, topic, partition=partition,
                                  run=run, rate=rate, **options).start()
        self.addCleanup(producer.stop, 5)
        self.producers.append(producer)
        return producer

    def pause(self, low, high):
        """Sleeps a random time in [low, high] seconds (seeded)."""
        time.sleep(self.rng.uniform(low, high))

    def wait_full_isr(self, cluster, topic, partition=0, timeout=90.0):
        replicas = cluster.assignment(topic)[partition]
        cluster.wait_leader(topic, partition, timeout)
        cluster.wait_isr(topic, partition, replicas, timeout)

    def finish_and_verify(self, cluster, topic, partition=0, producers=None, min_acked=1, logs=None,
                          check_served=None):
        """Stops the producers, waits for a full ISR, reads the partition, stops every broker
        cleanly, compares the replicas and asserts the verdict. Returns it. `check_served`, if
        given, is called with the partition as consumers see it ([(offset, value)]).

        The read comes after the producers stop on purpose: a consumer reading "to the end" never
        gets there while a producer keeps appending (each fetch at the high watermark waits for, and
        gets, new records), in Kafka as here."""
        producers = self.producers if producers is None else producers
        for producer in producers:
            print(f"[producer {producer.run}] {producer.stop().strip()}", file=sys.stderr)
        self.wait_full_isr(cluster, topic, partition)
        served = read_partition(cluster.bootstrap, topic, partition)
        if check_served is not None:
            check_served(served)
        replicas = cluster.assignment(topic)[partition]
        for broker_id in cluster.running():
            cluster.stop_broker(broker_id)
        replica_data = [ReplicaData(b, cluster.broker(b).data_dir, topic, partition) for b in replicas]
        verdict = verify([p.log() for p in producers] + list(logs or []), served, replica_data)
        print(f"[checker] {self.id()}: {verdict.line()}", file=sys.stderr)
        self.assertTrue(verdict.ok, verdict.details())
        self.assertGreaterEqual(verdict.acked, min_acked, "too few acknowledgements for the run to mean anything")
        self.assertTrue(verdict.replicas_consistent, verdict.details())
        return verdict
