"""ZooKeeperServer: Debian's ZooKeeper 3.8 (QuorumPeerMain, standalone) on a free loopback port.

Started from a zoo.cfg written into the fixture's own directory; ready when the four-letter word
`ruok` answers `imok` AND `srvr` reports a mode: ZooKeeper answers imok as soon as its port is bound,
before it serves sessions ("This ZooKeeper instance is not currently serving requests"), and a
client connecting in that window is disconnected.
"""

import glob
import os
import socket

from . import ports
from .processes import ManagedProcess
from .waiting import GiveUp, wait_until

JAVA = "/usr/bin/java"
JAVA_DIR = "/usr/share/java"
# The server's runtime dependencies only; the whole of /usr/share/java would put several SLF4J
# bindings on the class path.
_CLASSPATH_JARS = (
    "zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar", "metrics-core.jar",
    "commons-cli.jar", "snappy-java.jar", "netty-handler.jar", "netty-common.jar", "netty-buffer.jar",
    "netty-transport.jar", "netty-codec.jar", "netty-resolver.jar", "netty-transport-native-epoll.jar",
    "netty-transport-native-unix-common.jar",
)


def zookeeper_classpath():
    jars = [os.path.join(JAVA_DIR, j) for j in _CLASSPATH_JARS]
    missing = [j for j in jars[:2] if not os.path.exists(j)]
    if missing:
        raise AssertionError(f"ZooKeeper jars missing ({missing}): apt-get install --no-install-recommends zookeeper")
    return ":".join(j for j in jars if os.path.exists(j))


def four_letter_word(port, word, timeout=2.0):
    """Sends a ZooKeeper four-letter command and returns the whole answer as text."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


class ZooKeeperServer:
    def __init__(self, workdir, port=None, tick_time_ms=2000, connect_host="127.0.0.1"):
        """connect_host: the address brokers reach ZooKeeper at. Other than loopback (a bridge
        address in network-namespace mode) ZooKeeper listens on every address; the harness's own
        probes still use loopback."""
        self.workdir = workdir
        self.connect_host = connect_host
        self.port = port or ports.free_port()
        self.tick_time_ms = tick_time_ms
        self.data_dir = os.path.join(workdir, "data")
        self.config_path = os.path.join(workdir, "zoo.cfg")
        self.output_path = os.path.join(workdir, "zookeeper.out")
        self.process = None

    @property
    def connect(self):
        """The connect string brokers use (zookeeper.connect)."""
        return f"{self.connect_host}:{self.port}"

    def _write_config(self):
        os.makedirs(self.data_dir, exist_ok=True)
        with open(self.config_path, "w") as f:
            f.write("\n".join([
                f"dataDir={self.data_dir}",
                f"clientPort={self.port}",
                "clientPortAddress=" + ("127.0.0.1" if self.connect_host == "127.0.0.1" else "0.0.0.0"),
                f"tickTime={self.tick_time_ms}",
                "maxClientCnxns=0",
                "admin.enableServer=false",
                "4lw.commands.whitelist=*",
                # Standalone; no snapshots purge needed for short runs.
                "autopurge.purgeInterval=0",
                "",
            ]))

    def start(self, timeout=30.0):
        self._write_config()
        argv = [JAVA, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dzookeeper.jmx.log4j.disable=true",
                "-cp", zookeeper_classpath(), "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                self.config_path]
        self.process = ManagedProcess(argv, self.output_path, cwd=self.workdir)
        wait_until(self._answers_imok, timeout, f"ZooKeeper on port {self.port} to answer imok and serve "
                   f"(output: {self.output_path})", interval=0.1)
        return self

    def _answers_imok(self):
        if not self.process.alive():
            raise GiveUp(f"ZooKeeper exited with {self.process.returncode()}: {self.process.output_tail(2000)}")
        if four_letter_word(self.port, "ruok", timeout=0.5).strip() != "imok":
            return False
        return "Mode: standalone" in four_letter_word(self.port, "srvr", timeout=0.5)

    def alive(self):
        return self.process is not None and self.process.alive()

    def stop(self):
        if self.process is not None:
            self.process.stop(timeout=10)

    def log_tail(self, max_bytes=3000):
        return self.process.output_tail(max_bytes) if self.process else ""

    def snapshot_files(self):
        return glob.glob(os.path.join(self.data_dir, "version-2", "*"))
