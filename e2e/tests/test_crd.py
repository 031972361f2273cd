"""The KafkaCluster CRD (manifests/crds/kafkaclusters.sluice.dev.yaml) on a REAL kube-apiserver
1.20.2 with the real kubectl: it is accepted as a structural schema, the samples store with the
defaults the operator expects, kubectl refuses unknown fields (1.20 has no server-side field
validation, so kubectl's client-side check against the published OpenAPI is what refuses them),
the API server refuses out-of-range values and duplicate broker ids, and the status and scale
subresources and printer columns work. The C++ side (controller/api/crd_test.cc) checks that the
schema, the defaults and the JSON mapping agree; this suite checks what the API server does
with them.
"""

import json
import os
import unittest

from harness.k8s import KubeTestCase
from harness.paths import REPO_DIR
from harness.waiting import wait_until

CRD = os.path.join(REPO_DIR, "manifests", "crds", "kafkaclusters.sluice.dev.yaml")
SAMPLES = os.path.join(REPO_DIR, "manifests", "samples")
NAMESPACE = "default"


def cluster_yaml(name, spec_yaml):
    return (f"apiVersion: sluice.dev/v1alpha1\nkind: KafkaCluster\nmetadata: {{name: {name}}}\n"
            f"spec:\n{spec_yaml}")


