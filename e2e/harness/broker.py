"""Broker: one sluice-broker process with its own server.properties, data dir, log dir and ports.

Layout under the fixture's directory:
  server.properties   written by the fixture (Kafka's key names)
  data/               log.dirs (partition directories, checkpoints, meta.properties)
  logs/               --log-dir (server.log, controller.log, state-change.log)
  broker.out          the process's stdout+stderr
Ready means: /readyz on the admin listener answers 200 and the Kafka port accepts connections.
"""

import http.client
import os
import re
import signal
import subprocess
import time

from . import ports
from .processes import ManagedProcess, die_with_parent, tail_of_file
from .paths import broker_binary
from .waiting import GiveUp, wait_until
from .zk_client import ZkClient

SEGMENT_FILE = re.compile(r"^\d{20}\.log$")


class Broker:
    def __init__(self, zookeeper_connect, workdir, broker_id=0, properties=None, host="127.0.0.1", netns=None):
        """properties: extra/overriding server.properties entries (values are str()-ed).
        host: the address the broker listens on and advertises; netns: the network namespace the
        process runs in (`ip netns exec`), None for the harness's own (see harness/netns.py)."""
        self.zookeeper_connect = zookeeper_connect
        self.workdir = workdir
        self.broker_id = broker_id
        self.host = host
        self.netns = netns
        self.port = ports.free_port()
        self.admin_port = ports.free_port()
        self.data_dir = os.path.join(workdir, "data")
        self.log_dir = os.path.join(workdir, "logs")
        self.properties_path = os.path.join(workdir, "server.properties")
        self.output_path = os.path.join(workdir, "broker.out")
        self.properties = {
            "broker.id": broker_id,
            "listeners": f"PLAINTEXT://{host}:{self.port}",
            "log.dirs": self.data_dir,
            "zookeeper.connect": zookeeper_connect,
            "zookeeper.session.timeout.ms": 6000,
            "num.partitions": 1,
            "default.replication.factor": 1,
            "offsets.topic.replication.factor": 1,
            "auto.create.topics.enable": "true",
            "delete.topic.enable": "true",
            "sluice.admin.listener": f"{host}:{self.admin_port}",
        }
        self.properties.update(properties or {})
        self.process = None
        self.exit_codes = []  # exit code of every stopped/killed incarnation, in order

    # --- addresses -------------------------------------------------------------------------

    @property
    def bootstrap(self):
        return f"{self.host}:{self.port}"

    def partition_dir(self, topic, partition):
        return os.path.join(self.data_dir, f"{topic}-{partition}")

    def segment_files(self, topic, partition):
        """Names of the partition's segment files (20-digit base offset + .log), sorted by offset."""
        directory = self.partition_dir(topic, partition)
        if not os.path.isdir(directory):
            return []
        return sorted(name for name in os.listdir(directory) if SEGMENT_FILE.match(name))

    @property
    def server_log_path(self):
        return os.path.join(self.log_dir, "server.log")

    # --- lifecycle -------------------------------------------------------------------------

    def _write_properties(self):
        os.makedirs(self.data_dir, exist_ok=True)
        os.makedirs(self.log_dir, exist_ok=True)
        with open(self.properties_path, "w") as f:
            f.write("# written by the e2e harness\n")
            for key, value in self.properties.items():
                f.write(f"{key}={value}\n")

    def write_properties(self):
        """Writes server.properties and creates the data and log dirs (start() does it too); for
        tests that run the broker some other way (a script, -daemon)."""
        self._write_properties()

    def argv(self, extra_args=()):
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        return prefix + [broker_binary(), self.properties_path, "--log-dir", self.log_dir] + list(extra_args)

    def start(self, timeout=30.0, extra_args=()):
        """extra_args (e.g. ["--override", "k=v"]) apply to this start only, not to restart()."""
        self._write_properties()
        env = dict(os.environ, LOG_DIR=self.log_dir)
        self.process = ManagedProcess(self.argv(extra_args), self.output_path, env=env, cwd=self.workdir)
        self.wait_ready(timeout)
        return self

    def run_until_exit(self, timeout=30.0, extra_args=()):
        """Runs the broker in the foreground expecting it to exit by itself (a start-up failure);
        returns (CompletedProcess with text stdout/stderr, seconds it ran). Killed at the timeout,
        which fails the test."""
        self._write_properties()
        env = dict(os.environ, LOG_DIR=self.log_dir)
        started = time.monotonic()
        try:
            completed = subprocess.run(self.argv(extra_args), capture_output=True, text=True, timeout=timeout,
                                       env=env, cwd=self.workdir, preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"broker {self.broker_id} still running after {timeout}s; a start-up failure "
                                 f"was expected") from None
        return completed, time.monotonic() - started

    def wait_ready(self, timeout=30.0):
        wait_until(self._ready, timeout, f"broker {self.broker_id} to be ready (/readyz 200 on "
                   f"{self.admin_port}, Kafka port {self.port})", interval=0.1)

    def _ready(self):
        self.assert_alive()
        status, _ = self.http_get("/readyz", timeout=1.0)
        return status == 200 and ports.port_accepts(self.port, host=self.host)

    def alive(self):
        return self.process is not None and self.process.alive()

    def assert_alive(self):
        if not self.alive():
            code = self.process.returncode() if self.process else None
            raise GiveUp(f"broker {self.broker_id} is not running (exit code {code}); "
                                 f"output:\n{self.process.output_tail(2000) if self.process else ''}")

    def kill(self, sig=signal.SIGKILL):
        """Signals the broker; for SIGKILL waits until it is gone."""
        self.process.kill(sig)
        if sig == signal.SIGKILL:
            self.exit_codes.append(self.process.returncode())

    def stop(self, timeout=20.0):
        """SIGTERM (SIGKILL after timeout); returns the exit code. Safe to call when not running."""
        if self.process is None:
            return None
        was_alive = self.process.alive()
        code = self.process.stop(timeout)
        if was_alive:
            self.exit_codes.append(code)
        return code

    def restart(self, timeout=60.0):
        """Stops the broker if it runs, waits for its old ZooKeeper registration to expire (after a
        SIGKILL the ephemeral /brokers/ids/<id> lives until the session times out, and a broker
        refuses to register over it, as Kafka does), then starts it on the same dirs and ports."""
        self.stop()
        self.wait_registration_gone(timeout)
        return self.start(timeout)

    def wait_registration_gone(self, timeout=60.0):
        path = f"/brokers/ids/{self.broker_id}"

        def gone():
            with ZkClient(self.zookeeper_connect) as zk:
                return zk.exists(path) is None
        wait_until(gone, timeout, f"{path} to disappear (old ZooKeeper session to expire)", interval=0.25)

    # --- observation -----------------------------------------------------------------------

    def http_get(self, path, timeout=5.0):
        """GET on the admin listener; returns (status, body text)."""
        connection = http.client.HTTPConnection(self.host, self.admin_port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def server_log(self):
        try:
            with open(self.server_log_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def failure_report(self, max_bytes=6000):
        """What a developer needs when a test fails: where things are and the tails of the logs."""
        current = self.process.returncode() if self.process else None
        return (f"--- broker {self.broker_id} ({self.workdir}); earlier exit codes {self.exit_codes}; "
                f"running={self.alive()}; current exit code {current}\n"
                f"--- tail of {self.server_log_path}:\n{tail_of_file(self.server_log_path, max_bytes)}\n"
                f"--- tail of {self.output_path}:\n{tail_of_file(self.output_path, 2000)}\n")
