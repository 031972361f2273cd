"""A real Kubernetes v1.20.2 for tests: `KubeNode` drives e2e/k8s/node.sh and wraps kubectl.

Two sizes:
- `KubeNode(full=False)`: etcd + kube-apiserver (RBAC, ServiceAccount tokens) +
  kube-controller-manager, on free loopback ports in a scratch run dir. Starts in ~10 s; several
  may run side by side. For API-level tests (CRDs, RBAC, the operator's REST client).
- `KubeNode(full=True)`: the same plus a node that runs pods (kubelet with dockershim on the host's
  Docker engine, CNI bridge cni0 = 10.88.0.1/16 which is also the node IP, kube-proxy, scheduler,
  cluster DNS on 10.88.0.1, a hostPath provisioner behind the default StorageClass `standard`).
  One per host: it takes a host-wide lock, and its run dir is $SLUICE_K8S_RUN
  (default /var/cache/sluice/k8s-node). Pods use images from that Docker engine with
  imagePullPolicy Never/IfNotPresent (no registry).

`apiserver_args` adds kube-apiserver flags to either size (node.sh's
SLUICE_K8S_APISERVER_EXTRA_ARGS), e.g. `["--watch-cache-sizes=secrets#0"]` so that watches on
Secrets read etcd's history. A node gets exactly the flags its code asks for: an
SLUICE_K8S_APISERVER_EXTRA_ARGS in the test runner's environment is not passed on.

The processes are started by node.sh (detached, PIDs recorded in the run dir) and stopped by
`stop()`; `KubeTestCase` ties a class-wide node to unittest and prints diagnostics (pods, events,
component log tails) when a test fails. A node left behind by a runner that was SIGKILLed is
stopped by the next KubeNode.start() on the host.
"""

import atexit
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from .paths import E2E_DIR, scratch_root
from .ports import free_port
from .processes import tail_of_file
from .waiting import WaitTimeout, wait_until

NODE_SH = os.path.join(E2E_DIR, "k8s", "node.sh")
NODE_IP = "10.88.0.1"
NODE_NAME = "sluice-node"
CACHE = os.environ.get("SLUICE_CACHE", "/var/cache/sluice")
# Run dirs of running API-only nodes, each with the PID of the test runner that owns it; a run dir
# whose owner is gone (runner SIGKILLed) is stopped and removed by the next start().
_OWNERS_DIR = os.path.join(tempfile.gettempdir(), "sluice-k8s-owners")
_FULL_NODE_LOCK = os.path.join(CACHE, "k8s-node.lock")
_COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy",
               "kubelet", "node-agent", "dnsmasq")


class KubectlError(AssertionError):
    """kubectl exited non-zero; carries the command, exit code and stderr."""

    def __init__(self, args, returncode, stdout, stderr):
        self.args_list = list(args)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f"kubectl {' '.join(args)} exited {returncode}: {stderr.strip() or stdout.strip()}")


def _quiet(stderr):
    """kubectl 1.32 warns about the skew to the 1.20 server on every call; that line is noise."""
    return "\n".join(line for line in stderr.splitlines() if "version difference" not in line)


