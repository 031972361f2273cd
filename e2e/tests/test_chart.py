"""The Helm chart and the plain manifests describe the same install, and the chart renders right.

No Helm binary exists on these machines, so e2e/chart/ builds sluice-chart-render: Helm's own
template engine (Go text/template + sprig, with Helm's include/tpl/required/toYaml) over the
chart, refusing the Helm features it does not implement. This suite renders the chart with the
release name and namespace manifests/ uses and requires the same objects, field for field, with
only Helm's own labels set aside; the chart's CRD must be byte-identical to manifests/crds/; every
template must render and parse; values.yaml and the templates must agree on every key; and a
watchNamespaces list must turn the cluster-wide grant into per-namespace Roles. Then the rendered
objects go to a real kube-apiserver 1.20.2 (RBAC on): `kubectl apply --dry-run=server` accepts
them, and a namespaced install really grants the operator's ServiceAccount exactly its namespaces.
"""

import json
import os
import re
import subprocess
import tempfile
import unittest

from harness.k8s import KubeTestCase
from harness.paths import REPO_DIR

CHART_DIR = os.path.join(REPO_DIR, "charts", "sluice-operator")
MANIFESTS_DIR = os.path.join(REPO_DIR, "manifests")
BUILD_SCRIPT = os.path.join(REPO_DIR, "e2e", "chart", "build.sh")

RELEASE_NAME = "sluice-operator"
RELEASE_NAMESPACE = "sluice-system"

# Labels Helm charts carry and plain manifests do not; the only difference allowed between a
# chart object and its manifests/ twin, and each must have exactly this value in the chart.
HELM_ONLY_LABELS = {
    "helm.sh/chart": "sluice-operator-0.1.0",
    "app.kubernetes.io/managed-by": "Helm",
}

# Objects only manifests/ has, and why.
MANIFEST_ONLY = {
    ("Namespace", None, RELEASE_NAMESPACE): "helm install --create-namespace makes the release namespace",
}

# Resources the operator manages in the namespaces it watches: with watchNamespaces set, no
# ClusterRole may grant any of them.
WORKLOAD_RESOURCES = {
    "kafkaclusters", "kafkaclusters/status", "kafkaclusters/finalizers", "pods", "services",
    "configmaps", "persistentvolumeclaims", "statefulsets", "poddisruptionbudgets", "events",
}

RBAC_KINDS = {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}


def object_key(obj):
    metadata = obj.get("metadata", {})
    return (obj["kind"], metadata.get("namespace"), metadata["name"])


def label_maps(obj):
    """Every label map of an object: its own and its Pod template's."""
    maps = [obj.setdefault("metadata", {}).setdefault("labels", {})]
    template = obj.get("spec", {}).get("template")
    if template is not None:
        maps.append(template.setdefault("metadata", {}).setdefault("labels", {}))
    return maps


class ChartTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        built = subprocess.run([BUILD_SCRIPT], capture_output=True, text=True, timeout=300)
        if built.returncode != 0:
            raise AssertionError(f"building the chart renderer failed:\n{built.stderr}")
        cls.renderer = built.stdout.strip().splitlines()[-1]
        cls.scratch = tempfile.mkdtemp(prefix="sluice-e2e-chart-")
        cls.addClassCleanup(subprocess.run, ["rm", "-rf", cls.scratch])

    # --- helpers -------------------------------------------------------------------------------

    def run_renderer(self, *args, check=True):
        result = subprocess.run([self.renderer, *args], capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            self.fail(f"sluice-chart-render {' '.join(args)} failed:\n{result.stderr}")
        return result

    def yaml_objects(self, *paths):
        """Every document of the files, parsed by yaml.v3 (through the renderer's yaml2json)."""
        entries = json.loads(self.run_renderer("yaml2json", *paths).stdout)
        return [entry["object"] for entry in entries]

    def render(self, *flags, values=None):
        """Renders the chart as release sluice-operator in sluice-system; returns its objects."""
        args = ["template", "--name", RELEASE_NAME, "--namespace", RELEASE_NAMESPACE]
        if values is not None:
            path = os.path.join(self.scratch, f"values-{len(os.listdir(self.scratch))}.json")
            with open(path, "w") as f:
                json.dump(values, f)  # JSON is YAML
            args += ["-f", path]
        result = self.run_renderer(*args, *flags, CHART_DIR)
        path = os.path.join(self.scratch, f"rendered-{len(os.listdir(self.scratch))}.yaml")
        with open(path, "w") as f:
            f.write(result.stdout)
        return self.yaml_objects(path)

    def by_key(self, objects):
        keyed = {}
        for obj in objects:
            key = object_key(obj)
            self.assertNotIn(key, keyed, f"{key} appears twice")
            keyed[key] = obj
        return keyed

    def manifest_files(self, directory):
        return sorted(os.path.join(directory, name) for name in os.listdir(directory)
                      if name.endswith((".yaml", ".yml")))

    def strip_helm_labels(self, obj):
        for labels in label_maps(obj):
            for label, expected in HELM_ONLY_LABELS.items():
                self.assertEqual(labels.pop(label, None), expected,
                                 f"{object_key(obj)}: Helm label {label}")

    def assert_same_objects(self, chart_objects, manifest_objects, what):
        for obj in manifest_objects:
            for labels in label_maps(obj):
                for label in HELM_ONLY_LABELS:
                    self.assertNotIn(label, labels, f"{what}: {object_key(obj)} carries Helm's label {label}")
        for obj in chart_objects:
            self.strip_helm_labels(obj)
        chart, manifests = self.by_key(chart_objects), self.by_key(manifest_objects)
        self.assertEqual(sorted(chart, key=str), sorted(manifests, key=str), f"{what}: object sets differ")
        for key in manifests:
            self.assertEqual(chart[key], manifests[key], f"{what}: {key} differs")

    def deployment(self, objects):
        [deployment] = [o for o in objects if o["kind"] == "Deployment"]
        return deployment

    def operator_container(self, objects):
        [container] = self.deployment(objects)["spec"]["template"]["spec"]["containers"]
        return container

    def env(self, objects):
        return {e["name"]: e.get("value") for e in self.operator_container(objects)["env"]}

    # --- the chart equals manifests/ -----------------------------------------------------------

    def test_default_render_equals_manifests(self):
        rendered = self.render()
        manifest_objects = self.yaml_objects(*self.manifest_files(os.path.join(MANIFESTS_DIR, "rbac")),
                                             *self.manifest_files(os.path.join(MANIFESTS_DIR, "operator")))
        kept = []
        for obj in manifest_objects:
            if object_key(obj) in MANIFEST_ONLY:
                continue
            kept.append(obj)
        self.assertEqual(len(manifest_objects) - len(kept), len(MANIFEST_ONLY),
                         "every manifests-only object listed exists in manifests/")
        self.assert_same_objects(rendered, kept, "helm template (defaults) vs manifests/rbac + manifests/operator")
        # The kinds a working install needs are all there (so an empty pair cannot pass).
        self.assertEqual(
            sorted({o["kind"] for o in kept}),
            ["ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"])

    def test_single_namespace_variant_equals_chart(self):
        rendered = self.render(values={"watchNamespaces": ["kafka"]})
        watched = [o for o in rendered if o["metadata"].get("namespace") == "kafka"]
        variant = self.yaml_objects(os.path.join(MANIFESTS_DIR, "rbac", "single-namespace", "kafka.yaml"))
        self.assert_same_objects(watched, variant, "watchNamespaces=[kafka] vs manifests/rbac/single-namespace")
        self.assertEqual(self.env(rendered)["WATCH_NAMESPACE"], "kafka")

    def test_crds_identical_to_manifests(self):
        chart_crds = sorted(os.listdir(os.path.join(CHART_DIR, "crds")))
        manifest_crds = sorted(os.listdir(os.path.join(MANIFESTS_DIR, "crds")))
        self.assertEqual(chart_crds, ["kafkaclusters.sluice.dev.yaml"])
        self.assertEqual(chart_crds, manifest_crds)
        for name in chart_crds:
            chart_path = os.path.join(CHART_DIR, "crds", name)
            self.assertFalse(os.path.islink(chart_path), f"{chart_path} must be a copy (the chart is packaged alone)")
            with open(chart_path, "rb") as a, open(os.path.join(MANIFESTS_DIR, "crds", name), "rb") as b:
                self.assertTrue(a.read() == b.read(),
                                f"charts/sluice-operator/crds/{name} differs from manifests/crds/{name}: "
                                f"cp manifests/crds/{name} charts/sluice-operator/crds/")
        [crd] = self.yaml_objects(os.path.join(CHART_DIR, "crds", "kafkaclusters.sluice.dev.yaml"))
        self.assertEqual(crd["kind"], "CustomResourceDefinition")
        self.assertEqual(crd["metadata"]["name"], "kafkaclusters.sluice.dev")
        # --include-crds puts it first, as helm template does.
        out = self.run_renderer("template", "--include-crds", CHART_DIR).stdout
        self.assertTrue(out.startswith("---\n# Source: sluice-operator/crds/kafkaclusters.sluice.dev.yaml\n"), out[:200])

    # --- the chart on its own ------------------------------------------------------------------

    def test_every_template_renders_and_parses(self):
        templates = sorted(os.listdir(os.path.join(CHART_DIR, "templates")))
        self.assertEqual(templates, ["NOTES.txt", "_helpers.tpl", "deployment.yaml", "rbac.yaml",
                                     "service.yaml", "serviceaccount.yaml"])
        notes_path = os.path.join(self.scratch, "NOTES.txt")
        out = self.run_renderer("template", "--name", RELEASE_NAME, "--namespace", RELEASE_NAMESPACE,
                                "--notes", notes_path, CHART_DIR).stdout
        sources = set(re.findall(r"^# Source: sluice-operator/templates/(\S+)$", out, re.M))
        self.assertEqual(sources, {t for t in templates if t.endswith(".yaml")})
        with open(notes_path) as f:
            notes = f.read()
        self.assertIn("kubectl -n sluice-system rollout status deployment/sluice-operator", notes)
        self.assertIn("all namespaces", notes)
        # Every switch in values.yaml, flipped, still renders documents that parse.
        variants = [
            {"watchNamespaces": ["a", "b"]},
            {"rbac": {"create": False}},
            {"serviceAccount": {"create": False, "name": "existing"}},
            {"leaderElection": {"enabled": False}},
            {"nodeSelector": {"disk": "ssd"}, "tolerations": [{"key": "k", "operator": "Exists"}],
             "affinity": {"nodeAffinity": {}}, "resources": {}, "podSecurityContext": {}, "securityContext": {}},
        ]
        for values in variants:
            with self.subTest(values=values):
                objects = self.render(values=values)
                self.assertIn("Deployment", {o["kind"] for o in objects})

    def test_values_and_templates_agree(self):
        [values] = self.yaml_objects(os.path.join(CHART_DIR, "values.yaml"))
        references = set()
        for name in os.listdir(os.path.join(CHART_DIR, "templates")):
            with open(os.path.join(CHART_DIR, "templates", name)) as f:
                text = f.read()
            for match in re.finditer(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", text):
                references.add(tuple(match.group(1).split(".")[1:]))
        self.assertTrue(references)

        def lookup(path):
            node = values
            for part in path:
                if not isinstance(node, dict) or part not in node:
                    return False
                node = node[part]
            return True

        missing = sorted(".".join(r) for r in references if not lookup(r))
        self.assertEqual(missing, [], "templates use values that values.yaml does not define")

        def leaves(node, prefix=()):
            if isinstance(node, dict) and node:
                for key, child in node.items():
                    yield from leaves(child, prefix + (key,))
            else:
                yield prefix

        unused = sorted(".".join(leaf) for leaf in leaves(values)
                        if not any(leaf[:n] in references for n in range(1, len(leaf) + 1)))
        self.assertEqual(unused, [], "values.yaml defines keys no template uses")

    def test_watch_namespaces_become_roles(self):
        default_rules = self.by_key(self.render())[("ClusterRole", None, "sluice-operator")]["rules"]
        for how, flags, values in [("-f", (), {"watchNamespaces": ["a", "b"]}),
                                   ("--set", ("--set", "watchNamespaces={a,b}"), None)]:
            with self.subTest(how=how):
                objects = self.by_key(self.render(*flags, values=values))
                for namespace in ("a", "b"):
                    role = objects[("Role", namespace, "sluice-operator")]
                    self.assertEqual(role["rules"], default_rules)
                    binding = objects[("RoleBinding", namespace, "sluice-operator")]
                    self.assertEqual(binding["roleRef"], {"apiGroup": "rbac.authorization.k8s.io",
                                                          "kind": "Role", "name": "sluice-operator"})
                    self.assertEqual(binding["subjects"], [{"kind": "ServiceAccount", "name": "sluice-operator",
                                                            "namespace": RELEASE_NAMESPACE}])
                cluster_roles = [o for k, o in objects.items() if k[0] == "ClusterRole"]
                self.assertEqual([o["metadata"]["name"] for o in cluster_roles], ["sluice-operator-nodes"])
                for role in cluster_roles:
                    for rule in role["rules"]:
                        self.assertEqual(set(rule["resources"]) & WORKLOAD_RESOURCES, set(),
                                         f"ClusterRole {role['metadata']['name']} grants {rule}")
                self.assertNotIn(("ClusterRoleBinding", None, "sluice-operator"), objects)
                roles = sorted(k for k in objects if k[0] == "Role")
                self.assertEqual(roles, [("Role", "a", "sluice-operator"), ("Role", "b", "sluice-operator"),
                                         ("Role", RELEASE_NAMESPACE, "sluice-operator-leader-election")])
                self.assertEqual(self.env(list(objects.values()))["WATCH_NAMESPACE"], "a,b")

    def test_switches(self):
        objects = self.render(values={"leaderElection": {"enabled": False}})
        self.assertNotIn("--leader-elect", self.operator_container(objects)["args"])
        self.assertFalse([o for o in objects if o["metadata"]["name"].endswith("leader-election")])
        self.assertIn("--leader-elect", self.operator_container(self.render())["args"])

        objects = self.render(values={"rbac": {"create": False}})
        self.assertEqual({o["kind"] for o in objects} & RBAC_KINDS, set())

        objects = self.render(values={"serviceAccount": {"create": False, "name": "existing"}})
        self.assertNotIn("ServiceAccount", {o["kind"] for o in objects})
        self.assertEqual(self.deployment(objects)["spec"]["template"]["spec"]["serviceAccountName"], "existing")
        for binding in (o for o in objects if o["kind"] in ("ClusterRoleBinding", "RoleBinding")):
            self.assertEqual(binding["subjects"][0]["name"], "existing")

        objects = self.render("--set", "image.repository=registry.example/sluice-operator,image.tag=0.2.0",
                              "--set", "logLevel=debug,replicaCount=2")
        container = self.operator_container(objects)
        self.assertEqual(container["image"], "registry.example/sluice-operator:0.2.0")
        self.assertIn("--log-level=debug", container["args"])
        self.assertEqual(self.deployment(objects)["spec"]["replicas"], 2)

        pod = self.deployment(self.render(values={
            "nodeSelector": {"disk": "ssd"}, "tolerations": [{"key": "dedicated", "operator": "Exists"}],
            "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}}))["spec"]["template"]["spec"]
        self.assertEqual(pod["nodeSelector"], {"disk": "ssd"})
        self.assertEqual(pod["tolerations"], [{"key": "dedicated", "operator": "Exists"}])
        self.assertIn("podAntiAffinity", pod["affinity"])

        # Two active operators would fight: the chart refuses, naming the fix.
        refused = self.run_renderer("template", "--set", "replicaCount=2,leaderElection.enabled=false",
                                    CHART_DIR, check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("needs leaderElection.enabled=true", refused.stderr)

    def test_kube_version_constraint(self):
        refused = self.run_renderer("template", "--kube-version", "v1.19.16", CHART_DIR, check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("kubeVersion >=1.20.0-0", refused.stderr)
        self.run_renderer("template", "--kube-version", "v1.20.2", CHART_DIR)

    def test_renderer_refuses_what_it_does_not_implement(self):
        # A hook would be installed at a different time by Helm: refusing it keeps the renderer honest.
        chart = os.path.join(self.scratch, "hooked")
        os.makedirs(os.path.join(chart, "templates"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: hooked\nversion: 0.0.1\n")
        with open(os.path.join(chart, "templates", "job.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
                    "  annotations:\n    helm.sh/hook: pre-install\n")
        refused = self.run_renderer("template", chart, check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("hooks are not supported", refused.stderr)
        os.makedirs(os.path.join(chart, "charts"))
        refused = self.run_renderer("template", chart, check=False)
        self.assertIn("subcharts are not supported", refused.stderr)


class RenderedChartOnApiServerTest(KubeTestCase):
    """The rendered chart against a real kube-apiserver (KubeNode(full=False): RBAC, admission)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        built = subprocess.run([BUILD_SCRIPT], capture_output=True, text=True, timeout=300)
        if built.returncode != 0:
            raise AssertionError(f"building the chart renderer failed:\n{built.stderr}")
        cls.renderer = built.stdout.strip().splitlines()[-1]
        cls.scratch = tempfile.mkdtemp(prefix="sluice-e2e-chart-kube-")
        cls.addClassCleanup(subprocess.run, ["rm", "-rf", cls.scratch])

    def render_to_file(self, name, *flags):
        result = subprocess.run([self.renderer, "template", "--name", RELEASE_NAME, "--namespace",
                                 RELEASE_NAMESPACE, *flags, CHART_DIR], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        path = os.path.join(self.scratch, name)
        with open(path, "w") as f:
            f.write(result.stdout)
        return path

    def ensure_namespaces(self, *names):
        for name in names:
            if self.kube.get_json("namespace", name) is None:
                self.kube.kubectl("create", "namespace", name)

    def test_server_dry_run_accepts_every_render(self):
        self.ensure_namespaces(RELEASE_NAMESPACE, "a", "b")
        renders = {
            "defaults (with crds/)": self.render_to_file("default.yaml", "--include-crds"),
            "watchNamespaces=[a,b]": self.render_to_file("ab.yaml", "--set", "watchNamespaces={a,b}"),
            "leaderElection off, existing ServiceAccount": self.render_to_file(
                "switches.yaml", "--set", "leaderElection.enabled=false,serviceAccount.create=false",
                "--set", "serviceAccount.name=existing"),
        }
        for what, path in renders.items():
            with self.subTest(render=what):
                with open(path) as f:
                    documents = f.read().count("\n# Source: ")
                out = self.kube.kubectl("apply", "--dry-run=server", "-f", path)
                accepted = [line for line in out.splitlines() if line.endswith("(server dry run)")]
                self.assertEqual(len(accepted), documents, out)

    def test_namespaced_install_grants_only_the_watched_namespaces(self):
        self.ensure_namespaces(RELEASE_NAMESPACE, "a", "b", "c")
        self.kube.kubectl("apply", "-f", self.render_to_file("installed-ab.yaml", "--set", "watchNamespaces={a,b}"))

        def can(verb, group, resource, namespace=None, subresource="", name=""):
            # A SubjectAccessReview names the API group itself, so it is exact even before the CRD
            # exists (kubectl auth can-i cannot resolve kafkaclusters.sluice.dev without it).
            review = {
                "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": {
                    "user": f"system:serviceaccount:{RELEASE_NAMESPACE}:sluice-operator",
                    "groups": ["system:serviceaccounts", f"system:serviceaccounts:{RELEASE_NAMESPACE}",
                               "system:authenticated"],
                    "resourceAttributes": {"verb": verb, "group": group, "resource": resource,
                                           "subresource": subresource, "name": name,
                                           "namespace": namespace or ""}}}
            out = self.kube.kubectl("create", "-f", "-", "-o", "json", input=json.dumps(review))
            return json.loads(out)["status"].get("allowed", False)

        for namespace in ("a", "b"):
            for verb, group, resource, subresource in [
                    ("create", "", "pods", ""), ("delete", "", "persistentvolumeclaims", ""),
                    ("patch", "apps", "statefulsets", ""), ("create", "policy", "poddisruptionbudgets", ""),
                    ("watch", "sluice.dev", "kafkaclusters", ""), ("update", "sluice.dev", "kafkaclusters", "status"),
                    ("update", "sluice.dev", "kafkaclusters", "finalizers"), ("create", "events.k8s.io", "events", "")]:
                self.assertTrue(can(verb, group, resource, namespace, subresource),
                                f"{verb} {resource}/{subresource} in {namespace}")
            self.assertFalse(can("delete", "sluice.dev", "kafkaclusters", namespace))
            self.assertFalse(can("get", "", "secrets", namespace))
        self.assertFalse(can("create", "", "pods", "c"))
        self.assertFalse(can("list", "sluice.dev", "kafkaclusters"))  # across all namespaces
        self.assertTrue(can("list", "", "nodes"))
        self.assertFalse(can("delete", "", "nodes"))
        self.assertFalse(can("create", "rbac.authorization.k8s.io", "clusterroles"))
        self.assertTrue(can("create", "coordination.k8s.io", "leases", RELEASE_NAMESPACE))
        self.assertTrue(can("update", "coordination.k8s.io", "leases", RELEASE_NAMESPACE, name="sluice-operator"))
        self.assertFalse(can("update", "coordination.k8s.io", "leases", RELEASE_NAMESPACE, name="someone-else"))
        self.assertFalse(can("create", "coordination.k8s.io", "leases", "a"))

if __name__ == "__main__":
    unittest.main()
