"""The sluice-operator PROCESS against a real kube-apiserver 1.20.2 (API-only KubeNode: etcd,
kube-apiserver, kube-controller-manager; no node runs pods, so clusters stay not-Ready).

The binary runs on the host with the admin kubeconfig, as it would out of cluster:
- it reconciles manifests/samples/minimal.yaml in a watched namespace into the ZooKeeper objects
  and a status with conditions, and ignores a cluster in a namespace it does not watch;
- /metrics, /healthz and /readyz answer with the documented series and states;
- two operators with --leader-elect: one holds the Lease `sluice-operator` (its holder is the
  leader's POD_NAME), the other is a ready standby that does not act; SIGTERM of the leader exits
  0 promptly and releases the Lease, and the standby takes over and reconciles;
- an unreachable API server is retried with backoff (alive, not ready), never a crash;
- bad flags exit 2 naming the flag.

Environment: SLUICE_BUILD_DIR (the binary is $SLUICE_BUILD_DIR/bin/sluice-operator, or
SLUICE_OPERATOR_BIN), SLUICE_E2E_TMP.
"""

import json
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from harness.k8s import KubeTestCase
from harness.paths import REPO_DIR, build_dir, scratch_root
from harness.ports import free_port
from harness.processes import ManagedProcess
from harness.waiting import GiveUp, wait_until

WATCHED_NS = "kafka"
UNWATCHED_NS = "elsewhere"
LEASE_NS = "sluice-system"
LEASE = "sluice-operator"
CLUSTER = "minimal"
SAMPLE = os.path.join(REPO_DIR, "manifests", "samples", "minimal.yaml")
CRDS = os.path.join(REPO_DIR, "manifests", "crds")


def operator_binary():
    path = os.environ.get("SLUICE_OPERATOR_BIN") or os.path.join(build_dir(), "bin", "sluice-operator")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError(f"sluice-operator not found at {path}: build it (ninja sluice-operator) "
                             "or set SLUICE_OPERATOR_BIN")
    return path