class KubeNode:
    def __init__(self, full=False, run_dir=None, apiserver_args=()):
        self.full = full
        self.apiserver_args = [str(arg) for arg in apiserver_args]
        for arg in self.apiserver_args:
            # node.sh splits SLUICE_K8S_APISERVER_EXTRA_ARGS at whitespace.
            if not arg or any(c.isspace() for c in arg):
                raise ValueError(f"kube-apiserver flag {arg!r}: node.sh takes flags without whitespace")
        self._own_run_dir = run_dir is None and not full
        if full:
            self.run_dir = run_dir or os.environ.get("SLUICE_K8S_RUN") or os.path.join(CACHE, "k8s-node")
            self.apiserver_port = 6443
            self.etcd_port = 2379
        else:
            self.run_dir = run_dir or tempfile.mkdtemp(prefix="sluice-kube-", dir=scratch_root())
            self.apiserver_port = free_port()
            self.etcd_port = self._free_port_pair()
        self._lock_file = None
        self._started = False
        self._atexit = None

    @staticmethod
    def _free_port_pair():
        """etcd uses port and port+1 (client, peer)."""
        while True:
            port = free_port()
            if port < 65535:
                with socket.socket() as s:
                    try:
                        s.bind(("127.0.0.1", port + 1))
                        return port
                    except OSError:
                        continue

    # --- addresses and credentials ----------------------------------------------------------

    @property
    def server(self):
        return f"https://127.0.0.1:{self.apiserver_port}"

    @property
    def etcd_endpoint(self):
        """etcd's client URL (plain HTTP on loopback), e.g. for etcdctl."""
        return f"http://127.0.0.1:{self.etcd_port}"

    @property
    def kubeconfig(self):
        """Admin (system:masters) with a client certificate."""
        return os.path.join(self.run_dir, "admin.kubeconfig")

    @property
    def token_kubeconfig(self):
        """The same admin with a bearer token (for clients without client-certificate support)."""
        return os.path.join(self.run_dir, "admin-token.kubeconfig")

    @property
    def token(self):
        with open(os.path.join(self.run_dir, "pki", "admin.token")) as f:
            return f.read().strip()

    @property
    def ca_file(self):
        return os.path.join(self.run_dir, "pki", "ca.crt")

    @property
    def client_cert_file(self):
        return os.path.join(self.run_dir, "pki", "admin.crt")

    @property
    def client_key_file(self):
        return os.path.join(self.run_dir, "pki", "admin.key")

    @property
    def pv_dir(self):
        """Where the provisioner makes the PersistentVolumes' directories (full node)."""
        return os.path.join(self.run_dir, "pv")

    def log_path(self, component):
        return os.path.join(self.run_dir, "logs", f"{component}.log")

    # --- lifecycle ------------------------------------------------------------------------------

    def _env(self):
        env = dict(os.environ)
        env.update(SLUICE_K8S_RUN=self.run_dir, SLUICE_K8S_APISERVER_PORT=str(self.apiserver_port),
                   SLUICE_K8S_ETCD_PORT=str(self.etcd_port),
                   SLUICE_K8S_APISERVER_EXTRA_ARGS=" ".join(self.apiserver_args))
        return env

    def node_sh(self, *args, timeout=1500, check=True):
        """Runs node.sh with this node's run dir and ports; returns its output (stdout+stderr)."""
        done = subprocess.run([NODE_SH, *args], env=self._env(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"node.sh {' '.join(args)} failed (exit {done.returncode}):\n"
                                 f"{done.stdout[-6000:]}\n{self._log_tails(2000)}")
        return done.stdout

    def start(self):
        """Starts the control plane (and the node when full); returns self. The Kubernetes
        binaries are built first by build-kubernetes.sh when they are not cached."""
        _reap_abandoned_nodes()
        if self.full:
            os.makedirs(CACHE, exist_ok=True)
            self._lock_file = open(_FULL_NODE_LOCK, "w")
            deadline = time.monotonic() + 1800
            while True:
                try:
                    fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"another full Kubernetes node holds {_FULL_NODE_LOCK} for 30 min")
                    time.sleep(2)
            # A node left by an earlier run (same fixed run dir): start from a clean host.
            self.node_sh("down", timeout=180)
            self.node_sh("cleanup", timeout=180)
            shutil.rmtree(os.path.join(self.run_dir, "logs"), ignore_errors=True)
        else:
            os.makedirs(_OWNERS_DIR, exist_ok=True)
            with open(os.path.join(_OWNERS_DIR, os.path.basename(self.run_dir)), "w") as f:
                json.dump({"owner": os.getpid(), "run_dir": self.run_dir, "env": {
                    "SLUICE_K8S_APISERVER_PORT": str(self.apiserver_port),
                    "SLUICE_K8S_ETCD_PORT": str(self.etcd_port)}}, f)
        self._started = True
        self._atexit = self.stop
        atexit.register(self._atexit)
        started = time.monotonic()
        self.node_sh("up" if self.full else "apiserver-up")
        print(f"[k8s] {'node' if self.full else 'API server'} up in {time.monotonic() - started:.1f}s, "
              f"KUBECONFIG={self.kubeconfig}", file=sys.stderr)
        return self

    def stop(self):
        """Stops every component (pod containers too); for a full node also undoes its host
        changes. Safe to call twice."""
        if not self._started:
            return
        self._started = False
        if self._atexit is not None:
            atexit.unregister(self._atexit)
            self._atexit = None
        try:
            self.node_sh("down", timeout=180, check=False)
            if self.full:
                self.node_sh("cleanup", timeout=180, check=False)
        finally:
            if self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None
            if not self.full:
                try:
                    os.unlink(os.path.join(_OWNERS_DIR, os.path.basename(self.run_dir)))
                except FileNotFoundError:
                    pass

    def cleanup(self, keep_run_dir=False):
        """stop(), then remove the run dir this object made (unless kept for a post-mortem)."""
        self.stop()
        if self._own_run_dir and not keep_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    # --- kubectl ----------------------------------------------------------------------------

    def _kubectl_argv(self):
        # A discovery/OpenAPI cache of this node's own: kubectl's default (~/.kube/cache) is keyed
        # by host:port, which another node may have used before with other CRDs.
        return ["kubectl", f"--kubeconfig={self.kubeconfig}",
                f"--cache-dir={os.path.join(self.run_dir, 'kubectl-cache')}"]

    def kubectl(self, *args, check=True, input=None, timeout=120, namespace=None):
        """Runs kubectl as cluster admin; returns stdout. Raises KubectlError when check and exit != 0."""
        argv = self._kubectl_argv()
        if namespace:
            argv.append(f"--namespace={namespace}")
        argv += [str(a) for a in args]
        done = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise KubectlError(args, done.returncode, done.stdout, _quiet(done.stderr))
        return done.stdout

    def kubectl_result(self, *args, input=None, timeout=120, namespace=None):
        """Runs kubectl; returns (exit code, stdout, stderr without the version-skew warning)."""
        argv = self._kubectl_argv()
        if namespace:
            argv.append(f"--namespace={namespace}")
        argv += [str(a) for a in args]
        done = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout)
        return done.returncode, done.stdout, _quiet(done.stderr)

    def apply(self, path_or_yaml, namespace=None, extra_args=()):
        """`kubectl apply -f` of a file or directory path, or of YAML text; returns kubectl's output."""
        if "\n" not in path_or_yaml and os.path.exists(path_or_yaml):
            return self.kubectl("apply", "-f", path_or_yaml, *extra_args, namespace=namespace)
        return self.kubectl("apply", "-f", "-", *extra_args, input=path_or_yaml, namespace=namespace)

    def get_json(self, *args, namespace=None):
        """`kubectl get ... -o json`, parsed; None when the object does not exist."""
        code, out, err = self.kubectl_result("get", *args, "-o", "json", namespace=namespace)
        if code != 0:
            if "NotFound" in err or "not found" in err:
                return None
            raise KubectlError(args, code, out, err)
        return json.loads(out)

    def jsonpath(self, resource, path, namespace=None):
        """`kubectl get RESOURCE -o jsonpath=PATH` ("" when the object does not exist)."""
        code, out, _ = self.kubectl_result("get", *resource.split(), "-o", f"jsonpath={path}",
                                           namespace=namespace)
        return out if code == 0 else ""

    def wait_for(self, resource, path, expected, timeout=120, namespace=None, interval=0.5):
        """Waits until `kubectl get RESOURCE -o jsonpath=PATH` equals `expected` (a string) or
        satisfies it (a callable); returns the last value. The timeout names the resource."""
        check = expected if callable(expected) else (lambda value: value == expected)
        last = {}

        def probe():
            last["value"] = self.jsonpath(resource, path, namespace)
            return check(last["value"])

        try:
            wait_until(probe, timeout, f"{resource} {path} to be {expected!r}", interval)
        except WaitTimeout as error:
            raise WaitTimeout(f"{error} (last value {last.get('value')!r})") from None
        return last["value"]

    def wait_for_pod_ready(self, name, namespace="default", timeout=120):
        return self.wait_for(f"pod {name}", '{.status.conditions[?(@.type=="Ready")].status}', "True",
                             timeout, namespace)

    def logs(self, pod, namespace="default", container=None, previous=False, tail=None):
        args = ["logs", pod]
        if container:
            args += ["-c", container]
        if previous:
            args.append("--previous")
        if tail is not None:
            args.append(f"--tail={tail}")
        return self.kubectl(*args, namespace=namespace)

    def exec(self, pod, *command, namespace="default", container=None, check=True, timeout=60):
        """Runs command in a pod's container; returns stdout."""
        args = ["exec", pod]
        if container:
            args += ["-c", container]
        return self.kubectl(*args, "--", *command, namespace=namespace, check=check, timeout=timeout)

    # --- diagnostics ------------------------------------------------------------------------

    def _log_tails(self, max_bytes):
        parts = []
        for component in _COMPONENTS:
            path = self.log_path(component)
            if os.path.exists(path):
                parts.append(f"--- tail of {path}:\n{tail_of_file(path, max_bytes)}")
        return "\n".join(parts)

    def diagnostics(self, log_bytes=3000):
        """What a failed test wants to see: pods, events, PVCs, nodes, and component log tails."""
        parts = [f"===== Kubernetes diagnostics (run dir {self.run_dir}) ====="]
        if self._started:
            for title, args in (("pods", ("get", "pods", "-A", "-o", "wide")),
                                ("services, endpoints, pvcs", ("get", "svc,endpoints,pvc", "-A")),
                                ("pvs", ("get", "pv")),
                                ("nodes", ("get", "nodes", "-o", "wide")),
                                ("events", ("get", "events", "-A", "--sort-by=.lastTimestamp"))):
                try:
                    code, out, err = self.kubectl_result(*args, timeout=20)
                    parts.append(f"--- kubectl {' '.join(args)}:\n{out[-6000:]}{err}")
                except subprocess.TimeoutExpired:
                    parts.append(f"--- kubectl {' '.join(args)}: timed out")
        parts.append(self._log_tails(log_bytes))
        return "\n".join(parts)


