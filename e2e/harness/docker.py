"""Docker for the e2e suites: Debian's engine, the project's images, and containers that clean up.

DockerEngine.ensure() starts the engine through e2e/docker/dockerd.sh unless one already answers
(and then stop() leaves it running), and makes sure the local base image debian:bookworm-slim
exists (no registry is reachable: dockerd.sh makes it once with debootstrap and caches it).
build_*() build the project's images with the project's Dockerfile; Docker's own layer cache
(in /var/lib/docker) makes a rebuild of unchanged sources cost seconds, while a fresh machine or
changed sources compile Sluice inside the builder stage once (minutes).

DockerSession creates containers, networks and volumes labelled with its owner (this process's
pid) and removes exactly those at close(); things left by an earlier runner that died (its pid is
gone) are removed when the next session opens. Every docker call has a timeout and fails with the
command and its output.
"""

import json
import os
import subprocess
import sys
import time
import uuid

from .paths import E2E_DIR, REPO_DIR
from .waiting import GiveUp, wait_until
from .zk_client import BrokerRegistry

DOCKER = "/usr/bin/docker"  # Debian's client, the engine's own version (a newer one may be on PATH)
DOCKERD_SH = os.path.join(E2E_DIR, "docker", "dockerd.sh")
ZOOKEEPER_IMAGE_DIR = os.path.join(E2E_DIR, "images", "zookeeper")

PROJECT_VERSION = "0.1.0"
BROKER_IMAGE = f"sluice/broker:{PROJECT_VERSION}"
OPERATOR_IMAGE = f"sluice/operator:{PROJECT_VERSION}"
ZOOKEEPER_IMAGE = "sluice/zookeeper-test:3.8"

OWNER_LABEL = "dev.sluice.e2e.owner"


class DockerError(AssertionError):
    pass


def docker(*args, timeout=120.0, check=True, input_bytes=None, env=None):
    """Runs the docker client; returns the CompletedProcess (text). check: raise on non-zero exit."""
    argv = [DOCKER, *[str(a) for a in args]]
    try:
        completed = subprocess.run(argv, capture_output=True, timeout=timeout, input=input_bytes, env=env)
    except subprocess.TimeoutExpired as expired:
        raise DockerError(f"{' '.join(argv)} timed out after {timeout}s; stderr: "
                          f"{(expired.stderr or b'')[-2000:].decode(errors='replace')}") from None
    completed.stdout = completed.stdout.decode(errors="replace")
    completed.stderr = completed.stderr.decode(errors="replace")
    if check and completed.returncode != 0:
        raise DockerError(f"{' '.join(argv)} exited {completed.returncode}:\n{completed.stderr[-3000:]}")
    return completed


def engine_answers():
    try:
        return docker("version", timeout=10, check=False).returncode == 0
    except DockerError:
        return False


class DockerEngine:
    """The Docker engine for a test class: started here only if none answered."""

    def __init__(self):
        self.started_here = False

    def ensure(self, timeout=600.0):
        if not os.access(DOCKER, os.X_OK):
            raise DockerError(f"{DOCKER} not found: apt-get install docker.io (scripts/install-deps.sh)")
        if not engine_answers():
            self._dockerd("start", timeout=60)
            self.started_here = True
        # base-image is a no-op when the image exists; otherwise it imports the cached rootfs
        # (seconds) or makes it with debootstrap (minutes, once per machine).
        self._dockerd("base-image", timeout=timeout)
        return self

    def stop(self):
        """Stops the engine if this object started it."""
        if self.started_here:
            self._dockerd("stop", timeout=60)
            self.started_here = False

    @staticmethod
    def _dockerd(command, timeout):
        try:
            completed = subprocess.run(["bash", DOCKERD_SH, command], capture_output=True, text=True,
                                       timeout=timeout)
        except subprocess.TimeoutExpired:
            raise DockerError(f"dockerd.sh {command} took longer than {timeout}s") from None
        if completed.returncode != 0:
            raise DockerError(f"dockerd.sh {command} exited {completed.returncode}:\n{completed.stdout}"
                              f"{completed.stderr}")
        if completed.stdout.strip():
            print(f"[docker] {completed.stdout.strip()}", file=sys.stderr)


# --- images --------------------------------------------------------------------------------------

