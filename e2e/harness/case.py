"""E2ETestCase: ZooKeeper and broker fixtures tied to unittest's lifecycle.

Class fixtures (start_class_zookeeper / start_class_broker, called from setUpClass) live for the
whole class; test fixtures (start_zookeeper / start_broker) for one test. Each is registered for
cleanup the moment it exists, so it is stopped even when setUp, setUpClass or the test fails.
When a test or a setUpClass fails, the tails of every broker's server.log and of ZooKeeper's output
are printed, and the class's scratch directory is kept (its path is printed); otherwise it is
deleted.
"""

import functools
import shutil
import sys
import tempfile
import unittest

from .broker import Broker
from .cluster import Cluster
from .paths import scratch_root
from .zookeeper import ZooKeeperServer


class E2ETestCase(unittest.TestCase):
    maxDiff = 4000

    def __init_subclass__(cls, **kwargs):
        """Wraps a subclass's own setUpClass so its failure prints the fixtures' logs too (no test
        runs after a failed setUpClass, so run() never sees it)."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("setUpClass")
        if own is None:
            return
        function = own.__func__

        @functools.wraps(function)
        def reporting_set_up_class(klass):
            try:
                function(klass)
            except BaseException:
                klass._keep_scratch = True
                print(klass._failure_context(f"setUpClass of {klass.__name__}", [], []), file=sys.stderr)
                raise

        cls.setUpClass = classmethod(reporting_set_up_class)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scratch = tempfile.mkdtemp(prefix=f"sluice-e2e-{cls.__name__}-", dir=scratch_root())
        cls._class_brokers = []
        cls._class_zookeepers = []
        cls._class_clusters = []
        cls._keep_scratch = False
        cls.addClassCleanup(cls._remove_scratch)

    @classmethod
    def _remove_scratch(cls):
        if cls._keep_scratch:
            print(f"\n[e2e] kept scratch directory {cls.scratch}", file=sys.stderr)
        else:
            shutil.rmtree(cls.scratch, ignore_errors=True)

    @classmethod
    def _new_dir(cls, name):
        return tempfile.mkdtemp(prefix=f"{name}-", dir=cls.scratch)

    # --- class fixtures --------------------------------------------------------------------

    @classmethod
    def start_class_zookeeper(cls):
        zookeeper = ZooKeeperServer(cls._new_dir("zookeeper"))
        cls.addClassCleanup(zookeeper.stop)
        cls._class_zookeepers.append(zookeeper)
        return zookeeper.start()

    @classmethod
    def start_class_broker(cls, zookeeper, broker_id=0, properties=None):
        broker = Broker(zookeeper.connect, cls._new_dir(f"broker{broker_id}"), broker_id, properties)
        cls.addClassCleanup(broker.stop)
        cls._class_brokers.append(broker)
        return broker.start()

    @classmethod
    def start_class_cluster(cls, size=3, properties=None, broker_properties=None, netns=False):
        """A started Cluster (harness/cluster.py) living for the whole class."""
        cluster = Cluster(cls._new_dir("cluster"), size, properties, broker_properties, netns)
        cls.addClassCleanup(cluster.close)
        cls._class_clusters.append(cluster)
        return cluster.start()

    # --- test fixtures ---------------------------------------------------------------------

    def setUp(self):
        super().setUp()
        self._test_brokers = []
        self._test_zookeepers = []
        self._test_clusters = []

    def start_cluster(self, size=3, properties=None, broker_properties=None, netns=False):
        """A started Cluster (harness/cluster.py) for this test: one ZooKeeper, brokers 0..size-1."""
        cluster = Cluster(self._new_dir("cluster"), size, properties, broker_properties, netns)
        self.addCleanup(cluster.close)
        self._test_clusters.append(cluster)
        return cluster.start()

    def start_zookeeper(self):
        zookeeper = ZooKeeperServer(self._new_dir("zookeeper"))
        self.addCleanup(zookeeper.stop)
        self._test_zookeepers.append(zookeeper)
        return zookeeper.start()

    def new_broker(self, zookeeper, broker_id=0, properties=None):
        """A broker fixture, not started yet."""
        broker = Broker(zookeeper.connect, self._new_dir(f"broker{broker_id}"), broker_id, properties)
        self.addCleanup(broker.stop)
        self._test_brokers.append(broker)
        return broker

    def start_broker(self, zookeeper, broker_id=0, properties=None):
        return self.new_broker(zookeeper, broker_id, properties).start()

    def scratch_dir(self, name):
        return self._new_dir(name)

    # --- failure reporting -----------------------------------------------------------------

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        problems_before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > problems_before:
            type(self)._keep_scratch = True
            print(self._failure_context(self.id(), getattr(self, "_test_brokers", []),
                                        getattr(self, "_test_zookeepers", []),
                                        getattr(self, "_test_clusters", [])), file=sys.stderr)
        return outcome

    @classmethod
    def _failure_context(cls, what, test_brokers, test_zookeepers, test_clusters=()):
        clusters = list(getattr(cls, "_class_clusters", [])) + list(test_clusters)
        brokers = list(getattr(cls, "_class_brokers", [])) + list(test_brokers)
        zookeepers = list(getattr(cls, "_class_zookeepers", [])) + list(test_zookeepers)
        for cluster in clusters:
            brokers += cluster.brokers
            zookeepers.append(cluster.zookeeper)
        parts = [f"\n===== e2e failure context for {what} ====="]
        parts += [cluster.failure_report() for cluster in clusters]
        parts += [broker.failure_report() for broker in brokers]
        parts += [f"--- tail of ZooKeeper output {z.output_path}:\n{z.log_tail(1500)}" for z in zookeepers]
        return "\n".join(parts)