def _reap_abandoned_nodes():
    """Stops API-only nodes whose test runner died without stopping them (SIGKILL by a timeout)."""
    if not os.path.isdir(_OWNERS_DIR):
        return
    for entry in os.listdir(_OWNERS_DIR):
        path = os.path.join(_OWNERS_DIR, entry)
        try:
            with open(path) as f:
                record = json.load(f)
        except (OSError, ValueError):
            continue
        try:
            os.kill(record["owner"], 0)
            continue  # its runner still lives
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        env = dict(os.environ, SLUICE_K8S_RUN=record["run_dir"], **record["env"])
        subprocess.run([NODE_SH, "down"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=180)
        shutil.rmtree(record["run_dir"], ignore_errors=True)
        os.unlink(path)
        print(f"[k8s] stopped an abandoned API server in {record['run_dir']}", file=sys.stderr)


class KubeTestCase(unittest.TestCase):
    """A test class with one KubeNode for all its tests (`cls.kube`). Set `full_node = True` for a
    node that runs pods, and `apiserver_args` for extra kube-apiserver flags. On a failing test the
    node's diagnostics are printed, and the run dir of an API-only node is kept."""

    full_node = False
    apiserver_args = ()
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._kube_failed = False
        cls.kube = KubeNode(full=cls.full_node, apiserver_args=cls.apiserver_args)
        cls.addClassCleanup(cls._stop_kube)
        try:
            cls.kube.start()
        except BaseException:
            cls._kube_failed = True
            print(cls.kube.diagnostics(), file=sys.stderr)
            raise

    @classmethod
    def _stop_kube(cls):
        cls.kube.cleanup(keep_run_dir=cls._kube_failed)
        if cls._kube_failed and not cls.kube.full:
            print(f"[k8s] kept run dir {cls.kube.run_dir}", file=sys.stderr)

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        problems_before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > problems_before:
            type(self)._kube_failed = True
            print(f"\n===== failure context for {self.id()} =====\n{self.kube.diagnostics()}", file=sys.stderr)
        return outcome