def build_image(tag, context, target=None, dockerfile=None, log_path=None, timeout=3600.0, build_args=None):
    """docker build; returns seconds taken. The full output goes to log_path (quoted on failure).
    SLUICE_DOCKER_BUILDKIT=1 builds with BuildKit, otherwise the legacy builder is used."""
    argv = [DOCKER, "build", "-t", tag]
    if target:
        argv += ["--target", target]
    if dockerfile:
        argv += ["-f", dockerfile]
    for key, value in (build_args or {}).items():
        argv += ["--build-arg", f"{key}={value}"]
    argv.append(context)
    env = dict(os.environ)
    env["DOCKER_BUILDKIT"] = "1" if os.environ.get("SLUICE_DOCKER_BUILDKIT") == "1" else "0"
    started = time.monotonic()
    log_path = log_path or os.devnull
    with open(log_path, "wb") as log:
        try:
            completed = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise DockerError(f"{' '.join(argv)} took longer than {timeout}s; log: {log_path}") from None
    took = time.monotonic() - started
    if completed.returncode != 0:
        tail = ""
        if log_path != os.devnull:
            with open(log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - 4000))
                tail = log.read().decode(errors="replace")
        raise DockerError(f"{' '.join(argv)} exited {completed.returncode} after {took:.0f}s; "
                          f"log {log_path}, tail:\n{tail}")
    return took


def build_broker_image(log_path=None):
    return build_image(BROKER_IMAGE, REPO_DIR, target="broker", log_path=log_path)


def build_operator_image(log_path=None):
    return build_image(OPERATOR_IMAGE, REPO_DIR, target="operator", log_path=log_path)


def build_zookeeper_image(log_path=None):
    return build_image(ZOOKEEPER_IMAGE, ZOOKEEPER_IMAGE_DIR, log_path=log_path, timeout=900)


def image_inspect(tag):
    return json.loads(docker("image", "inspect", tag).stdout)[0]


def image_size(tag):
    """The image's size in bytes as the engine reports it (all layers, base included)."""
    return int(docker("image", "inspect", "-f", "{{.Size}}", tag).stdout.strip())


# --- containers, networks, volumes ---------------------------------------------------------------

class Container:
    def __init__(self, name):
        self.name = name

    def inspect(self):
        return json.loads(docker("container", "inspect", self.name).stdout)[0]

    def running(self):
        return self.inspect()["State"]["Running"]

    def exit_code(self):
        return self.inspect()["State"]["ExitCode"]

    def exec(self, *argv, user=None, timeout=60.0, check=True):
        """docker exec; returns the CompletedProcess (text)."""
        args = ["exec"] + (["--user", user] if user else []) + [self.name, *argv]
        return docker(*args, timeout=timeout, check=check)

    def kill(self, signal="KILL"):
        docker("kill", "--signal", signal, self.name, timeout=30)

    def stop(self, grace_seconds=30):
        """docker stop: SIGTERM, then SIGKILL after grace_seconds. Returns the exit code."""
        docker("stop", "-t", grace_seconds, self.name, timeout=grace_seconds + 30)
        return self.exit_code()

    def start(self):
        docker("start", self.name, timeout=60)

    def logs(self, tail=None):
        """stdout and stderr of the container (docker logs)."""
        args = ["logs"] + (["--tail", tail] if tail is not None else []) + [self.name]
        completed = docker(*args, timeout=60)
        return completed.stdout + completed.stderr

    def host_port(self, container_port):
        """The loopback port a published container port is mapped to."""
        bindings = self.inspect()["NetworkSettings"]["Ports"].get(f"{container_port}/tcp") or []
        if not bindings:
            raise DockerError(f"{self.name}: port {container_port} is not published")
        return int(bindings[0]["HostPort"])