class CrdTest(KubeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kube.apply(CRD)
        cls.kube.kubectl("wait", "--for=condition=Established", "crd/kafkaclusters.sluice.dev",
                         "--timeout=60s")
        # The API server publishes the CRD's OpenAPI a moment after Established; until then
        # kubectl finds no schema for the kind and lets unknown fields through (to be pruned).
        wait_until(lambda: "dev.sluice.v1alpha1.KafkaCluster" in cls.kube.kubectl("get", "--raw", "/openapi/v2"),
                   60, "the KafkaCluster schema in the API server's /openapi/v2", 0.5)

    def status_patch(self, name, status):
        self.kube.kubectl("patch", "kafkacluster", name, "--subresource=status", "--type=merge",
                          "-p", json.dumps({"status": status}), namespace=NAMESPACE)

    def test_crd_is_structural_and_established(self):
        crd = self.kube.get_json("crd", "kafkaclusters.sluice.dev")
        conditions = {c["type"]: c for c in crd["status"]["conditions"]}
        self.assertEqual(conditions["Established"]["status"], "True")
        self.assertEqual(conditions["NamesAccepted"]["status"], "True")
        self.assertNotIn("NonStructuralSchema", conditions,
                         conditions.get("NonStructuralSchema", {}).get("message"))
        self.assertLess(os.path.getsize(CRD), 256 * 1024)

    def test_samples_store_with_the_operators_defaults(self):
        self.kube.apply(SAMPLES, namespace=NAMESPACE)
        stored = {name: self.kube.get_json("kafkacluster", name, namespace=NAMESPACE)
                  for name in ("minimal", "production", "orders")}
        for name, cluster in stored.items():
            spec = cluster["spec"]
            with self.subTest(sample=name):
                # what the CRD's defaults fill in (controller/api/defaults.cc has the same values)
                self.assertEqual(spec["adminPort"], 9644)
                self.assertEqual(spec["imagePullPolicy"], "IfNotPresent")
                self.assertEqual(spec["listeners"]["internal"]["basePort"], 9092)
                self.assertEqual(spec["healing"]["replaceOnVolumeLoss"], True)
                self.assertEqual(spec["resources"] if name != "production" else {}, {})
                self.assertNotIn("image", spec)  # the operator's version decides it
        minimal = stored["minimal"]["spec"]
        self.assertEqual(minimal["zookeeper"]["managed"],
                         {"replicas": 1, "image": "zookeeper:3.8", "storage": {"size": "256Mi"},
                          "resources": {}})
        self.assertEqual(minimal["storage"], {"data": {"size": "1Gi"}, "logs": {"size": "256Mi"}})
        self.assertEqual(minimal["healing"]["replaceAfterSeconds"], 300)
        production = stored["production"]["spec"]
        # config is kept as written (numbers stay numbers; the operator turns them into strings)
        self.assertEqual(production["config"]["min.insync.replicas"], 2)
        self.assertEqual(production["config"]["unclean.leader.election.enable"], False)
        self.assertEqual(production["rackAwareness"], {"topologyKey": "topology.kubernetes.io/zone"})
        orders = stored["orders"]["spec"]
        self.assertNotIn("managed", orders["zookeeper"])  # no managed default beside external
        self.assertEqual(orders["listeners"]["external"],
                         {"nodePortBase": 31092, "advertisedHost": "10.88.0.1"})
        # an empty spec gets every cluster-wide default
        self.kube.apply(cluster_yaml("empty", "  {}\n"), namespace=NAMESPACE)
        empty = self.kube.get_json("kafkacluster", "empty", namespace=NAMESPACE)["spec"]
        self.assertEqual(empty, {
            "replicas": 1, "imagePullPolicy": "IfNotPresent", "adminPort": 9644,
            "listeners": {"internal": {"basePort": 9092}},
            "storage": {"data": {"size": "10Gi"}, "logs": {"size": "1Gi"}},
            "resources": {}, "zookeeper": {},
            "healing": {"replaceAfterSeconds": 300, "replaceOnVolumeLoss": True}})

    def test_kubectl_refuses_unknown_fields(self):
        code, _, err = self.kube.kubectl_result(
            "apply", "-f", "-", namespace=NAMESPACE,
            input=cluster_yaml("typo", "  replica: 3\n  storage: {data: {sise: 1Gi}}\n"))
        self.assertNotEqual(code, 0)
        self.assertIn('unknown field "replica"', err)
        self.assertIn('unknown field "sise"', err)
        self.assertIsNone(self.kube.get_json("kafkacluster", "typo", namespace=NAMESPACE))

    def test_server_refuses_duplicate_broker_ids(self):
        code, _, err = self.kube.kubectl_result(
            "apply", "--validate=false", "-f", "-", namespace=NAMESPACE,
            input=cluster_yaml("dup", "  replicas: 3\n  brokers: [{id: 1}, {id: 1}]\n"))
        self.assertNotEqual(code, 0)
        self.assertIn("spec.brokers[1]: Duplicate value", err)

    def test_server_refuses_out_of_range_values(self):
        spec = ("  replicas: 1001\n  imagePullPolicy: Sometimes\n  adminPort: 80\n"
                "  storage: {data: {size: 10GB}}\n"
                "  zookeeper: {managed: {replicas: 4}, chroot: demo/}\n"
                "  listeners: {internal: {basePort: 80}, external: {nodePortBase: 80, advertisedHost: h}}\n"
                "  healing: {replaceAfterSeconds: 5}\n  resources: {requests: {cpu: lots}}\n"
                "  brokers: [{id: -1}]\n")
        code, _, err = self.kube.kubectl_result("apply", "--validate=false", "-f", "-",
                                                namespace=NAMESPACE, input=cluster_yaml("bad", spec))
        self.assertNotEqual(code, 0)
        for field in ("spec.replicas", "spec.imagePullPolicy", "spec.adminPort",
                      "spec.storage.data.size", "spec.zookeeper.managed.replicas",
                      "spec.zookeeper.chroot", "spec.listeners.internal.basePort",
                      "spec.listeners.external.nodePortBase", "spec.healing.replaceAfterSeconds",
                      "spec.resources.requests.cpu", "spec.brokers.id"):
            self.assertIn(f"* {field}: ", err, field)

    def test_status_scale_and_printer_columns(self):
        self.kube.apply(cluster_yaml("cols", "  replicas: 3\n"), namespace=NAMESPACE)
        # The shape StatusToJson writes: empty strings as null (the 1.20 server refuses "").
        self.status_patch("cols", {
            "observedGeneration": 1, "replicas": 3, "brokersReady": "2/3", "zookeeperReady": "3/3",
            "labelSelector": "app.kubernetes.io/instance=cols,app.kubernetes.io/component=broker",
            "conditions": [{"type": "Ready", "status": "True", "reason": "AllBrokersReady",
                            "message": None, "lastTransitionTime": "2024-05-01T10:00:00Z",
                            "observedGeneration": 1}],
            "brokers": [{"id": 0, "pod": "cols-broker-0", "ready": True, "phase": "Running",
                         "partitionsLed": 1, "replicas": 3, "underReplicated": 0,
                         "goneSince": None, "configHash": "ab12", "replacedBy": None}],
            "zookeeper": {"replicas": 3, "ready": 3, "connect": None},
            "bootstrap": "cols-bootstrap.default.svc.cluster.local:9092",
            "externalBootstrap": None, "nextBrokerId": 3, "balancedBrokers": [0, 1, 2]})
        status = self.kube.get_json("kafkacluster", "cols", namespace=NAMESPACE)["status"]
        self.assertEqual(status["brokers"][0],
                         {"id": 0, "pod": "cols-broker-0", "ready": True, "phase": "Running",
                          "partitionsLed": 1, "replicas": 3, "underReplicated": 0,
                          "configHash": "ab12"})
        self.assertNotIn("externalBootstrap", status)

        table = self.kube.kubectl("get", "kc", "cols", namespace=NAMESPACE).splitlines()
        self.assertEqual(table[0].split(), ["NAME", "BROKERS", "ZOOKEEPER", "READY", "AGE"])
        self.assertEqual(table[1].split()[:4], ["cols", "2/3", "3/3", "True"])
        self.assertIn("cols", self.kube.kubectl("get", "sluice", namespace=NAMESPACE))

        self.kube.kubectl("scale", "kafkacluster", "cols", "--replicas=5", namespace=NAMESPACE)
        self.assertEqual(self.kube.jsonpath("kafkacluster cols", "{.spec.replicas}", NAMESPACE), "5")
        scale = json.loads(self.kube.kubectl(
            "get", "--raw", f"/apis/sluice.dev/v1alpha1/namespaces/{NAMESPACE}/kafkaclusters/cols/scale"))
        self.assertEqual(scale["spec"]["replicas"], 5)
        self.assertEqual(scale["status"]["replicas"], 3)
        self.assertEqual(scale["status"]["selector"],
                         "app.kubernetes.io/instance=cols,app.kubernetes.io/component=broker")

        # A status change is not a spec change: generation moves only with spec.
        generation = self.kube.jsonpath("kafkacluster cols", "{.metadata.generation}", NAMESPACE)
        self.status_patch("cols", {"brokersReady": "3/3"})
        self.assertEqual(self.kube.jsonpath("kafkacluster cols", "{.metadata.generation}", NAMESPACE),
                         generation)


if __name__ == "__main__":
    unittest.main()
