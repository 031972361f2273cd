"""Cluster: one ZooKeeper and N sluice-broker processes (ids 0..N-1), each with its own data dir,
application-log dir and ports, plus what fault tests need: stop (SIGTERM), kill (SIGKILL),
pause/resume (SIGSTOP/SIGCONT), restart, wipe a data dir, and observations (the controller, a
partition's leader, ISR and replicas, live brokers) with deadlines that say what was awaited.

Two network modes:
  * loopback (default): every process on 127.0.0.1, distinct ports;
  * netns=True: each broker in a network namespace of its own on a bridge (harness/netns.py);
    ZooKeeper and the clients stay in the test's namespace and reach the brokers over the bridge;
    cut()/cut_from_zookeeper()/heal() inject network faults. Torn down at close() and at exit.

Use it through E2ETestCase.start_cluster() (or start_class_cluster()), which registers close()
for cleanup and adds the brokers and ZooKeeper to the failure report.
"""

import json
import os
import shutil
import signal
import subprocess

from .broker import Broker
from .kcat import Kcat
from .netns import PrivateNetwork
from .paths import REPO_DIR, build_dir
from .waiting import wait_until
from .zk_client import BrokerRegistry, NoNodeError, ZkClient
from .zookeeper import ZooKeeperServer



def tool_env():
    """Environment for bin/*.sh wrappers: they find the programs in BUILD_DIR (relative to the repo)."""
    env = dict(os.environ)
    env["BUILD_DIR"] = os.path.relpath(build_dir(), REPO_DIR)
    return env


def run_tool(script, *args, timeout=60, input_text=None):
    """Runs bin/<script> with args; returns the CompletedProcess (text)."""
    path = os.path.join(REPO_DIR, "bin", script)
    try:
        return subprocess.run([path, *args], capture_output=True, text=True, timeout=timeout, env=tool_env(),
                              input=input_text)
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(f"{script} {' '.join(args)} timed out after {timeout}s; output: "
                             f"{expired.stdout!r} {expired.stderr!r}") from None