class DockerSession:
    """Creates containers, networks and volumes for one test class and removes them at close()."""

    def __init__(self, prefix="sluice-e2e"):
        self.owner = str(os.getpid())
        self.prefix = f"{prefix}-{uuid.uuid4().hex[:6]}"
        self._remove_orphans()

    def name(self, suffix):
        return f"{self.prefix}-{suffix}"

    def _labels(self):
        return ["--label", f"{OWNER_LABEL}={self.owner}"]

    def network(self, suffix):
        name = self.name(suffix)
        docker("network", "create", *self._labels(), name)
        return name

    def volume(self, suffix):
        name = self.name(suffix)
        docker("volume", "create", *self._labels(), name)
        return name

    @staticmethod
    def volume_path(name):
        """Where a local volume's files are on this machine (readable as root)."""
        return json.loads(docker("volume", "inspect", name).stdout)[0]["Mountpoint"]

    def run(self, suffix, image, *args, network=None, aliases=(), hostname=None, env=None, volumes=(),
            mounts=(), ports=(), user=None, entrypoint=None, detach=True, timeout=120.0, check=True):
        """docker run. volumes: ["volume-or-host-path:/path[:ro]"], ports: [(host port, container
        port)] published on 127.0.0.1 (host port 0 picks a free one). Returns a Container (detach)
        or the CompletedProcess (foreground, removed afterwards)."""
        name = self.name(suffix)
        argv = ["run", "--name", name, *self._labels()]
        argv += ["--detach"] if detach else ["--rm"]
        if network:
            argv += ["--network", network]
            for alias in aliases:
                argv += ["--network-alias", alias]
        if hostname:
            argv += ["--hostname", hostname]
        for key, value in (env or {}).items():
            argv += ["--env", f"{key}={value}"]
        for volume in volumes:
            argv += ["--volume", volume]
        for mount in mounts:
            argv += ["--mount", mount]
        for host_port, container_port in ports:
            argv += ["--publish", f"127.0.0.1:{host_port or ''}:{container_port}"]
        if user:
            argv += ["--user", user]
        if entrypoint is not None:
            argv += ["--entrypoint", entrypoint]
        argv += [image, *args]
        completed = docker(*argv, timeout=timeout, check=check)
        return Container(name) if detach else completed

    def _owned(self, kind, owner=None):
        label = OWNER_LABEL if owner is None else f"{OWNER_LABEL}={owner}"
        if kind == "container":
            out = docker("ps", "-aq", "--filter", f"label={label}", timeout=30).stdout
            return out.split()
        out = docker(kind, "ls", "--filter", f"label={label}", "--format", "{{.Name}}", timeout=30).stdout
        return out.split()

    def _remove_owned_by(self, owner):
        containers = self._owned("container", owner)
        if containers:
            docker("rm", "-f", "-v", *containers, timeout=120, check=False)
        for kind in ("network", "volume"):
            names = self._owned(kind, owner)
            if names:
                docker(kind, "rm", *names, timeout=60, check=False)

    def _remove_orphans(self):
        """Removes what sessions of runners that no longer exist left behind."""
        out = docker("ps", "-a", "--filter", f"label={OWNER_LABEL}", "--format",
                     f'{{{{.Label "{OWNER_LABEL}"}}}}', timeout=30).stdout.split()
        for kind in ("network", "volume"):
            for line in docker(kind, "ls", "--filter", f"label={OWNER_LABEL}", "--format", "{{.Labels}}",
                               timeout=30).stdout.splitlines():
                for label in line.split(","):
                    if label.startswith(OWNER_LABEL + "="):
                        out.append(label.split("=", 1)[1])
        for owner in sorted(set(out)):
            if owner != self.owner and not os.path.exists(f"/proc/{owner}"):
                self._remove_owned_by(owner)

    def close(self):
        self._remove_owned_by(self.owner)


