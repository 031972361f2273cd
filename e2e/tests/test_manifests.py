"""The plain manifests (manifests/crds, rbac, operator, samples) against a real kube-apiserver
v1.20.2 with RBAC: they apply with ordinary client-side `kubectl apply` (so the CRD fits the
last-applied annotation), the operator's ServiceAccount may do exactly what the operator does and
not more, and the CRD's schema refuses bad KafkaClusters with messages that name the field.

Needs the cached Kubernetes binaries (e2e/k8s/build-kubernetes.sh); no node is started.
"""

import concurrent.futures
import glob
import json
import os
import unittest

from harness.k8s import KubeTestCase
from harness.paths import REPO_DIR
from harness.waiting import wait_until

MANIFESTS = os.path.join(REPO_DIR, "manifests")
OPERATOR_NS = "sluice-system"
OPERATOR_SA = f"system:serviceaccount:{OPERATOR_NS}:sluice-operator"
CRD = "kafkaclusters.sluice.dev"
# kubectl apply keeps the whole object in this annotation; the API refuses annotations above 256 KiB.
ANNOTATION_LIMIT = 262144

WORKLOAD_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")
WORKLOAD_RESOURCES = ("pods", "services", "configmaps", "persistentvolumeclaims",
                      "statefulsets.apps", "poddisruptionbudgets.policy")


def operator_may(namespace):
    """Every (verb, resource, subresource, namespace) the operator uses (controller/README.md and the
    RBAC files) for KafkaClusters in `namespace`."""
    checks = [(verb, "kafkaclusters.sluice.dev", None, namespace)
              for verb in ("get", "list", "watch", "update", "patch")]
    checks += [(verb, "kafkaclusters.sluice.dev", "status", namespace) for verb in ("get", "update", "patch")]
    checks += [("update", "kafkaclusters.sluice.dev", "finalizers", namespace)]
    checks += [(verb, resource, None, namespace) for resource in WORKLOAD_RESOURCES for verb in WORKLOAD_VERBS]
    checks += [(verb, "events.events.k8s.io", None, namespace) for verb in ("create", "patch")]
    return checks


def kafka_cluster(name, spec_overrides):
    spec = {"replicas": 1, "storage": {"data": {"size": "1Gi"}}, "zookeeper": {"managed": {"replicas": 1}}}
    spec.update(spec_overrides)
    return json.dumps({"apiVersion": "sluice.dev/v1alpha1", "kind": "KafkaCluster",
                       "metadata": {"name": name, "namespace": "default"}, "spec": spec})