class Cluster(BrokerRegistry):
    def __init__(self, workdir, size=3, properties=None, broker_properties=None, netns=False):
        """properties: server.properties entries for every broker; broker_properties: {id: {...}}
        for single brokers (racks, say)."""
        self.workdir = workdir
        self.size = size
        self.network = PrivateNetwork(range(size)) if netns else None
        zookeeper_host = self.network.gateway if self.network else "127.0.0.1"
        self.zookeeper = ZooKeeperServer(os.path.join(workdir, "zookeeper"), connect_host=zookeeper_host)
        os.makedirs(self.zookeeper.workdir, exist_ok=True)
        self.brokers = []
        common = {
            "zookeeper.session.timeout.ms": 6000,
            "default.replication.factor": min(3, size),
            "offsets.topic.replication.factor": min(3, size),
            "auto.create.topics.enable": "false",
        }
        common.update(properties or {})
        for broker_id in range(size):
            merged = dict(common)
            merged.update((broker_properties or {}).get(broker_id, {}))
            directory = os.path.join(workdir, f"broker{broker_id}")
            os.makedirs(directory, exist_ok=True)
            host = self.network.addresses[broker_id] if self.network else "127.0.0.1"
            namespace = self.network.namespaces[broker_id] if self.network else None
            self.brokers.append(Broker(self.zookeeper.connect, directory, broker_id, merged, host=host,
                                       netns=namespace))

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, timeout=60.0):
        if self.network:
            self.network.create()
        self.zookeeper.start()
        for broker in self.brokers:
            broker.start(timeout)
        self.wait_registered(range(self.size), timeout)
        self.wait_controller(timeout)
        return self

    def close(self):
        """Stops every broker (SIGTERM, then SIGKILL), ZooKeeper, and removes the network."""
        try:
            for broker in self.brokers:
                if broker.process is not None and broker.alive():
                    broker.process.signal_group(signal.SIGCONT)  # a paused broker cannot exit
                broker.stop(timeout=15)
            self.zookeeper.stop()
        finally:
            if self.network:
                self.network.teardown()

    def broker(self, broker_id):
        return self.brokers[broker_id]

    @property
    def bootstrap(self):
        """Every broker's address (clients skip the dead ones)."""
        return ",".join(b.bootstrap for b in self.brokers)

    def bootstrap_of(self, broker_ids):
        return ",".join(self.brokers[i].bootstrap for i in broker_ids)

    def kcat(self, broker_ids=None):
        return Kcat(self.bootstrap if broker_ids is None else self.bootstrap_of(broker_ids))

    def running(self):
        return [b.broker_id for b in self.brokers if b.alive()]

    # --- process faults --------------------------------------------------------------------

    def stop_broker(self, broker_id, timeout=30.0):
        """SIGTERM (a controlled shutdown); returns the exit code."""
        return self.brokers[broker_id].stop(timeout)

    def kill_broker(self, broker_id):
        """SIGKILL; its ZooKeeper registration lives until the session times out."""
        self.brokers[broker_id].kill(signal.SIGKILL)

    def pause_broker(self, broker_id):
        """SIGSTOP: the process keeps its sockets and files but answers nothing (a zombie leader)."""
        self.brokers[broker_id].process.signal_group(signal.SIGSTOP)

    def resume_broker(self, broker_id):
        self.brokers[broker_id].process.signal_group(signal.SIGCONT)

    def start_broker(self, broker_id, timeout=60.0):
        """Starts a stopped broker on its dirs and ports, once its old registration is gone."""
        broker = self.brokers[broker_id]
        broker.wait_registration_gone(timeout)
        broker.start(timeout)
        self.wait_registered([broker_id], timeout)
        return broker

    def restart_broker(self, broker_id, wipe=False, timeout=60.0):
        """Stops (SIGTERM) if running, optionally wipes the data dir, starts again."""
        self.stop_broker(broker_id)
        if wipe:
            self.wipe_data(broker_id)
        return self.start_broker(broker_id, timeout)

    def wipe_data(self, broker_id):
        broker = self.brokers[broker_id]
        if broker.alive():
            raise AssertionError(f"broker {broker_id} is running; stop it before wiping {broker.data_dir}")
        shutil.rmtree(broker.data_dir, ignore_errors=True)
        os.makedirs(broker.data_dir)

    # --- network faults (netns mode) -------------------------------------------------------

    def _need_network(self):
        if not self.network:
            raise AssertionError("network faults need Cluster(netns=True)")
        return self.network

    def cut(self, broker_id, peers):
        """Drops all traffic between broker_id and each broker in peers."""
        self._need_network().cut(broker_id, list(peers))

    def cut_from_zookeeper(self, broker_id):
        self._need_network().cut_from_port(broker_id, self.zookeeper.port)

    def heal(self, broker_id):
        self._need_network().heal(broker_id)

    # --- observations ----------------------------------------------------------------------

    def zk(self):
        return ZkClient(self.zookeeper.connect)


    def wait_unregistered(self, broker_id, timeout=30.0):
        return wait_until(lambda: broker_id not in self.registered_brokers(), timeout,
                          f"/brokers/ids/{broker_id} to go (session expiry or clean shutdown)")

    def controller(self):
        """The broker id in /controller, or None."""
        with self.zk() as zk:
            try:
                return zk.get_json("/controller")["brokerid"]
            except NoNodeError:
                return None

    def controller_epoch(self):
        with self.zk() as zk:
            data, _ = zk.get_data("/controller_epoch")
            return int(data)

    def wait_controller(self, timeout=30.0, not_in=()):
        """Waits for a controller that is not in not_in; returns its id."""
        def found():
            controller = self.controller()
            return controller is not None and controller not in not_in and (controller,)
        return wait_until(found, timeout, f"a controller (not one of {list(not_in)}) in /controller")[0]

    def assignment(self, topic):
        """{partition: [replica ids]} from /brokers/topics/<topic>."""
        with self.zk() as zk:
            data = zk.get_json(f"/brokers/topics/{topic}")
        return {int(p): replicas for p, replicas in data["partitions"].items()}

    def partition_state(self, topic, partition):
        """The state znode's JSON (leader, leader_epoch, isr, controller_epoch) plus its znode
        version as "zk_version"; None before the controller wrote it."""
        with self.zk() as zk:
            try:
                data, stat = zk.get_data(f"/brokers/topics/{topic}/partitions/{partition}/state")
            except NoNodeError:
                return None
        state = json.loads(data)
        state["zk_version"] = stat.version
        return state

    def leader(self, topic, partition):
        state = self.partition_state(topic, partition)
        return None if state is None or state["leader"] < 0 else state["leader"]

    def isr(self, topic, partition):
        state = self.partition_state(topic, partition)
        return [] if state is None else sorted(state["isr"])

    def wait_leader(self, topic, partition, timeout=30.0, not_in=(), among=None):
        """Waits until the state znode names a leader not in not_in (and in among, if given) that
        is registered; returns its id."""
        def found():
            leader = self.leader(topic, partition)
            if leader is None or leader in not_in or (among is not None and leader not in among):
                return None
            return leader in self.registered_brokers() and (leader,)
        what = f"a live leader for {topic}-{partition}" + (f" other than {list(not_in)}" if not_in else "") + \
               (f" among {list(among)}" if among is not None else "")
        return wait_until(found, timeout, what, interval=0.2)[0]

    def wait_isr(self, topic, partition, expected, timeout=60.0):
        expected = sorted(expected)
        return wait_until(lambda: self.isr(topic, partition) == expected, timeout,
                          f"ISR of {topic}-{partition} to be {expected} (now {self.isr(topic, partition)})",
                          interval=0.25)

    def metadata_partition(self, topic, partition, via=None):
        """(leader, replicas, isr) as a broker's Metadata answer says (kcat -L); via: broker ids
        to ask (default all)."""
        entry = self.kcat(via).metadata(topic)
        for t in entry.get("topics", []):
            if t.get("topic") != topic:
                continue
            for p in t.get("partitions", []):
                if p.get("partition") == partition:
                    return (p.get("leader"), sorted(r["id"] for r in p.get("replicas", [])),
                            sorted(r["id"] for r in p.get("isrs", [])))
        return None

    def metadata_brokers(self, via=None):
        """Broker ids a Metadata answer lists (kcat -L); via: broker ids to ask (default all)."""
        return sorted(b["id"] for b in self.kcat(via).metadata().get("brokers", []))

    def wait_for(self, predicate, timeout, what, interval=0.2):
        return wait_until(predicate, timeout, what, interval=interval)

    # --- topics ----------------------------------------------------------------------------

    def topics_tool(self, *args, timeout=60):
        """bin/kafka-topics.sh --bootstrap-server <cluster> args...; returns the CompletedProcess."""
        return run_tool("kafka-topics.sh", "--bootstrap-server", self.bootstrap, *args, timeout=timeout)

    def create_topic(self, topic, partitions=1, replication_factor=None, assignment=None, configs=None,
                     timeout=60.0):
        """Creates a topic with kafka-topics.sh and waits until every partition has a live leader
        and a full ISR. assignment: [[replicas of p0], [replicas of p1], ...] (then partitions and
        replication_factor are implied)."""
        args = ["--create", "--topic", topic]
        if assignment is not None:
            args += ["--replica-assignment", ",".join(":".join(str(r) for r in rs) for rs in assignment)]
        else:
            args += ["--partitions", str(partitions),
                     "--replication-factor", str(replication_factor or min(3, self.size))]
        for key, value in (configs or {}).items():
            args += ["--config", f"{key}={value}"]
        completed = self.topics_tool(*args)
        if completed.returncode != 0:
            raise AssertionError(f"kafka-topics.sh {' '.join(args)} failed ({completed.returncode}):\n"
                                 f"{completed.stdout}{completed.stderr}")
        count = len(assignment) if assignment is not None else partitions
        for partition in range(count):
            self.wait_leader(topic, partition, timeout)
            replicas = self.assignment(topic)[partition]
            self.wait_isr(topic, partition, replicas, timeout)
        return self.assignment(topic)

    # --- failure reporting -----------------------------------------------------------------

    def failure_report(self):
        parts = [f"--- cluster in {self.workdir}; network: "
                 f"{'netns ' + str(self.network.addresses) if self.network else 'loopback'}"]
        try:
            parts.append(f"--- registered brokers {self.registered_brokers()}, controller {self.controller()}")
        except Exception as error:  # noqa: BLE001 - a report must not fail
            parts.append(f"--- ZooKeeper not readable: {error!r}")
        return "\n".join(parts)
