"""sluice-operator against a REAL kube-apiserver 1.20.2 + etcd + kube-controller-manager.

An API-only `KubeNode` (no kubelet: pods are created but never run) with the project's CRD
(manifests/crds/) and the real `sluice-operator` binary with --leader-elect. What it proves, on
the real API's semantics rather than a fake's:
- a managed-ZooKeeper cluster gets the finalizer, the ZooKeeper objects, status through /status
  (observedGeneration, conditions, zookeeperReady "0/3") and no broker while ZooKeeper is not
  ready;
- an external-ZooKeeper cluster gets one Pod/ConfigMap/Service/two PVCs per broker with unique
  ports, nextBrokerId recorded; `kubectl scale kc` (the scale subresource) adds a broker;
- with nothing changing, the KafkaCluster's resourceVersion stays put across resyncs (status is
  written only when it changes);
- a broker that reports ready but cannot be reached over Kafka: Degraded KafkaAdminUnavailable
  and nothing deleted;
- an invalid spec: Ready=False reason InvalidSpec and a Warning Event, no objects;
- /metrics, /healthz, /readyz; the Lease held by the operator and released on SIGTERM (exit 0);
- deleting a cluster: the finalizer goes and the garbage collector removes its objects.

Environment: SLUICE_BUILD_DIR (the binary is $SLUICE_BUILD_DIR/bin/sluice-operator, or
SLUICE_OPERATOR_BIN), SLUICE_K8S_BIN, SLUICE_E2E_TMP.
"""

import json
import os
import signal
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from harness.k8s import KubeTestCase
from harness.paths import REPO_DIR, build_dir, scratch_root
from harness.ports import free_port
from harness.processes import ManagedProcess
from harness.waiting import wait_until

NS = "kafka"
CRD = os.path.join(REPO_DIR, "manifests", "crds", "kafkaclusters.sluice.dev.yaml")


def operator_binary():
    path = os.environ.get("SLUICE_OPERATOR_BIN") or os.path.join(build_dir(), "bin", "sluice-operator")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} not found: build it (ninja sluice-operator) or set SLUICE_OPERATOR_BIN")
    return path


def cluster_yaml(name, spec):
    return json.dumps({"apiVersion": "sluice.dev/v1alpha1", "kind": "KafkaCluster",
                       "metadata": {"name": name, "namespace": NS}, "spec": spec})


