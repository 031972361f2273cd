"""sluice-operator on a real Kubernetes 1.20.2 node (e2e/k8s/node.sh): the images are built with the
project's Dockerfile, the operator is installed with `kubectl apply -f manifests/...` and runs as a
Deployment under its own ServiceAccount and RBAC, and real kubectl drives every step.

One cluster, `demo`, lives through the whole class, so the steps run in order (test_01 .. test_10):
create (3 brokers, 3-node ZooKeeper) → produce/consume through the bootstrap addresses → scale to 5
(partitions spread onto the new brokers) → scale to 3 with the operator restarted in the middle of
the drain → a broker pod killed comes back with the same id → a broker whose data volume vanishes
is replaced by a new id, its partitions reassigned and the replication factor restored → a config
change rolls the brokers one at a time → invalid specs, and an edit running brokers cannot follow
(a shrunk data volume), are reported, never crash the operator →
a scale-down that would break a topic's replication factor is refused in status → the operator's
endpoints and Events.
Every step that touches brokers runs the no-loss producer (librdkafka, idempotent, acks=all) from
the host through the external NodePort listener and verifies afterwards that every acknowledged
record is still there, exactly once, at its offset.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

from harness import docker as docker_harness
from harness.cluster import run_tool
from harness.k8s import NODE_IP, KubeTestCase
from harness.kcat import Kcat
from harness.noloss import NoLossProducer, read_partition, verify
from harness.paths import REPO_DIR
from harness.waiting import wait_until

NS = "kafka"
NAME = "demo"
OPERATOR_NS = "sluice-system"
NODE_PORT_BASE = 30092
TOPIC = "orders"           # RF 3, min.insync 2: the topic every no-loss check writes to
SPREAD_TOPIC = "spread"    # 10 partitions RF 2: shows where partitions land as brokers come and go

CLUSTER_YAML = f"""
apiVersion: sluice.dev/v1alpha1
kind: KafkaCluster
metadata:
  name: {NAME}
  namespace: {NS}
spec:
  replicas: 3
  image: {docker_harness.BROKER_IMAGE}
  imagePullPolicy: IfNotPresent
  config:
    default.replication.factor: 3
    min.insync.replicas: 2
    offsets.topic.replication.factor: 3
    zookeeper.session.timeout.ms: 10000
  listeners:
    internal: {{basePort: 9092}}
    external: {{nodePortBase: {NODE_PORT_BASE}, advertisedHost: "{NODE_IP}"}}
  storage:
    data: {{size: 1Gi}}
    logs: {{size: 200Mi}}
  resources:
    requests: {{cpu: 50m, memory: 128Mi}}
  zookeeper:
    managed:
      replicas: 3
      image: {docker_harness.ZOOKEEPER_IMAGE}
      storage: {{size: 200Mi}}
      resources:
        requests: {{cpu: 50m, memory: 128Mi}}
  healing:
    replaceAfterSeconds: 120
    replaceOnVolumeLoss: true
