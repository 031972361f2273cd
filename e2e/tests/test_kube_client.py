"""The operator's Kubernetes client (controller/kube) against a REAL kube-apiserver 1.20.2 + etcd.

An API-only `KubeNode` (harness/k8s.py: etcd, kube-apiserver with RBAC and TLS, an admin client
certificate and an admin token) runs the gtest binary `kube_integration_test`: CRUD, 409s, merge
patch, a CRD's /status, list paging, watch order, 410 after etcd compaction, an informer,
Lease election, Events.

kube-apiserver runs with --watch-cache-sizes=secrets#0: Secrets bypass the watch cache, so a watch
from an old resourceVersion reads etcd's history and etcd compaction really produces 410 (the
binary compacts with etcdctl at SLUICE_ETCD_ENDPOINTS).

Environment: SLUICE_BUILD_DIR (the gtest binary is $SLUICE_BUILD_DIR/bin/kube_integration_test,
or SLUICE_KUBE_INTEGRATION_TEST), SLUICE_K8S_BIN, SLUICE_E2E_TMP.
`python3 -m tests.test_kube_client --serve` starts the control plane and waits (prints KUBECONFIG
and SLUICE_ETCD_ENDPOINTS), for running the gtest binary by hand.
"""

import os
import subprocess
import sys
import time
import unittest

from harness.k8s import KubeNode, KubeTestCase
from harness.paths import build_dir

APISERVER_ARGS = ("--watch-cache-sizes=secrets#0",)


def integration_binary():
    path = os.environ.get("SLUICE_KUBE_INTEGRATION_TEST") or os.path.join(
        build_dir(), "bin", "kube_integration_test")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} not found: build it (ninja kube_integration_test)")
    return path


class KubeClientTest(KubeTestCase):
    apiserver_args = APISERVER_ARGS

    @classmethod
    def setUpClass(cls):
        cls.binary = integration_binary()
        super().setUpClass()

    def run_gtest(self, gtest_filter, kubeconfig, timeout=300):
        env = dict(os.environ, KUBECONFIG=kubeconfig, SLUICE_ETCD_ENDPOINTS=self.kube.etcd_endpoint)
        result = subprocess.run([self.binary, f"--gtest_filter={gtest_filter}"], env=env,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0 or "[  PASSED  ]" not in result.stdout:
            self.fail(f"kube_integration_test --gtest_filter={gtest_filter} failed "
                      f"(exit {result.returncode}):\n{result.stdout[-12000:]}\n{result.stderr[-4000:]}")
        return result.stdout

    def test_client_against_real_apiserver(self):
        """Every integration case with the client-certificate admin: CRUD and 409s, merge
        patch, a CRD's /status, paging, watch order, 410 after etcd compaction,
        informer, Lease election, Events, discovery and error mapping."""
        self.run_gtest("KubeIntegration.*", self.kube.kubeconfig)

    def test_bearer_token_context(self):
        """The same CRUD and watch through the token admin: proves Bearer authentication."""
        self.run_gtest("KubeIntegration.ConfigMapCrudAndConflicts:KubeIntegration.WatchSeesAdded*",
                       self.kube.token_kubeconfig)


def _serve():
    kube = KubeNode(full=False, apiserver_args=APISERVER_ARGS).start()
    print(f"KUBECONFIG={kube.kubeconfig}", flush=True)
    print(f"SLUICE_ETCD_ENDPOINTS={kube.etcd_endpoint}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        kube.cleanup()


if __name__ == "__main__":
    if "--serve" in sys.argv:
        _serve()
    else:
        unittest.main()