class OperatorApiTest(KubeTestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = operator_binary()
        super().setUpClass()
        cls.kube.apply(CRD)
        cls.kube.kubectl("wait", "--for=condition=Established", "crd/kafkaclusters.sluice.dev",
                         "--timeout=60s")
        cls.kube.kubectl("create", "namespace", NS)
        cls.tmp = tempfile.mkdtemp(prefix="operator-api-", dir=scratch_root())
        cls.port = free_port()
        env = dict(os.environ, POD_NAMESPACE=NS, POD_NAME="operator-a",
                   LOG_DIR=os.path.join(cls.tmp, "logs"))
        env.pop("WATCH_NAMESPACE", None)
        cls.operator = ManagedProcess(
            [cls.binary, f"--kubeconfig={cls.kube.kubeconfig}", f"--metrics-port={cls.port}",
             "--leader-elect", "--resync-seconds=3", "--workers=2"],
            os.path.join(cls.tmp, "operator.out"), env=env)
        cls.addClassCleanup(cls.operator.stop)
        wait_until(lambda: cls.http("/readyz")[0] == 200, 60, "operator /readyz 200")

    @classmethod
    def http(cls, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{cls.port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError as e:
            return 0, str(e)

    def run(self, result=None):
        outcome = super().run(result)
        if result is not None and (result.failures or result.errors):
            print(f"\n===== operator output =====\n{self.operator.output_tail(8000)}")
        return outcome

    def kc(self, name):
        return self.kube.get_json("kafkacluster", name, namespace=NS)

    def condition(self, name, type_):
        for c in ((self.kc(name) or {}).get("status") or {}).get("conditions") or []:
            if c.get("type") == type_:
                return c
        return {}

    def pods(self, instance):
        listing = self.kube.get_json("pods", "-l", f"app.kubernetes.io/instance={instance}", namespace=NS)
        return sorted(p["metadata"]["name"] for p in listing["items"])

    def test_a_managed_zookeeper_comes_first(self):
        self.kube.apply(cluster_yaml("zk", {"replicas": 3, "zookeeper": {"managed": {"replicas": 3}}}))
        wait_until(lambda: self.condition("zk", "Reconciling").get("reason") == "WaitingForZooKeeper",
                   60, "zk Reconciling=WaitingForZooKeeper")
        kc = self.kc("zk")
        self.assertIn("sluice.dev/finalizer", kc["metadata"]["finalizers"])
        self.assertEqual(kc["status"]["zookeeperReady"], "0/3")
        self.assertEqual(kc["status"]["observedGeneration"], kc["metadata"]["generation"])
        self.assertEqual(self.condition("zk", "Ready")["status"], "False")
        for kind, name in (("statefulset", "zk-zookeeper"), ("service", "zk-zookeeper"),
                           ("service", "zk-zookeeper-headless"), ("configmap", "zk-zookeeper-config")):
            self.assertIsNotNone(self.kube.get_json(kind, name, namespace=NS), f"{kind}/{name}")
        sts = self.kube.get_json("statefulset", "zk-zookeeper", namespace=NS)
        self.assertEqual(sts["metadata"]["ownerReferences"][0]["uid"], kc["metadata"]["uid"])
        time.sleep(4)  # more than a resync: still no broker while ZooKeeper is not ready
        self.assertEqual(self.kube.get_json("pods", "-l", "app.kubernetes.io/component=broker,"
                                            "app.kubernetes.io/instance=zk", namespace=NS)["items"], [])

    def test_b_brokers_ids_ports_scale_and_quiet_status(self):
        self.kube.apply(cluster_yaml("demo", {"replicas": 3, "zookeeper": {"external": {"connect": "zk.example:2181"}}}))
        wait_until(lambda: self.pods("demo") == ["demo-broker-0", "demo-broker-1", "demo-broker-2"],
                   60, "three broker pods")
        ports = set()
        for i in range(3):
            pod = self.kube.get_json("pod", f"demo-broker-{i}", namespace=NS)
            for port in pod["spec"]["containers"][0]["ports"]:
                if port["name"] == "kafka":
                    ports.add(port["containerPort"])
            for suffix in ("data", "logs"):
                self.assertIsNotNone(self.kube.get_json("pvc", f"demo-broker-{i}-{suffix}", namespace=NS))
            self.assertIsNotNone(self.kube.get_json("service", f"demo-broker-{i}", namespace=NS))
            self.assertIsNotNone(self.kube.get_json("configmap", f"demo-broker-{i}", namespace=NS))
        self.assertEqual(ports, {9092, 9093, 9094})
        wait_until(lambda: self.kc("demo")["status"].get("brokersReady") == "0/3", 30, "brokersReady 0/3")
        status = self.kc("demo")["status"]
        self.assertEqual(status["nextBrokerId"], 3)
        self.assertEqual([b["id"] for b in status["brokers"]], [0, 1, 2])
        self.assertEqual({b["phase"] for b in status["brokers"]}, {"Pending"})
        self.assertEqual(status["zookeeperReady"], "external")
        self.assertEqual(status["bootstrap"], "demo-bootstrap.kafka.svc.cluster.local:9092")

        # Nothing changes: the object's resourceVersion stays put across several resyncs.
        rv = self.kc("demo")["metadata"]["resourceVersion"]
        time.sleep(8)
        self.assertEqual(self.kc("demo")["metadata"]["resourceVersion"], rv)

        # The scale subresource adds a broker with the next id.
        self.kube.kubectl("scale", "kafkacluster", "demo", "--replicas=4", namespace=NS)
        wait_until(lambda: "demo-broker-3" in self.pods("demo"), 60, "pod demo-broker-3")
        wait_until(lambda: self.kc("demo")["status"].get("replicas") == 4, 30, "status.replicas 4")
        self.assertEqual(self.kc("demo")["status"]["nextBrokerId"], 4)
        printed = self.kube.kubectl("get", "kafkacluster", "demo", namespace=NS)
        self.assertIn("0/4", printed)

    def test_c_unreachable_kafka_is_degraded_and_destroys_nothing(self):
        # The pod says ready (no kubelet here to contradict it), but no broker answers over Kafka.
        wait_until(lambda: "demo-broker-3" in self.pods("demo"), 60, "demo's pods")
        self.kube.kubectl("patch", "pod", "demo-broker-0", "--subresource=status", "--type=merge", "-p",
                          json.dumps({"status": {"conditions": [{"type": "Ready", "status": "True"}]}}),
                          namespace=NS)
        self.kube.kubectl("scale", "kafkacluster", "demo", "--replicas=2", namespace=NS)
        wait_until(lambda: self.condition("demo", "Degraded").get("reason") == "KafkaAdminUnavailable",
                   90, "demo Degraded=KafkaAdminUnavailable")
        time.sleep(4)
        self.assertEqual(self.pods("demo"), [f"demo-broker-{i}" for i in range(4)])
        phases = {b["id"]: b["phase"] for b in self.kc("demo")["status"]["brokers"]}
        self.assertNotIn("Draining", phases.values())
        self.assertNotIn("Removing", phases.values())

    def test_d_invalid_spec_is_reported_not_acted_on(self):
        self.kube.apply(cluster_yaml("bad", {"replicas": 1, "config": {"broker.id": "7"},
                                             "zookeeper": {"external": {"connect": "zk:2181"}}}))
        wait_until(lambda: self.condition("bad", "Ready").get("reason") == "InvalidSpec", 60,
                   "bad Ready=False InvalidSpec")
        self.assertEqual(self.condition("bad", "Degraded")["status"], "True")
        self.assertIn("broker.id", self.condition("bad", "Degraded")["message"])
        self.assertEqual(self.pods("bad"), [])

        def warning_event():
            events = self.kube.get_json("events.events.k8s.io", namespace=NS)["items"]
            return [e for e in events if e.get("reason") == "InvalidSpec"
                    and e.get("regarding", {}).get("name") == "bad" and e.get("type") == "Warning"]
        wait_until(warning_event, 30, "a Warning Event InvalidSpec regarding bad")

    def test_e_metrics_probes_and_lease(self):
        code, body = self.http("/metrics")
        self.assertEqual(code, 200)
        samples = {}
        for line in body.splitlines():
            if line and not line.startswith("#"):
                name, _, number = line.rpartition(" ")
                samples[name] = float(number)
        self.assertEqual(samples["sluice_operator_leader"], 1)
        passes = sum(v for k, v in samples.items()
                     if k.startswith("sluice_operator_reconcile_total{") and 'result="error"' not in k)
        self.assertGreater(passes, 0)
        self.assertGreater(samples["sluice_operator_reconcile_duration_seconds_count"], 0)
        self.assertIn("sluice_operator_workqueue_depth", samples)
        self.assertGreaterEqual(samples["sluice_operator_clusters"], 2)
        self.assertEqual(self.http("/healthz")[0], 200)
        code, text = self.http("/readyz")
        self.assertEqual(code, 200)
        self.assertIn("leader", text)
        self.assertEqual(self.http("/nope")[0], 404)
        lease = self.kube.get_json("lease", "sluice-operator", namespace=NS)
        self.assertEqual(lease["spec"]["holderIdentity"], "operator-a")

    def test_f_deletion_drops_the_finalizer_and_gc_takes_the_rest(self):
        self.kube.kubectl("delete", "kafkacluster", "demo", "--wait=false", namespace=NS)
        wait_until(lambda: self.kc("demo") is None, 60, "KafkaCluster demo gone")
        wait_until(lambda: self.pods("demo") == [], 90, "demo's pods garbage-collected")
        wait_until(lambda: self.kube.get_json("pvc", "demo-broker-0-data", namespace=NS) is None
                   or self.kube.get_json("pvc", "demo-broker-0-data", namespace=NS)["metadata"].get("deletionTimestamp"),
                   90, "demo's PVCs garbage-collected")

    def test_z_sigterm_releases_the_lease_and_exits_0(self):
        self.assertEqual(self.operator.stop(timeout=30), 0)
        lease = self.kube.get_json("lease", "sluice-operator", namespace=NS)
        self.assertFalse(lease["spec"].get("holderIdentity"))


if __name__ == "__main__":
    unittest.main()