"""


class OperatorTest(KubeTestCase):
    full_node = True

    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="sluice-operator-e2e-")
        # Images first: the node's kubelet runs pods from the same Docker engine.
        docker_harness.DockerEngine().ensure()
        for what, build in (("broker", docker_harness.build_broker_image),
                            ("operator", docker_harness.build_operator_image),
                            ("zookeeper", docker_harness.build_zookeeper_image)):
            took = build(log_path=os.path.join(cls.workdir, f"build-{what}.log"))
            print(f"[operator-e2e] {what} image ready in {took:.0f}s", file=sys.stderr)
        super().setUpClass()
        kube = cls.kube
        # The install a user does: CRD, RBAC, operator Deployment (plain client-side apply).
        kube.apply(os.path.join(REPO_DIR, "manifests", "crds"))
        kube.kubectl("wait", "--for=condition=Established", "crd/kafkaclusters.sluice.dev", "--timeout=60s")
        kube.apply(os.path.join(REPO_DIR, "manifests", "rbac"))
        kube.apply(os.path.join(REPO_DIR, "manifests", "operator"))
        kube.kubectl("rollout", "status", "deployment/sluice-operator", "--timeout=180s", namespace=OPERATOR_NS)
        kube.kubectl("create", "namespace", NS)
        cls.producers = []

    # --- helpers -----------------------------------------------------------------------------

    def cluster(self):
        return self.kube.get_json("kafkacluster", NAME, namespace=NS)

    def status(self):
        found = self.cluster()
        return (found or {}).get("status", {})

    def condition(self, kind):
        for c in self.status().get("conditions", []):
            if c.get("type") == kind:
                return c
        return {}

    def wait_status(self, predicate, what, timeout=300):
        last = {}

        def probe():
            nonlocal last
            last = self.status()
            return predicate(last)
        try:
            return wait_until(probe, timeout, what, interval=1.0)
        except AssertionError as e:
            raise AssertionError(f"{e}\nlast status: {json.dumps(last, indent=1)[:4000]}") from None

    def wait_ready(self, brokers, timeout=600):
        def ready(st):
            ready_condition = next((c for c in st.get("conditions", []) if c.get("type") == "Ready"), {})
            return (ready_condition.get("status") == "True"
                    and st.get("observedGeneration") == self.cluster()["metadata"]["generation"]
                    and st.get("brokersReady") == f"{brokers}/{brokers}")
        return self.wait_status(ready, f"KafkaCluster {NAME} Ready with {brokers}/{brokers} brokers", timeout)

    def broker_ids(self):
        return sorted(b["id"] for b in self.status().get("brokers", []))

    def external_bootstrap(self, ids=None):
        ids = ids if ids is not None else self.broker_ids()
        return ",".join(f"{NODE_IP}:{NODE_PORT_BASE + i}" for i in ids)

    def broker_pods(self):
        pods = self.kube.get_json("pods", "-l", f"app.kubernetes.io/instance={NAME},app.kubernetes.io/component=broker",
                                  namespace=NS)
        return {p["metadata"]["name"]: p for p in pods["items"]}

    def topic_metadata(self, topic):
        md = Kcat(self.external_bootstrap()).metadata(topic)
        entry = next(t for t in md["topics"] if t["topic"] == topic)
        return {p["partition"]: p for p in entry["partitions"]}

    def replicas_per_broker(self, topic):
        counts = {}
        for p in self.topic_metadata(topic).values():
            for r in p["replicas"]:
                counts[r["id"]] = counts.get(r["id"], 0) + 1
        return counts

    def start_producer(self, run, rate=100):
        producer = NoLossProducer(os.path.join(self.workdir, "noloss"), self.external_bootstrap(), TOPIC,
                                  partition=0, run=run, rate=rate, message_timeout_ms=120000).start()
        self.producers.append(producer)
        producer.wait_acks(50, timeout=120)
        return producer

    def finish_and_verify(self, producer, extra_acks=50):
        """Lets the producer get more acknowledgements after the disruption, stops it, and checks
        every acknowledged record of every run so far against what a consumer reads."""
        producer.wait_acks(producer.acked() + extra_acks, timeout=180)
        summary = producer.stop()
        served = read_partition(self.external_bootstrap(), TOPIC, 0, timeout=120)
        verdict = verify([p.log() for p in self.producers], served)
        print(f"[operator-e2e] {producer.run}: {verdict.line()} | {summary.strip().splitlines()[-1:]}",
              file=sys.stderr)
        self.assertTrue(verdict.ok, verdict.details())
        return verdict

    def operator_pod(self):
        pods = self.kube.get_json("pods", "-l", "app.kubernetes.io/name=sluice-operator", namespace=OPERATOR_NS)
        running = [p for p in pods["items"] if not p["metadata"].get("deletionTimestamp")]
        self.assertEqual(len(running), 1, [p["metadata"]["name"] for p in pods["items"]])
        return running[0]

    def operator_restarts(self):
        pod = self.operator_pod()
        return sum(s.get("restartCount", 0) for s in pod["status"].get("containerStatuses", []))

    def every_partition_has_rf(self, topic, rf, allowed):
        for pid, p in self.topic_metadata(topic).items():
            replicas = [r["id"] for r in p["replicas"]]
            if len(replicas) != rf or not set(replicas) <= set(allowed) or len(p["isrs"]) != rf:
                return False
        return True

    # --- the scenarios, in order -------------------------------------------------------------

    def test_01_create_three_brokers_and_zookeeper_ensemble(self):
        started = time.monotonic()
        self.kube.apply(CLUSTER_YAML)
        self.wait_ready(3, timeout=600)
        print(f"[operator-e2e] Ready with 3 brokers in {time.monotonic() - started:.0f}s", file=sys.stderr)
        st = self.status()
        self.assertEqual(self.broker_ids(), [0, 1, 2])
        self.assertEqual(st.get("zookeeperReady"), "3/3")
        self.assertEqual(st["bootstrap"], f"{NAME}-bootstrap.{NS}.svc.cluster.local:9092")
        sts = self.kube.get_json("statefulset", f"{NAME}-zookeeper", namespace=NS)
        self.assertEqual(sts["status"].get("readyReplicas"), 3)
        # Unique ids and ports: pod i runs broker.id=i on 9092+i.
        pods = self.broker_pods()
        self.assertEqual(sorted(pods), [f"{NAME}-broker-{i}" for i in range(3)])
        for i in range(3):
            pod = pods[f"{NAME}-broker-{i}"]
            ports = {p["name"]: p["containerPort"] for p in pod["spec"]["containers"][0]["ports"]}
            self.assertEqual(ports["kafka"], 9092 + i)
            props = self.kube.jsonpath(f"configmap/{NAME}-broker-{i}", "{.data.server\\.properties}", namespace=NS)
            self.assertIn(f"broker.id={i}\n", props)
        # kubectl's printer columns come from the CRD.
        table = self.kube.kubectl("get", "kc", NAME, namespace=NS)
        self.assertIn("3/3", table)

    def test_02_produce_and_consume_through_the_bootstrap_addresses(self):
        result = run_tool("kafka-topics.sh", "--create", "--bootstrap-server", self.external_bootstrap(),
                          "--topic", TOPIC, "--partitions", "1", "--replication-factor", "3",
                          "--config", "min.insync.replicas=2", timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        result = run_tool("kafka-topics.sh", "--create", "--bootstrap-server", self.external_bootstrap(),
                          "--topic", SPREAD_TOPIC, "--partitions", "10", "--replication-factor", "2", timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        Kcat(self.external_bootstrap()).wait_topic(TOPIC, 1, timeout=60)
        producer = self.start_producer("create")
        self.finish_and_verify(producer)
        # In the cluster: a pod consumes through the in-cluster bootstrap Service with the image's
        # own kafka-console-consumer.sh.
        bootstrap = self.status()["bootstrap"]
        out = self.kube.kubectl(
            "run", "bootstrap-consumer", "--rm", "-i", "--restart=Never", "--quiet",
            f"--image={docker_harness.BROKER_IMAGE}", "--image-pull-policy=IfNotPresent", "--command", "--",
            "kafka-console-consumer.sh", "--bootstrap-server", bootstrap, "--topic", TOPIC,
            "--from-beginning", "--max-messages", "20", namespace=NS, timeout=180)
        lines = [line for line in out.splitlines() if line.startswith("create-")]
        self.assertEqual(len(lines), 20, out[-2000:])

    def test_03_scale_up_to_five_spreads_partitions(self):
        producer = self.start_producer("scale-up")
        self.kube.kubectl("scale", "kafkacluster", NAME, "--replicas=5", namespace=NS)
        self.wait_ready(5, timeout=600)
        self.wait_status(lambda st: sorted(st.get("balancedBrokers", [])) == [0, 1, 2, 3, 4],
                         "the rebalance onto brokers 3 and 4 to complete", timeout=300)
        counts = self.replicas_per_broker(SPREAD_TOPIC)
        print(f"[operator-e2e] {SPREAD_TOPIC} replicas per broker after scale-up: {counts}", file=sys.stderr)
        self.assertEqual(sorted(counts), [0, 1, 2, 3, 4])
        self.assertTrue(all(3 <= counts[b] <= 5 for b in counts), counts)  # 20 replicas over 5 brokers
        self.finish_and_verify(producer)

    def test_04_scale_down_drains_first_and_resumes_after_operator_restart(self):
        producer = self.start_producer("scale-down")
        self.kube.kubectl("scale", "kafkacluster", NAME, "--replicas=3", namespace=NS)
        # The drain is recorded in status before any partition moves; restart the operator the
        # moment it shows, so the new operator must finish the drain from status.
        self.wait_status(lambda st: any(b.get("phase") == "Draining" for b in st.get("brokers", [])),
                         "a broker to enter phase Draining", timeout=180)
        old = self.operator_pod()["metadata"]["name"]
        self.kube.kubectl("delete", "pod", old, "--grace-period=0", "--force", namespace=OPERATOR_NS, check=False)
        self.kube.kubectl("rollout", "status", "deployment/sluice-operator", "--timeout=180s", namespace=OPERATOR_NS)
        self.assertNotEqual(self.operator_pod()["metadata"]["name"], old)
        self.wait_ready(3, timeout=600)
        self.assertEqual(self.broker_ids(), [0, 1, 2])
        wait_until(lambda: sorted(self.broker_pods()) == [f"{NAME}-broker-{i}" for i in range(3)], 180,
                   "pods of brokers 3 and 4 to be deleted")
        pvcs = self.kube.get_json("pvc", "-l", f"app.kubernetes.io/instance={NAME},app.kubernetes.io/component=broker",
                                  namespace=NS)
        self.assertEqual(sorted(p["metadata"]["name"] for p in pvcs["items"]),
                         sorted(f"{NAME}-broker-{i}-{v}" for i in range(3) for v in ("data", "logs")))
        self.assertEqual(sorted(self.replicas_per_broker(SPREAD_TOPIC)), [0, 1, 2])
        self.assertTrue(self.every_partition_has_rf(SPREAD_TOPIC, 2, [0, 1, 2]))
        self.finish_and_verify(producer)

    def test_05_killed_broker_pod_comes_back_with_the_same_id(self):
        producer = self.start_producer("pod-kill")
        victim = f"{NAME}-broker-1"
        uid = self.broker_pods()[victim]["metadata"]["uid"]
        self.kube.kubectl("delete", "pod", victim, "--grace-period=0", "--force", namespace=NS, check=False)

        def back():
            pod = self.broker_pods().get(victim)
            if not pod or pod["metadata"]["uid"] == uid:
                return False
            return any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
        wait_until(back, 300, f"{victim} recreated and ready")
        env = {e["name"]: e.get("value") for e in self.broker_pods()[victim]["spec"]["containers"][0].get("env", [])}
        self.assertEqual(env.get("SLUICE_BROKER_ID"), "1")
        self.wait_ready(3, timeout=300)
        self.assertEqual(self.broker_ids(), [0, 1, 2])
        wait_until(lambda: self.every_partition_has_rf(TOPIC, 3, [0, 1, 2]), 180, f"{TOPIC} back to ISR 3")
        self.finish_and_verify(producer)

    def test_06_lost_data_volume_is_replaced_by_a_new_broker(self):
        producer = self.start_producer("volume-loss")
        victim_id = 2
        pvc = f"{NAME}-broker-{victim_id}-data"
        pv = self.kube.jsonpath(f"pvc/{pvc}", "{.spec.volumeName}", namespace=NS)
        # The volume disappears: claim, volume and the pod using it go away.
        self.kube.kubectl("delete", "pvc", pvc, "--wait=false", namespace=NS)
        self.kube.kubectl("delete", "pod", f"{NAME}-broker-{victim_id}", "--grace-period=0", "--force",
                          namespace=NS, check=False)
        if pv:
            self.kube.kubectl("delete", "pv", pv, "--wait=false", check=False)
        self.wait_status(lambda st: victim_id not in [b["id"] for b in st.get("brokers", [])]
                         and len(st.get("brokers", [])) == 3,
                         f"broker {victim_id} replaced by a new id", timeout=600)
        self.wait_ready(3, timeout=600)
        ids = self.broker_ids()
        self.assertNotIn(victim_id, ids)
        new_id = max(ids)
        self.assertGreaterEqual(new_id, 5, ids)  # ids are never reused
        wait_until(lambda: self.every_partition_has_rf(TOPIC, 3, ids), 300,
                   f"{TOPIC} replicated on {ids} with a full ISR")
        wait_until(lambda: self.every_partition_has_rf(SPREAD_TOPIC, 2, ids), 300,
                   f"{SPREAD_TOPIC} replicated on {ids} with a full ISR")
        self.assertNotIn(f"{NAME}-broker-{victim_id}", self.broker_pods())
        self.finish_and_verify(producer)

    def test_07_config_change_rolls_one_broker_at_a_time(self):
        producer = self.start_producer("roll")
        before = {name: pod["metadata"]["uid"] for name, pod in self.broker_pods().items()}
        self.kube.kubectl("patch", "kafkacluster", NAME, "--type=merge",
                          "-p", json.dumps({"spec": {"config": {"log.retention.hours": "100"}}}), namespace=NS)
        most_unready = 0
        deadline = time.monotonic() + 900
        while True:
            pods = self.broker_pods()
            unready = sum(1 for p in pods.values()
                          if p["metadata"].get("deletionTimestamp")
                          or not any(c["type"] == "Ready" and c["status"] == "True"
                                     for c in p["status"].get("conditions", [])))
            unready += len(before) - len(pods)
            most_unready = max(most_unready, unready)
            replaced = [n for n, p in pods.items() if p["metadata"]["uid"] != before.get(n)]
            if len(replaced) == len(before) and unready == 0:
                break
            self.assertLess(time.monotonic(), deadline, f"roll did not finish; replaced {replaced}")
            time.sleep(0.5)
        self.assertEqual(most_unready, 1, "more than one broker was down at once during the roll")
        for i in self.broker_ids():
            props = self.kube.jsonpath(f"configmap/{NAME}-broker-{i}", "{.data.server\\.properties}", namespace=NS)
            self.assertIn("log.retention.hours=100", props)
        self.wait_ready(3, timeout=300)
        self.finish_and_verify(producer)

    def test_08_invalid_specs_are_reported_not_crashed_on(self):
        restarts = self.operator_restarts()
        # The schema rejects what it can express, with the field named.
        code, _, err = self.kube.kubectl_result("apply", "-f", "-", namespace=NS,
                                                input=CLUSTER_YAML.replace("replicas: 3\n  image", "replicas: -1\n  image", 1)
                                                .replace(f"name: {NAME}", "name: negative", 1))
        self.assertNotEqual(code, 0)
        self.assertIn("replicas", err)
        # What only the operator can judge lands in conditions: more listed brokers than replicas.
        bad = CLUSTER_YAML.replace(f"name: {NAME}", "name: listed", 1).replace(
            "  replicas: 3\n", "  replicas: 1\n  brokers:\n  - id: 0\n  - id: 1\n", 1)
        self.kube.apply(bad, namespace=NS)

        def reported():
            found = self.kube.get_json("kafkacluster", "listed", namespace=NS) or {}
            for c in found.get("status", {}).get("conditions", []):
                if c.get("type") == "Ready" and c.get("status") == "False" and c.get("reason") == "InvalidSpec":
                    return c
            return None
        condition = wait_until(reported, 120, "Ready=False/InvalidSpec on KafkaCluster listed")
        self.assertIn("replicas", condition["message"])
        self.assertFalse(self.broker_pods_of("listed"), "an invalid cluster must not get brokers")
        # An external ZooKeeper nobody answers on: reported, retried, no crash.
        unreachable = f"""
