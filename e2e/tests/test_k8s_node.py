"""The test Kubernetes node really runs what the operator needs: pods from local images, a
StatefulSet whose PVCs the local provisioner binds, cluster DNS for Services and pod subdomains,
ClusterIP and NodePort Services, and the in-cluster API (`kubernetes` Service + ServiceAccount
token) that an operator Pod talks to.

Root, Docker, and the cached Kubernetes binaries (e2e/k8s/build-kubernetes.sh) are needed.
"""

import os
import socket
import ssl
import subprocess
import unittest
import urllib.error
import urllib.request

from harness.k8s import NODE_IP, KubeTestCase
from harness.waiting import wait_until

IMAGE = "debian:bookworm-slim"
# A one-line TCP server from perl-base (Essential in Debian, so in the slim image): answers every
# connection with "hello from <pod hostname>".
SERVER = ("perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 16, "
          "ReuseAddr => 1) or die $!; $| = 1; print qq(listening\\n); "
          "while ($c = $s->accept) { print $c qq(hello from $ENV{HOSTNAME}\\n); close $c }'")


def tcp_read(host, port, timeout=3):
    with socket.create_connection((host, port), timeout=timeout) as conn:
        return conn.makefile().readline().strip()


class KubeNodeTest(KubeTestCase):
    full_node = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ns = "node-smoke"
        cls.kube.kubectl("create", "namespace", cls.ns)
        cls.kube.wait_for("serviceaccount default", "{.secrets[0].name}", lambda v: v != "",
                          timeout=60, namespace=cls.ns)
        # Serving pods shared by several tests: a StatefulSet of 2 behind a headless Service, a
        # ClusterIP Service and a NodePort Service.
        cls.kube.apply(f"""
apiVersion: v1
kind: Service
metadata: {{name: web-headless, namespace: {cls.ns}}}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {{app: web}}
  ports: [{{name: tcp, port: 8080}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {cls.ns}}}
spec:
  selector: {{app: web}}
  ports: [{{name: tcp, port: 80, targetPort: 8080}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web-nodeport, namespace: {cls.ns}}}
spec:
  type: NodePort
  selector: {{app: web}}
  ports: [{{name: tcp, port: 8080, targetPort: 8080, nodePort: 30080}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: web, namespace: {cls.ns}}}
spec:
  serviceName: web-headless
  replicas: 2
  podManagementPolicy: Parallel
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      terminationGracePeriodSeconds: 1
      securityContext: {{runAsUser: 10001, runAsGroup: 10001}}
      containers:
      - name: web
        image: {IMAGE}
        imagePullPolicy: Never
        command: [bash, -c]
        args:
        - |
          echo "$(hostname) was here as uid $(id -u)" >> /data/visits
          exec {SERVER}
        ports: [{{containerPort: 8080, name: tcp}}]
        readinessProbe:
          tcpSocket: {{port: 8080}}
          periodSeconds: 1
        volumeMounts: [{{name: data, mountPath: /data}}]
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: 1Gi}}}}
""")
        cls.kube.wait_for("statefulset web", "{.status.readyReplicas}", "2", timeout=120, namespace=cls.ns)

    def run_pod(self, name, command, extra_spec="", labels="run: test"):
        """A pod from the local base image (never pulled) running `command` under bash."""
        self.kube.apply(f"""
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: {self.ns}
  labels: {{{labels}}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
{extra_spec}
  containers:
  - name: main
    image: {IMAGE}
    imagePullPolicy: Never
    command: [bash, -c, {command!r}]
""")
        self.addCleanup(self.kube.kubectl, "delete", "pod", name, "--grace-period=0", "--force",
                        namespace=self.ns, check=False)
        return name

    def test_pod_runs_from_a_local_image(self):
        self.run_pod("hello", "echo hello from $(hostname) on $(cat /etc/debian_version)")
        self.kube.wait_for("pod hello", "{.status.phase}", "Succeeded", timeout=60, namespace=self.ns)
        self.assertRegex(self.kube.logs("hello", namespace=self.ns).strip(), r"^hello from hello on 12\.")
        self.assertEqual(self.kube.jsonpath("pod hello", "{.spec.nodeName}", namespace=self.ns), "sluice-node")

    def test_statefulset_claims_are_provisioned_and_writable_by_a_non_root_uid(self):
        for ordinal in (0, 1):
            claim = f"data-web-{ordinal}"
            self.assertEqual(self.kube.jsonpath(f"pvc {claim}", "{.status.phase}", namespace=self.ns), "Bound")
            self.assertEqual(self.kube.jsonpath(f"pvc {claim}", "{.spec.storageClassName}", namespace=self.ns),
                             "standard")
            volume = self.kube.jsonpath(f"pvc {claim}", "{.spec.volumeName}", namespace=self.ns)
            path = self.kube.jsonpath(f"pv {volume}", "{.spec.hostPath.path}")
            self.assertEqual(os.path.dirname(path), self.kube.pv_dir)
            with open(os.path.join(path, "visits")) as f:
                self.assertIn(f"web-{ordinal} was here as uid 10001", f.read())

    def test_deleted_claim_gives_a_fresh_volume(self):
        """The provisioner deletes a released volume (reclaimPolicy Delete) and its directory, and a
        new claim of the same name gets a new, empty one: what the operator's volume-loss healing sees."""
        self.kube.apply(f"""
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: scratch, namespace: {self.ns}}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 100Mi}}}}
""")
        self.kube.wait_for("pvc scratch", "{.status.phase}", "Bound", timeout=30, namespace=self.ns)
        first = self.kube.jsonpath("pvc scratch", "{.spec.volumeName}", namespace=self.ns)
        first_path = self.kube.jsonpath(f"pv {first}", "{.spec.hostPath.path}")
        self.assertTrue(os.path.isdir(first_path))
        self.kube.kubectl("delete", "pvc", "scratch", namespace=self.ns)
        wait_until(lambda: self.kube.get_json("pv", first) is None and not os.path.exists(first_path), 30,
                   f"released volume {first} and {first_path} to be deleted")
        self.kube.apply(f"""
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: scratch, namespace: {self.ns}}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 100Mi}}}}
""")
        self.addCleanup(self.kube.kubectl, "delete", "pvc", "scratch", namespace=self.ns, check=False)
        self.kube.wait_for("pvc scratch", "{.status.phase}", "Bound", timeout=30, namespace=self.ns)
        self.assertNotEqual(self.kube.jsonpath("pvc scratch", "{.spec.volumeName}", namespace=self.ns), first)

    def test_cluster_dns_names_resolve_from_a_pod(self):
        pod_ips = {o: self.kube.jsonpath(f"pod web-{o}", "{.status.podIP}", namespace=self.ns) for o in (0, 1)}
        cluster_ip = self.kube.jsonpath("service web", "{.spec.clusterIP}", namespace=self.ns)
        # A bare pod with hostname + subdomain naming a headless Service that selects it, as the
        # operator's broker pods have (hostname C-broker-<id>, subdomain C-brokers).
        self.kube.apply(f"""
apiVersion: v1
kind: Service
metadata: {{name: solo-svc, namespace: {self.ns}}}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {{app: solo}}
  ports: [{{port: 1}}]
""")
        self.addCleanup(self.kube.kubectl, "delete", "service", "solo-svc", namespace=self.ns, check=False)
        self.run_pod("resolver", "sleep 300", labels="app: solo",
                     extra_spec="  hostname: solo\n  subdomain: solo-svc")
        self.kube.wait_for_pod_ready("resolver", self.ns, timeout=60)
        resolver_ip = self.kube.jsonpath("pod resolver", "{.status.podIP}", namespace=self.ns)
        expected = {
            f"web-0.web-headless.{self.ns}.svc.cluster.local": {pod_ips[0]},
            f"web-1.web-headless.{self.ns}.svc.cluster.local": {pod_ips[1]},
            f"web-headless.{self.ns}.svc.cluster.local": set(pod_ips.values()),
            f"web.{self.ns}.svc.cluster.local": {cluster_ip},
            "kubernetes.default.svc.cluster.local": {"10.96.0.1"},
            "web-0.web-headless": {pod_ips[0]},  # through the search path
            "web": {cluster_ip},
            f"solo.solo-svc.{self.ns}.svc.cluster.local": {resolver_ip},
        }

        def resolved(name):
            out = self.kube.exec("resolver", "getent", "ahostsv4", name, namespace=self.ns, check=False)
            return {line.split()[0] for line in out.splitlines() if line.strip()}

        for name, addresses in expected.items():
            wait_until(lambda: resolved(name) == addresses, 20, f"{name} to resolve to {addresses} in a pod")
        # Unknown cluster names get an answer (NXDOMAIN) from the node, nothing is forwarded.
        self.assertEqual(resolved(f"nosuch.web-headless.{self.ns}.svc.cluster.local"), set())

    def test_clusterip_service_reaches_the_pods_from_a_pod_and_from_the_host(self):
        cluster_ip = self.kube.jsonpath("service web", "{.spec.clusterIP}", namespace=self.ns)
        self.run_pod("client", "sleep 300")
        self.kube.wait_for_pod_ready("client", self.ns, timeout=60)
        answers = set()
        for _ in range(12):
            out = self.kube.exec("client", "timeout", "5", "bash", "-c",
                                 f"exec 3<>/dev/tcp/web.{self.ns}.svc.cluster.local/80 && head -1 <&3",
                                 namespace=self.ns)
            answers.add(out.strip())
        self.assertTrue(answers <= {"hello from web-0", "hello from web-1"}, answers)
        self.assertTrue(answers, "no answer through the ClusterIP")
        self.assertIn(tcp_read(cluster_ip, 80), {"hello from web-0", "hello from web-1"})

    def test_a_pod_reaches_itself_through_its_own_service(self):
        """Hairpin traffic: a broker connects to its own advertised address, a Service that selects
        only its pod (the operator's per-broker Service)."""
        self.kube.apply(f"""
apiVersion: v1
kind: Service
metadata: {{name: web-0-only, namespace: {self.ns}}}
spec:
  selector: {{statefulset.kubernetes.io/pod-name: web-0}}
  ports: [{{name: tcp, port: 9092, targetPort: 8080}}]
""")
        self.addCleanup(self.kube.kubectl, "delete", "service", "web-0-only", namespace=self.ns, check=False)
        # Bounded attempts: a connection tried before kube-proxy wrote the Service's rules keeps its
        # un-NATed conntrack entry and would hang through every SYN retry.
        command = f"exec 3<>/dev/tcp/web-0-only.{self.ns}.svc.cluster.local/9092 && head -1 <&3"
        answer = wait_until(lambda: self.kube.exec("web-0", "timeout", "3", "bash", "-c", command,
                                                   namespace=self.ns, check=False).strip(),
                            60, "web-0 to reach itself through its Service")
        self.assertEqual(answer, "hello from web-0")

    def test_host_reaches_a_nodeport(self):
        answer = wait_until(lambda: tcp_read(NODE_IP, 30080), 20, f"an answer on {NODE_IP}:30080")
        self.assertIn(answer, {"hello from web-0", "hello from web-1"})

    def test_pods_reach_the_api_server_through_the_kubernetes_service(self):
        """What an in-cluster operator does: https://kubernetes.default.svc with the mounted
        ServiceAccount token and CA. Debian's slim image has no TLS client, so the request is made
        with the host's curl inside the pod's network namespace, with the pod's own token and CA."""
        self.run_pod("incluster", "sleep 300")
        self.kube.wait_for_pod_ready("incluster", self.ns, timeout=60)
        secrets = "/var/run/secrets/kubernetes.io/serviceaccount"
        token = self.kube.exec("incluster", "cat", f"{secrets}/token", namespace=self.ns)
        ca = self.kube.exec("incluster", "cat", f"{secrets}/ca.crt", namespace=self.ns)
        self.assertEqual(self.kube.exec("incluster", "bash", "-c",
                                        "exec 3<>/dev/tcp/kubernetes.default.svc.cluster.local/443 && echo open",
                                        namespace=self.ns).strip(), "open")
        sandbox = subprocess.run(
            ["docker", "ps", "-q", "--filter", "label=io.kubernetes.pod.name=incluster",
             "--filter", f"label=io.kubernetes.pod.namespace={self.ns}",
             "--filter", "label=io.kubernetes.docker.type=podsandbox"],
            check=True, capture_output=True, text=True).stdout.split()[0]
        pid = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", sandbox], check=True,
                             capture_output=True, text=True).stdout.strip()
        ca_path = os.path.join(self.kube.run_dir, "incluster-ca.crt")
        with open(ca_path, "w") as f:
            f.write(ca)
        done = subprocess.run(
            ["nsenter", "-t", pid, "-n", "curl", "-s", "--cacert", ca_path, "--resolve",
             "kubernetes.default.svc:443:10.96.0.1", "-H", f"Authorization: Bearer {token}",
             f"https://kubernetes.default.svc/api/v1/namespaces/{self.ns}/secrets"],
            capture_output=True, text=True, timeout=30)
        # Authenticated as the pod's ServiceAccount, and RBAC gives the default SA nothing.
        self.assertIn('cannot list resource \\"secrets\\"', done.stdout)
        self.assertIn(f"system:serviceaccount:{self.ns}:default", done.stdout)

    def test_host_reaches_the_api_server_through_the_service_ip_with_a_valid_certificate(self):
        context = ssl.create_default_context(cafile=self.kube.ca_file)
        context.load_cert_chain(self.kube.client_cert_file, self.kube.client_key_file)
        for url in ("https://10.96.0.1/readyz", f"https://{NODE_IP}:6443/readyz"):
            with urllib.request.urlopen(url, context=context, timeout=10) as response:
                self.assertEqual(response.read(), b"ok")


if __name__ == "__main__":
    unittest.main()