def http_get(port, path):
    """(status, body) of GET http://127.0.0.1:port/path; raises OSError when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def metric(text, name, labels=""):
    """The value of the series `name{labels}` in Prometheus text, or None."""
    pattern = "^" + re.escape(name + (("{" + labels + "}") if labels else "")) + r" (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else None


class Operator:
    """One sluice-operator process with its own metrics port and output file."""

    def __init__(self, test, name, args, env=None):
        self.name = name
        self.port = free_port()
        self.output = os.path.join(test.scratch, f"{name}.out")
        full_env = {k: v for k, v in os.environ.items() if k not in ("WATCH_NAMESPACE", "KUBECONFIG")}
        full_env.update(POD_NAME=name, POD_NAMESPACE=LEASE_NS)
        full_env.update(env or {})
        self.argv = [operator_binary(), f"--metrics-port={self.port}", *args]
        self.process = ManagedProcess(self.argv, self.output, env=full_env)
        test.addCleanup(self.process.stop)
        test.operators.append(self)

    def get(self, path):
        if not self.process.alive():
            raise GiveUp(f"operator {self.name} exited {self.process.returncode()}:\n{self.log()[-3000:]}")
        return http_get(self.port, path)

    def metrics(self):
        status, body = self.get("/metrics")
        if status != 200:
            raise AssertionError(f"/metrics answered {status}")
        return body

    def wait_http(self, path, status, timeout=60, contains=""):
        def probe():
            code, body = self.get(path)
            return code == status and contains in body and body
        return wait_until(probe, timeout, f"{self.name} {path} to answer {status} {contains!r}", 0.2)

    def terminate(self, timeout=10):
        """SIGTERM; returns (exit code, seconds it took)."""
        started = time.monotonic()
        self.process.signal_group(signal.SIGTERM)
        code = self.process.wait(timeout)
        return code, time.monotonic() - started

    def log(self):
        with open(self.output, errors="replace") as f:
            return f.read()


class OperatorProcessTest(KubeTestCase):
    @classmethod
    def setUpClass(cls):
        operator_binary()
        super().setUpClass()
        cls.kube.apply(CRDS)
        cls.kube.kubectl("wait", "--for=condition=Established", "--timeout=60s",
                         "crd/kafkaclusters.sluice.dev")
        for ns in (WATCHED_NS, UNWATCHED_NS, LEASE_NS):
            cls.kube.kubectl("create", "namespace", ns)

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="operator-process-", dir=scratch_root())
        self.operators = []

    def tearDown(self):
        # Python 3.11+ records a failing part of the test in the result at once.
        result = self._outcome.result
        failed = any(test is self for test, _ in result.errors + result.failures)
        if failed:
            for op in self.operators:
                print(f"\n--- {op.name} ({' '.join(op.argv)}), exit {op.process.returncode()}:\n"
                      f"{op.log()[-6000:]}")

    def kubeconfig_args(self):
        return [f"--kubeconfig={self.kube.kubeconfig}"]

    def lease_holder(self):
        return self.kube.jsonpath(f"lease {LEASE}", "{.spec.holderIdentity}", namespace=LEASE_NS)

    def wait_reconciled(self, ns, timeout=60):
        """The ZooKeeper objects of `minimal` exist and its status has conditions."""
        for kind, name in (("configmap", f"{CLUSTER}-zookeeper-config"),
                           ("service", f"{CLUSTER}-zookeeper-headless"),
                           ("service", f"{CLUSTER}-zookeeper"),
                           ("statefulset", f"{CLUSTER}-zookeeper")):
            self.kube.wait_for(f"{kind} {name}", "{.metadata.name}", name, timeout, namespace=ns)
        return self.kube.wait_for(f"kafkacluster {CLUSTER}", "{.status.conditions[*].type}",
                                  lambda types: "Ready" in types.split(), timeout, namespace=ns)

    # --- tests (named in the order they run; test_3 builds on test_2's cluster) ----------------

    def test_1_bad_flags_exit_2_naming_the_flag(self):
        for args, expected in ((["--workers=0"], "--workers=0"),
                               (["--log-level", "loud"], "--log-level=loud"),
                               (["--no-such-flag"], "--no-such-flag"),
                               (["--namespace=a,,b"], "--namespace=a,,b"),
                               (["--metrics-port"], "--metrics-port needs a value")):
            done = subprocess.run([operator_binary(), *args], capture_output=True, text=True, timeout=20)
            self.assertEqual(done.returncode, 2, f"{args}: {done.stderr}")
            self.assertIn(expected, done.stderr, args)
        done = subprocess.run([operator_binary(), "--help"], capture_output=True, text=True, timeout=20)
        self.assertEqual(done.returncode, 0)
        self.assertIn("--leader-elect", done.stdout)

    def test_2_reconciles_the_watched_namespace_and_serves_metrics_and_probes(self):
        # A cluster where the operator does not look: it must stay untouched.
        self.kube.apply(SAMPLE, namespace=UNWATCHED_NS)
        op = Operator(self, "op-single", [*self.kubeconfig_args(), f"--namespace={WATCHED_NS}",
                                          "--resync-seconds=5", "--log-level=debug"])
        op.wait_http("/readyz", 200, contains="leader")
        self.assertEqual(op.get("/healthz"), (200, "ok\n"))

        self.kube.apply(SAMPLE, namespace=WATCHED_NS)
        self.wait_reconciled(WATCHED_NS)
        cluster = self.kube.get_json("kafkacluster", CLUSTER, namespace=WATCHED_NS)
        status = cluster["status"]
        self.assertEqual(status.get("observedGeneration"), cluster["metadata"]["generation"], status)
        ready = [c for c in status["conditions"] if c["type"] == "Ready"][0]
        self.assertEqual(ready["status"], "False", ready)  # no node runs pods: never Ready here
        for condition in status["conditions"]:
            self.assertTrue(condition.get("reason") and condition.get("lastTransitionTime"), condition)
        statefulset = self.kube.get_json("statefulset", f"{CLUSTER}-zookeeper", namespace=WATCHED_NS)
        owner = statefulset["metadata"]["ownerReferences"][0]
        self.assertEqual((owner["kind"], owner["name"], owner["uid"], owner.get("controller")),
                         ("KafkaCluster", CLUSTER, cluster["metadata"]["uid"], True))
        self.assertEqual(statefulset["metadata"]["labels"]["app.kubernetes.io/managed-by"],
                         "sluice-operator")

        # Metrics: passes counted by result, durations, the queue, leadership, clusters known.
        def metrics_settled():
            text = op.metrics()
            passes = sum(metric(text, "sluice_operator_reconcile_total", f'result="{r}"') or 0
                         for r in ("ok", "error", "requeue"))
            count = metric(text, "sluice_operator_reconcile_duration_seconds_count")
            return passes >= 1 and count == passes and text
        text = wait_until(metrics_settled, 30, "reconcile passes in /metrics")
        for result in ("ok", "error", "requeue"):
            self.assertIsNotNone(metric(text, "sluice_operator_reconcile_total", f'result="{result}"'),
                                 result)
        self.assertIn("# TYPE sluice_operator_reconcile_duration_seconds histogram", text)
        self.assertEqual(metric(text, "sluice_operator_leader"), 1.0)
        self.assertEqual(metric(text, "sluice_operator_clusters"), 1.0)  # only the watched one
        self.assertIsNotNone(metric(text, "sluice_operator_workqueue_depth"))

        # The resync (5 s) passes over the cluster again without any change.
        before = metric(op.metrics(), "sluice_operator_reconcile_duration_seconds_count")
        wait_until(lambda: metric(op.metrics(), "sluice_operator_reconcile_duration_seconds_count") > before,
                   20, "another reconcile pass (resync or requeue)")
        self.assertEqual(self.kube.get_json("statefulset", f"{CLUSTER}-zookeeper", namespace=UNWATCHED_NS),
                         None, "the operator acted in a namespace it does not watch")
        self.assertEqual(self.kube.jsonpath(f"kafkacluster {CLUSTER}", "{.status}", namespace=UNWATCHED_NS), "")
        self.assertEqual(op.get("/nothing-here")[0], 404)

        # Logs are structured lines on stdout; no log files are needed (read-only root fs).
        lines = [line for line in op.log().splitlines() if line.startswith("time=")]
        self.assertTrue(lines, op.log()[-2000:])
        self.assertTrue(all(re.match(r"time=\S+ level=(debug|info|warning|error) logger=\S+ \S+=", line)
                            for line in lines), [l for l in lines if not re.match(r"time=\S+ level=", l)][:5])

        code, seconds = op.terminate()
        self.assertEqual(code, 0, op.log()[-3000:])
        self.assertLess(seconds, 8)
        self.assertIn("stopped exit_code=0", op.log())

    def test_3_leader_election_one_leader_standby_takes_over_on_sigterm(self):
        self.kube.apply(SAMPLE, namespace=WATCHED_NS)  # present already when run after test_2
        args = [*self.kubeconfig_args(), f"--namespace={WATCHED_NS}", "--leader-elect"]
        first = Operator(self, "op-first", args)
        wait_until(lambda: self.lease_holder() == "op-first", 30, "op-first to hold the Lease")
        first.wait_http("/readyz", 200, contains="leader")
        second = Operator(self, "op-second", args)
        # The standby is alive and ready (serving its role) but does not lead or act.
        body = second.wait_http("/readyz", 200, contains="standby")
        self.assertIn("op-first", body)
        self.assertEqual(second.get("/healthz")[0], 200)
        time.sleep(3)  # a few of the standby's retry periods
        self.assertEqual(self.lease_holder(), "op-first")
        self.assertEqual(metric(second.metrics(), "sluice_operator_leader"), 0.0)
        self.assertEqual(metric(second.metrics(), "sluice_operator_clusters"), 0.0)
        self.assertEqual(metric(first.metrics(), "sluice_operator_leader"), 1.0)
        wait_until(lambda: metric(first.metrics(), "sluice_operator_clusters") == 1.0, 30,
                   "the leader's informers to know the cluster")
        self.wait_reconciled(WATCHED_NS)

        # SIGTERM the leader: it exits 0 promptly and releases the Lease; the standby takes over.
        released_at = time.monotonic()
        code, seconds = first.terminate()
        self.assertEqual(code, 0, first.log()[-3000:])
        self.assertLess(seconds, 8)
        wait_until(lambda: self.lease_holder() == "op-second", 15, "op-second to take the Lease")
        # Released, not expired: far sooner than the 15 s lease duration.
        self.assertLess(time.monotonic() - released_at, 12)
        second.wait_http("/readyz", 200, contains="leader")
        self.assertEqual(metric(second.metrics(), "sluice_operator_leader"), 1.0)

        # The new leader reconciles: an owned object deleted behind its back comes back.
        self.kube.kubectl("delete", "configmap", f"{CLUSTER}-zookeeper-config", namespace=WATCHED_NS)
        self.kube.wait_for(f"configmap {CLUSTER}-zookeeper-config", "{.metadata.name}",
                           f"{CLUSTER}-zookeeper-config", 60, namespace=WATCHED_NS)

        code, seconds = second.terminate()
        self.assertEqual(code, 0, second.log()[-3000:])
        self.assertLess(seconds, 8)
        self.assertEqual(self.lease_holder(), "", "the Lease was not released on SIGTERM")

    def test_5_a_leader_that_loses_the_lease_exits_1(self):
        op = Operator(self, "op-loser", [*self.kubeconfig_args(), f"--namespace={WATCHED_NS}",
                                         "--leader-elect"])
        wait_until(lambda: self.lease_holder() == "op-loser", 30, "op-loser to hold the Lease")
        op.wait_http("/readyz", 200, contains="leader")
        # Another holder appears in the Lease (as after a partition): renewals fail, and past the
        # renew deadline (10 s) the process must exit 1 rather than keep acting as leader.
        self.kube.kubectl("patch", "lease", LEASE, "--type=merge", "-p",
                          json.dumps({"spec": {"holderIdentity": "intruder"}}), namespace=LEASE_NS)
        started = time.monotonic()
        code = op.process.wait(30)
        self.assertEqual(code, 1, op.log()[-3000:])
        self.assertGreater(time.monotonic() - started, 5)  # not before the renew deadline
        self.assertIn("leadership_lost identity=op-loser", op.log())
        self.assertEqual(self.lease_holder(), "intruder")  # nothing released what it did not hold

    def test_4_unreachable_api_server_is_retried_not_fatal(self):
        # The admin kubeconfig, pointed at a port where nothing listens.
        with open(self.kube.kubeconfig) as f:
            text = f.read()
        dead = f"https://127.0.0.1:{free_port()}"
        self.assertIn(self.kube.server, text)
        kubeconfig = os.path.join(self.scratch, "dead.kubeconfig")
        with open(kubeconfig, "w") as f:
            f.write(text.replace(self.kube.server, dead))
        op = Operator(self, "op-unreachable", [f"--kubeconfig={kubeconfig}"])
        body = op.wait_http("/readyz", 503, contains="waiting for the API server")
        self.assertIn(dead, body)
        self.assertEqual(op.get("/healthz")[0], 200)
        wait_until(lambda: len(re.findall(r"retry_in_ms=", op.log())) >= 3, 20, "three logged retries")
        delays = [int(d) for d in re.findall(r"retry_in_ms=(\d+)", op.log())]
        self.assertGreater(delays[2], delays[0], f"no backoff: {delays}")
        self.assertTrue(op.process.alive())
        code, seconds = op.terminate()
        self.assertEqual(code, 0, op.log()[-3000:])
        self.assertLess(seconds, 5)


if __name__ == "__main__":
    unittest.main()