apiVersion: sluice.dev/v1alpha1
kind: KafkaCluster
metadata: {{name: nozk, namespace: {NS}}}
spec:
  replicas: 1
  image: {docker_harness.BROKER_IMAGE}
  storage: {{data: {{size: 100Mi}}, logs: {{size: 100Mi}}}}
  zookeeper:
    external: {{connect: "10.96.255.254:2181"}}
"""
        self.kube.apply(unreachable, namespace=NS)
        wait_until(lambda: any(c.get("type") in ("Ready",) and c.get("status") == "False"
                               for c in ((self.kube.get_json("kafkacluster", "nozk", namespace=NS) or {})
                                         .get("status", {}).get("conditions", []))),
                   180, "KafkaCluster nozk reported not Ready")
        self.kube.kubectl("delete", "kafkacluster", "listed", "nozk", "--wait=true", "--timeout=180s", namespace=NS)
        self.assertEqual(self.operator_restarts(), restarts, "the operator restarted")
        # demo is untouched by all of this.
        self.wait_ready(3, timeout=120)
        # A valid spec that running brokers cannot follow: a PersistentVolumeClaim only grows, so
        # shrinking demo's data volume is refused against the spec the operator last applied,
        # and nothing is done until it is set back.
        self.assertEqual(self.status()["lastAppliedSpec"]["storage"]["data"]["size"], "1Gi")
        pods_before = {name: pod["metadata"]["uid"] for name, pod in self.broker_pods().items()}
        self.kube.kubectl("patch", "kafkacluster", NAME, "--type=merge",
                          "-p", json.dumps({"spec": {"storage": {"data": {"size": "512Mi"}}}}), namespace=NS)
        generation = self.cluster()["metadata"]["generation"]

        def refused(st):
            ready = next((c for c in st.get("conditions", []) if c.get("type") == "Ready"), {})
            if (ready.get("status") == "False" and ready.get("reason") == "InvalidUpdate"
                    and ready.get("observedGeneration") == generation):
                return ready
            return None
        condition = self.wait_status(refused, "Ready=False/InvalidUpdate after shrinking spec.storage.data.size",
                                     timeout=120)
        self.assertIn("spec.storage.data.size", condition["message"])
        self.assertEqual(self.condition("Degraded").get("reason"), "InvalidUpdate")
        self.assertEqual(self.status()["lastAppliedSpec"]["storage"]["data"]["size"], "1Gi")
        for i in self.broker_ids():
            size = self.kube.jsonpath(f"pvc/{NAME}-broker-{i}-data", "{.spec.resources.requests.storage}", namespace=NS)
            self.assertEqual(size, "1Gi", f"broker {i}'s data claim")
        self.assertEqual({name: pod["metadata"]["uid"] for name, pod in self.broker_pods().items()}, pods_before)
        self.kube.kubectl("patch", "kafkacluster", NAME, "--type=merge",
                          "-p", json.dumps({"spec": {"storage": {"data": {"size": "1Gi"}}}}), namespace=NS)
        self.wait_ready(3, timeout=120)
        self.assertEqual(self.condition("Degraded").get("status"), "False")
        self.assertEqual(self.operator_restarts(), restarts, "the operator restarted")

    def broker_pods_of(self, cluster):
        pods = self.kube.get_json("pods", "-l", f"app.kubernetes.io/instance={cluster},app.kubernetes.io/component=broker",
                                  namespace=NS)
        return pods["items"]

    def test_09_scale_down_that_would_break_replication_is_refused(self):
        ids = self.broker_ids()
        # orders has replication factor 3: two brokers cannot hold it, so the removal is refused
        # in status, the broker stays, and scaling back clears the condition.
        self.kube.kubectl("scale", "kafkacluster", NAME, "--replicas=2", namespace=NS)

        def blocked(st):
            return next((c for c in st.get("conditions", []) if c.get("type") == "Degraded"
                         and c.get("status") == "True" and c.get("reason") == "ScaleDownBlocked"), None)
        condition = self.wait_status(blocked, "Degraded=True/ScaleDownBlocked", timeout=180)
        self.assertIn(TOPIC, condition["message"])
        self.assertIn("replication factor 3", condition["message"])
        time.sleep(5)
        self.assertEqual(self.broker_ids(), ids)
        self.assertEqual(len(self.broker_pods()), 3)
        self.assertFalse(any(b.get("phase") == "Draining" for b in self.status().get("brokers", [])))
        self.kube.kubectl("scale", "kafkacluster", NAME, "--replicas=3", namespace=NS)
        self.wait_ready(3, timeout=180)
        self.wait_status(lambda st: not blocked(st), "the ScaleDownBlocked condition to clear", timeout=120)

    def test_10_operator_serves_metrics_and_health(self):
        pod = self.operator_pod()
        ip = pod["status"]["podIP"]
        for path in ("/healthz", "/readyz"):
            out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", f"http://{ip}:8080{path}"],
                                 capture_output=True, text=True, timeout=20)
            self.assertEqual(out.stdout, "200", f"{path}: {out.stdout} {out.stderr}")
        metrics = subprocess.run(["curl", "-sS", f"http://{ip}:8080/metrics"], capture_output=True, text=True,
                                 timeout=20).stdout
        self.assertIn("sluice_operator_reconcile", metrics)
        events = json.loads(self.kube.kubectl("get", "events.events.k8s.io", "-o", "json", namespace=NS))["items"]
        ours = [e for e in events if e.get("reportingController") == "sluice.dev/operator"]
        reasons = {e.get("reason") for e in ours}
        print(f"[operator-e2e] operator event reasons: {sorted(reasons)}", file=sys.stderr)
        # Each step above leaves its Event on the KafkaCluster, naming what the operator did.
        for reason in ("Rebalanced", "RollingRestart", "BrokerReplaced", "InvalidSpec", "InvalidUpdate"):
            self.assertIn(reason, reasons)
        self.assertTrue(all(e["regarding"]["kind"] == "KafkaCluster" for e in ours))