class ManifestsTest(KubeTestCase):
    full_node = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for part in ("crds", "rbac", "operator"):
            if not glob.glob(os.path.join(MANIFESTS, part, "*.yaml")):
                raise AssertionError(f"no manifests in {MANIFESTS}/{part}")
        # The order a user follows (manifests/rbac/README.md), each a plain client-side apply.
        cls.applied = {"crds": cls.kube.apply(os.path.join(MANIFESTS, "crds"))}
        cls.kube.kubectl("wait", "--for=condition=Established", f"crd/{CRD}", "--timeout=60s")
        # kubectl validates client-side against the server's OpenAPI document, which takes in a new
        # CRD's schema a few seconds after it is Established.
        wait_until(lambda: "replicas" in cls.kube.kubectl("explain", "kafkaclusters.spec",
                                                          "--api-version=sluice.dev/v1alpha1"),
                   60, "the KafkaCluster schema in the API server's OpenAPI document")
        for part in ("rbac", "operator"):
            cls.applied[part] = cls.kube.apply(os.path.join(MANIFESTS, part))
        cls.applied["samples"] = cls.kube.apply(os.path.join(MANIFESTS, "samples"), namespace="default")

    def can_i(self, verb, resource, subresource=None, namespace=None, name=None, user=OPERATOR_SA):
        target = f"{resource}/{name}" if name else resource
        args = ["auth", "can-i", verb, target, f"--as={user}"]
        if subresource:
            args.append(f"--subresource={subresource}")
        args.append(f"--namespace={namespace}" if namespace else "--all-namespaces")
        code, out, err = self.kube.kubectl_result(*args)
        answer = out.strip()
        if answer not in ("yes", "no"):
            raise AssertionError(f"kubectl {' '.join(args)}: exit {code}, {out!r} {err!r}")
        return answer == "yes"

    def answers(self, checks):
        """{check: allowed} for (verb, resource, subresource, namespace[, name]) tuples, asked in parallel."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = pool.map(lambda c: self.can_i(*c), checks)
            return dict(zip(checks, results))

    # --- applying ---------------------------------------------------------------------------

    def test_crd_applies_client_side_under_the_annotation_limit(self):
        self.assertIn(f"customresourcedefinition.apiextensions.k8s.io/{CRD}", self.applied["crds"])
        crd = self.kube.get_json("crd", CRD)
        last_applied = crd["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
        total = sum(len(k) + len(v) for k, v in crd["metadata"]["annotations"].items())
        self.assertLess(total, ANNOTATION_LIMIT)
        print(f"\n[manifests] CRD last-applied annotation: {len(last_applied)} bytes "
              f"({100 * total / ANNOTATION_LIMIT:.0f}% of the limit)")
        # Applying again is a no-op, as in a user's repeated `kubectl apply`.
        self.assertIn("unchanged", self.kube.apply(os.path.join(MANIFESTS, "crds")))

    def test_crd_shape_matches_the_contract(self):
        crd = self.kube.get_json("crd", CRD)
        spec = crd["spec"]
        self.assertEqual(spec["group"], "sluice.dev")
        self.assertEqual(spec["scope"], "Namespaced")
        self.assertEqual(spec["names"]["kind"], "KafkaCluster")
        self.assertEqual(spec["names"]["plural"], "kafkaclusters")
        self.assertIn("kc", spec["names"]["shortNames"])
        served = [v for v in spec["versions"] if v["name"] == "v1alpha1"]
        self.assertEqual(len(served), 1)
        subresources = served[0]["subresources"]
        self.assertEqual(subresources["status"], {})
        self.assertEqual(subresources["scale"]["specReplicasPath"], ".spec.replicas")
        self.assertEqual(subresources["scale"]["statusReplicasPath"], ".status.replicas")
        self.assertEqual(subresources["scale"]["labelSelectorPath"], ".status.labelSelector")
        columns = {c["name"]: c["jsonPath"] for c in served[0]["additionalPrinterColumns"]}
        self.assertEqual(columns.get("Brokers"), ".status.brokersReady")
        self.assertEqual(columns.get("ZooKeeper"), ".status.zookeeperReady")
        self.assertEqual(columns.get("Ready"), '.status.conditions[?(@.type=="Ready")].status')
        conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
        self.assertEqual(conditions.get("Established"), "True")
        self.assertEqual(conditions.get("NamesAccepted"), "True")

    def test_operator_objects_exist(self):
        for kind, name in (("namespace", OPERATOR_NS), ("serviceaccount", "sluice-operator"),
                           ("deployment", "sluice-operator"), ("service", "sluice-operator-metrics"),
                           ("role", "sluice-operator-leader-election"),
                           ("rolebinding", "sluice-operator-leader-election")):
            namespace = None if kind == "namespace" else OPERATOR_NS
            self.assertIsNotNone(self.kube.get_json(kind, name, namespace=namespace), f"{kind} {name}")
        for kind in ("clusterrole", "clusterrolebinding"):
            for name in ("sluice-operator", "sluice-operator-nodes"):
                self.assertIsNotNone(self.kube.get_json(kind, name), f"{kind} {name}")
        self.assertEqual(self.kube.jsonpath("deployment sluice-operator", "{.spec.template.spec.serviceAccountName}",
                                            namespace=OPERATOR_NS), "sluice-operator")

    def test_samples_are_valid_kafka_clusters(self):
        samples = sorted(glob.glob(os.path.join(MANIFESTS, "samples", "*.yaml")))
        self.assertTrue(samples, "no samples")
        names = self.kube.kubectl("get", "kafkaclusters", "-o", "jsonpath={.items[*].metadata.name}",
                                  namespace="default").split()
        self.assertEqual(len(names), len(samples), f"one KafkaCluster per sample file: {names}")
        for line in self.applied["samples"].splitlines():
            self.assertRegex(line, r"^kafkacluster\.sluice\.dev/\S+ (created|configured|unchanged)$")
        # The short name and the printer columns work.
        header = self.kube.kubectl("get", "kc", namespace="default").splitlines()[0].split()
        self.assertEqual(header[:5], ["NAME", "BROKERS", "ZOOKEEPER", "READY", "AGE"])

    # --- RBAC -------------------------------------------------------------------------------

    def test_operator_may_do_what_it_does(self):
        checks = operator_may("default") + operator_may("team-a")
        checks += [("create", "leases.coordination.k8s.io", None, OPERATOR_NS),
                   ("get", "leases.coordination.k8s.io", None, OPERATOR_NS, "sluice-operator"),
                   ("update", "leases.coordination.k8s.io", None, OPERATOR_NS, "sluice-operator"),
                   ("get", "nodes", None, None), ("list", "nodes", None, None)]
        # All-namespaces mode lists and watches across namespaces.
        checks += [(verb, resource, None, None) for verb in ("list", "watch")
                   for resource in ("kafkaclusters.sluice.dev",) + WORKLOAD_RESOURCES]
        denied = [check for check, allowed in self.answers(checks).items() if not allowed]
        self.assertEqual(denied, [], f"{OPERATOR_SA} is refused what the operator needs")

    def test_operator_may_not_do_more(self):
        checks = [
            ("get", "secrets", None, None), ("list", "secrets", None, None),
            ("get", "secrets", None, OPERATOR_NS), ("list", "secrets", None, "default"),
            ("delete", "nodes", None, None), ("update", "nodes", None, None), ("patch", "nodes", None, None),
            ("create", "clusterroles.rbac.authorization.k8s.io", None, None),
            ("create", "clusterrolebindings.rbac.authorization.k8s.io", None, None),
            ("create", "roles.rbac.authorization.k8s.io", None, "default"),
            ("create", "rolebindings.rbac.authorization.k8s.io", None, "default"),
            ("escalate", "clusterroles.rbac.authorization.k8s.io", None, None),
            ("bind", "clusterroles.rbac.authorization.k8s.io", None, None),
            ("impersonate", "serviceaccounts", None, "default"),
            ("create", "namespaces", None, None), ("delete", "namespaces", None, None),
            ("create", "serviceaccounts", None, "default"),
            ("create", "pods", "exec", "default"),
            ("create", "deployments.apps", None, "default"),
            ("create", "customresourcedefinitions.apiextensions.k8s.io", None, None),
            ("create", "kafkaclusters.sluice.dev", None, "default"),
            ("delete", "kafkaclusters.sluice.dev", None, "default"),
            ("create", "persistentvolumes", None, None),
            ("update", "leases.coordination.k8s.io", None, OPERATOR_NS, "someone-else"),
            ("update", "leases.coordination.k8s.io", None, "kube-system", "kube-controller-manager"),
            ("create", "leases.coordination.k8s.io", None, "kube-system"),
            ("get", "secrets", None, "kube-system"),
            ("delete", "events.events.k8s.io", None, "default"),
            ("create", "events", None, "default"),  # core/v1 events: the operator writes events.k8s.io/v1
        ]
        allowed = [check for check, yes in self.answers(checks).items() if yes]
        self.assertEqual(allowed, [], f"{OPERATOR_SA} may do more than the operator needs")

    def test_single_namespace_mode_confines_the_operator(self):
        """manifests/rbac/single-namespace instead of cluster-wide.yaml: everything in its namespace,
        nothing in others (kube-system included)."""
        namespace = "kafka"
        self.kube.kubectl("create", "namespace", namespace)
        self.addCleanup(self.kube.kubectl, "delete", "namespace", namespace, "--wait=false", check=False)
        self.kube.kubectl("delete", "-f", os.path.join(MANIFESTS, "rbac", "cluster-wide.yaml"))
        self.addCleanup(self.kube.apply, os.path.join(MANIFESTS, "rbac", "cluster-wide.yaml"))
        self.kube.apply(os.path.join(MANIFESTS, "rbac", "single-namespace", "kafka.yaml"))
        self.addCleanup(self.kube.kubectl, "delete", "-f",
                        os.path.join(MANIFESTS, "rbac", "single-namespace", "kafka.yaml"), check=False)
        inside = self.answers(operator_may(namespace))
        self.assertEqual([c for c, yes in inside.items() if not yes], [], f"refused in {namespace}")
        outside = self.answers(operator_may("default") + operator_may("kube-system")
                               + [("list", "pods", None, None), ("list", "kafkaclusters.sluice.dev", None, None)])
        self.assertEqual([c for c, yes in outside.items() if yes], [], f"allowed outside {namespace}")

    # --- schema validation ------------------------------------------------------------------

    def rejected(self, name, spec_overrides):
        """Applies a KafkaCluster that must be refused; returns kubectl's error text."""
        code, out, err = self.kube.kubectl_result("apply", "-f", "-", input=kafka_cluster(name, spec_overrides))
        self.addCleanup(self.kube.kubectl, "delete", "kafkacluster", name, "--ignore-not-found",
                        namespace="default", check=False)
        self.assertNotEqual(code, 0, f"{name} was accepted: {out}")
        self.assertIsNone(self.kube.get_json("kafkacluster", name, namespace="default"))
        return err

    def test_a_valid_spec_is_accepted(self):
        code, out, err = self.kube.kubectl_result("apply", "-f", "-", input=kafka_cluster(
            "valid", {"brokers": [{"id": 0}, {"id": 1}], "listeners": {"internal": {"basePort": 9092}}}))
        self.addCleanup(self.kube.kubectl, "delete", "kafkacluster", "valid", namespace="default", check=False)
        self.assertEqual(code, 0, err)

    def test_negative_replicas_are_refused(self):
        error = self.rejected("negative", {"replicas": -1})
        self.assertIn("spec.replicas", error)
        self.assertRegex(error, r"greater than or equal to 0")

    def test_duplicate_broker_ids_are_refused(self):
        error = self.rejected("duplicates", {"brokers": [{"id": 0}, {"id": 1}, {"id": 0}]})
        self.assertIn("spec.brokers[2]", error)
        self.assertIn("Duplicate value", error)

    def test_port_out_of_range_is_refused(self):
        error = self.rejected("port", {"listeners": {"internal": {"basePort": 70000}}})
        self.assertIn("spec.listeners.internal.basePort", error)
        self.assertIn("less than or equal to 65535", error)
        error = self.rejected("nodeport", {"listeners": {"internal": {"basePort": 9092},
                                                         "external": {"nodePortBase": 8080, "advertisedHost": "10.88.0.1"}}})
        self.assertIn("spec.listeners.external.nodePortBase", error)

    def test_unknown_field_is_refused_by_kubectl(self):
        """The API server of 1.20 would silently prune it; kubectl's schema validation refuses it."""
        error = self.rejected("typo", {"replicaz": 3})
        self.assertIn('unknown field "replicaz"', error)
        error = self.rejected("typo-nested", {"storage": {"data": {"size": "1Gi", "storageClass": "x"}}})
        self.assertIn('unknown field "storageClass"', error)


if __name__ == "__main__":
    unittest.main()