def wait_http_ok(port, path, timeout, what, container=None):
    """Waits until http://127.0.0.1:<port><path> answers 200; gives up early if the container
    exits (quoting its logs)."""
    import urllib.request

    def ok():
        if container is not None and not container.running():
            raise GiveUp(f"{container.name} exited {container.exit_code()}:\n{container.logs(tail=40)}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as reply:
            return reply.status == 200
    return wait_until(ok, timeout, what, interval=0.3)


# --- a Sluice cluster in containers --------------------------------------------------------------

def four_letter_word_ready(port):
    """True when the ZooKeeper published on a loopback port serves (ruok and a mode in srvr)."""
    from .zookeeper import four_letter_word
    return (four_letter_word(port, "ruok", timeout=1).strip() == "imok"
            and "Mode: " in four_letter_word(port, "srvr", timeout=1))


class DockerCluster(BrokerRegistry):
    """One ZooKeeper container and brokers 0..size-1 from the broker image on a user-defined
    network, every broker configured by one mounted server.properties plus environment overrides
    (SLUICE_BROKER_ID, SLUICE_OVERRIDE_ADVERTISED_LISTENERS).

    Each broker has two listeners: INTERNAL (broker-<id>:9092, inter-broker traffic on the docker
    network) and EXTERNAL (container port 9093 published on 127.0.0.1:<host port> and advertised
    as such, so clients on the host, kcat and the no-loss producer, reach every broker). Data and
    application logs are named volumes per broker. ZooKeeper's client port and each broker's admin
    port are published too, so the test reads the cluster's state from the host."""

    INTERNAL_PORT = 9092
    EXTERNAL_PORT = 9093
    ADMIN_PORT = 9644

    def __init__(self, session, name, workdir, size=3, properties=None, broker_image=BROKER_IMAGE,
                 zookeeper_image=ZOOKEEPER_IMAGE):
        """name: unique within the session; prefixes this cluster's containers, network and volumes."""
        from . import ports
        self.session = session
        self.name = name
        self.size = size
        self.broker_image = broker_image
        self.zookeeper_image = zookeeper_image
        self.network = session.network(f"{name}-net")
        self.zookeeper_port = ports.free_port()
        self.external_ports = {i: ports.free_port() for i in range(size)}
        self.admin_ports = {i: ports.free_port() for i in range(size)}
        self.config_path = os.path.join(workdir, "server.properties")
        lines = [
            f"listeners=INTERNAL://0.0.0.0:{self.INTERNAL_PORT},EXTERNAL://0.0.0.0:{self.EXTERNAL_PORT}",
            "listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
            "inter.broker.listener.name=INTERNAL",
            "zookeeper.connect=zookeeper:2181",
            "log.dirs=/var/lib/sluice/data",
            f"sluice.admin.listener=0.0.0.0:{self.ADMIN_PORT}",
            "group.initial.rebalance.delay.ms=0",
        ]
        lines += [f"{key}={value}" for key, value in (properties or {}).items()]
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.config_path, 0o644)  # read by uid 10001 inside the containers
        self.zookeeper = None
        self.brokers = {}
        self.data_volumes = {}
        self.log_volumes = {}

    def start(self, timeout=120.0):
        self.zookeeper = self.session.run(
            f"{self.name}-zookeeper", self.zookeeper_image, network=self.network, aliases=["zookeeper"],
            hostname="zookeeper", env={"ZOO_4LW_COMMANDS_WHITELIST": "*", "ZOO_ADMINSERVER_ENABLED": "false"},
            ports=[(self.zookeeper_port, 2181)])
        wait_until(lambda: self._zookeeper_alive() and four_letter_word_ready(self.zookeeper_port), timeout,
                   f"ZooKeeper container {self.zookeeper.name} to serve on 127.0.0.1:{self.zookeeper_port}",
                   interval=0.3)
        for broker_id in range(self.size):
            self.brokers[broker_id] = self._run_broker(broker_id)
        for broker_id in range(self.size):
            self.wait_ready(broker_id, timeout)
        self.wait_registered(range(self.size), timeout)
        return self

    def _zookeeper_alive(self):
        if not self.zookeeper.running():
            raise GiveUp(f"ZooKeeper container exited:\n{self.zookeeper.logs(tail=40)}")
        return True

    def _run_broker(self, broker_id):
        self.data_volumes[broker_id] = self.session.volume(f"{self.name}-broker-{broker_id}-data")
        self.log_volumes[broker_id] = self.session.volume(f"{self.name}-broker-{broker_id}-logs")
        advertised = (f"INTERNAL://broker-{broker_id}:{self.INTERNAL_PORT},"
                      f"EXTERNAL://127.0.0.1:{self.external_ports[broker_id]}")
        return self.session.run(
            f"{self.name}-broker-{broker_id}", self.broker_image, network=self.network, aliases=[f"broker-{broker_id}"],
            hostname=f"broker-{broker_id}",
            env={"SLUICE_BROKER_ID": broker_id, "SLUICE_OVERRIDE_ADVERTISED_LISTENERS": advertised},
            volumes=[f"{self.config_path}:/etc/sluice/server.properties:ro",
                     f"{self.data_volumes[broker_id]}:/var/lib/sluice/data",
                     f"{self.log_volumes[broker_id]}:/var/log/sluice"],
            ports=[(self.external_ports[broker_id], self.EXTERNAL_PORT),
                   (self.admin_ports[broker_id], self.ADMIN_PORT)])

    def wait_ready(self, broker_id, timeout=120.0):
        """Waits for the broker's /readyz (admin port) to answer 200."""
        wait_http_ok(self.admin_ports[broker_id], "/readyz", timeout,
                     f"broker {broker_id}'s /readyz on 127.0.0.1:{self.admin_ports[broker_id]}",
                     container=self.brokers[broker_id])

    @property
    def bootstrap(self):
        return ",".join(f"127.0.0.1:{self.external_ports[i]}" for i in sorted(self.brokers))

    def broker(self, broker_id):
        return self.brokers[broker_id]

    def data_path(self, broker_id):
        return self.session.volume_path(self.data_volumes[broker_id])

    def log_path(self, broker_id):
        return self.session.volume_path(self.log_volumes[broker_id])

    def kafka_tool(self, broker_id, script, *args, timeout=60.0):
        """Runs bin/<script> inside broker_id's container against its INTERNAL listener."""
        return self.brokers[broker_id].exec(script, "--bootstrap-server",
                                            f"broker-{broker_id}:{self.INTERNAL_PORT}", *args,
                                            timeout=timeout, check=False)

    def create_topic(self, topic, partitions=1, replication_factor=3, configs=None, via=0, timeout=60.0):
        args = ["--create", "--topic", topic, "--partitions", str(partitions),
                "--replication-factor", str(replication_factor)]
        for key, value in (configs or {}).items():
            args += ["--config", f"{key}={value}"]
        completed = self.kafka_tool(via, "kafka-topics.sh", *args)
        if completed.returncode != 0:
            raise DockerError(f"kafka-topics.sh {' '.join(args)} in broker {via} exited {completed.returncode}:\n"
                              f"{completed.stdout}{completed.stderr}")
        for partition in range(partitions):
            self.wait_leader(topic, partition, timeout=timeout)
            self.wait_isr(topic, partition, self.assignment(topic)[partition], timeout=timeout)
        return completed.stdout

    # --- ZooKeeper observations (through the published client port) ---------------------------

    def zk(self):
        from .zk_client import ZkClient
        return ZkClient(f"127.0.0.1:{self.zookeeper_port}")


    def assignment(self, topic):
        with self.zk() as zk:
            data = zk.get_json(f"/brokers/topics/{topic}")
        return {int(p): replicas for p, replicas in data["partitions"].items()}

    def partition_state(self, topic, partition):
        from .zk_client import NoNodeError
        with self.zk() as zk:
            try:
                return zk.get_json(f"/brokers/topics/{topic}/partitions/{partition}/state")
            except NoNodeError:
                return None

    def leader(self, topic, partition):
        state = self.partition_state(topic, partition)
        return None if state is None or state["leader"] < 0 else state["leader"]

    def isr(self, topic, partition):
        state = self.partition_state(topic, partition)
        return [] if state is None else sorted(state["isr"])

    def wait_leader(self, topic, partition, timeout=60.0, not_in=()):
        """Waits for a registered leader not in not_in; returns its id."""
        def found():
            leader = self.leader(topic, partition)
            return leader is not None and leader not in not_in and leader in self.registered_brokers() and (leader,)
        return wait_until(found, timeout, f"a live leader of {topic}-{partition} other than {list(not_in)}",
                          interval=0.2)[0]

    def wait_isr(self, topic, partition, expected, timeout=90.0):
        expected = sorted(expected)
        return wait_until(lambda: self.isr(topic, partition) == expected, timeout,
                          f"ISR of {topic}-{partition} to be {expected}", interval=0.25)

    def report(self):
        """The tail of every container's docker logs, for failure reports."""
        parts = []
        for container in ([self.zookeeper] if self.zookeeper else []) + list(self.brokers.values()):
            try:
                parts.append(f"--- docker logs --tail 30 {container.name}:\n{container.logs(tail=30)}")
            except DockerError as error:
                parts.append(f"--- {container.name}: {error}")
        return "\n".join(parts)
