"""A private network for a test cluster: one network namespace per broker, joined by a bridge.

    root namespace (ZooKeeper, clients, the test)          broker namespaces
    bridge <br> 10.A.B.1/24  --veth--  eth0 10.A.B.11/24   sluice-<pid>-<n>-b0
                             --veth--  eth0 10.A.B.12/24   sluice-<pid>-<n>-b1 ...

Every broker gets its own address, so a fault can be aimed at one link: iptables rules inside a
broker's namespace drop its packets to and from chosen peers (a partition) or to and from
ZooKeeper's port on the bridge address (its session expires while clients still reach it).
Rules use DROP, not REJECT: a partitioned peer looks dead (timeouts), as on a real network.

Needs root (`ip netns`, `ip link`, `iptables`; scripts/install-deps.sh installs iproute2 and
iptables). Names carry the test runner's pid: teardown() removes everything this network made,
an atexit hook calls it if the test did not, and a new network first removes what runs of dead
test processes left behind (a runner killed by SIGKILL cannot clean up after itself).
"""

import atexit
import ipaddress
import os
import re
import subprocess
import threading

_counter_lock = threading.Lock()
_counter = 0
_live_networks = []

_NAMESPACE = re.compile(r"^sluice-(\d+)-(\d+)-b\d+$")
_BRIDGE = re.compile(r"^sb([0-9a-f]+)x(\d+)$")


class NetnsError(AssertionError):
    pass


def run(argv, check=True, timeout=20):
    """Runs an ip/iptables command; raises NetnsError with its output when it fails."""
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and completed.returncode != 0:
        raise NetnsError(f"{' '.join(argv)} exited {completed.returncode}: {completed.stderr.strip()}")
    return completed


def available():
    """(True, "") when this process may create network namespaces and has iptables, else
    (False, why)."""
    if os.geteuid() != 0:
        return False, "network-namespace mode needs root"
    for tool in ("/usr/sbin/ip", "/usr/sbin/iptables"):
        if not os.access(tool, os.X_OK):
            return False, f"{tool} missing: run scripts/install-deps.sh (iproute2, iptables)"
    return True, ""


def _pid_alive(pid):
    return os.path.exists(f"/proc/{pid}")


def remove_leftovers():
    """Deletes namespaces and bridges made by test processes that no longer run."""
    listing = run(["ip", "netns", "list"], check=False).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.split() else ""
        match = _NAMESPACE.match(name)
        if match and not _pid_alive(int(match.group(1))):
            run(["ip", "netns", "del", name], check=False)
    links = run(["ip", "-o", "link", "show", "type", "bridge"], check=False).stdout
    for line in links.splitlines():
        parts = line.split(":")
        if len(parts) < 2:
            continue
        name = parts[1].strip().split("@")[0]
        match = _BRIDGE.match(name)
        if match and not _pid_alive(int(match.group(1), 16)):
            run(["ip", "link", "del", name], check=False)
    for rule in run(["iptables", "-w", "5", "-S", "FORWARD"], check=False).stdout.splitlines():
        words = rule.split()
        names = [w for w in words if _BRIDGE.match(w)]
        if rule.startswith("-A FORWARD") and names and not _pid_alive(int(_BRIDGE.match(names[0]).group(1), 16)):
            run(["iptables", "-w", "5", "-D"] + words[1:], check=False)


def _forward_rules(bridge):
    """The host FORWARD rules that let the members talk through `bridge` whatever the chain's
    policy: Docker sets FORWARD to DROP, and with br_netfilter loaded (Docker and the Kubernetes
    node load it) even traffic bridged between two members passes through FORWARD."""
    return [["FORWARD", "-i", bridge, "-j", "ACCEPT"], ["FORWARD", "-o", bridge, "-j", "ACCEPT"]]


def _used_networks():
    routes = run(["ip", "-4", "route", "show", "table", "all"], check=False).stdout
    used = []
    for line in routes.splitlines():
        word = line.split()[0] if line.split() else ""
        if word in ("default", "local", "broadcast"):
            word = line.split()[1] if len(line.split()) > 1 else ""
        try:
            used.append(ipaddress.ip_network(word, strict=False))
        except ValueError:
            continue
    return used


class PrivateNetwork:
    """A bridge in the root namespace and one namespace per member (broker)."""

    def __init__(self, members):
        global _counter
        ok, why = available()
        if not ok:
            raise NetnsError(why)
        with _counter_lock:
            _counter += 1
            self.serial = _counter
        self.pid = os.getpid()
        self.bridge = f"sb{self.pid:x}x{self.serial}"
        self.subnet = self._choose_subnet()
        hosts = list(self.subnet.hosts())
        self.gateway = str(hosts[0])  # the bridge's address: ZooKeeper and clients
        self.members = list(members)
        self.namespaces = {m: f"sluice-{self.pid}-{self.serial}-b{m}" for m in self.members}
        self.addresses = {m: str(hosts[10 + i]) for i, m in enumerate(self.members)}
        self._veths = {m: f"sv{self.pid:x}x{self.serial}y{i}" for i, m in enumerate(self.members)}
        self._created = False

    def _choose_subnet(self):
        used = _used_networks()
        for attempt in range(200):
            second = 100 + (self.pid + attempt) % 100
            candidate = ipaddress.ip_network(f"10.{second}.{self.serial % 250}.0/24")
            if not any(candidate.overlaps(u) for u in used):
                return candidate
        raise NetnsError("no free 10.x.y.0/24 subnet for the test network")

    def create(self):
        remove_leftovers()
        _live_networks.append(self)
        self._created = True
        try:
            run(["ip", "link", "add", self.bridge, "type", "bridge"])
            run(["ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge])
            run(["ip", "link", "set", self.bridge, "up"])
            for rule in _forward_rules(self.bridge):
                run(["iptables", "-w", "5", "-I", *rule])
            for member in self.members:
                namespace, veth, address = self.namespaces[member], self._veths[member], self.addresses[member]
                run(["ip", "netns", "add", namespace])
                run(["ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace])
                run(["ip", "link", "set", veth, "master", self.bridge])
                run(["ip", "link", "set", veth, "up"])
                inside = ["ip", "netns", "exec", namespace]
                run(inside + ["ip", "link", "set", "lo", "up"])
                run(inside + ["ip", "addr", "add", f"{address}/24", "dev", "eth0"])
                run(inside + ["ip", "link", "set", "eth0", "up"])
                run(inside + ["ip", "route", "add", "default", "via", self.gateway])
        except BaseException:
            self.teardown()
            raise
        return self

    # --- faults ----------------------------------------------------------------------------

    def _iptables(self, member, *rule):
        run(["ip", "netns", "exec", self.namespaces[member], "iptables", "-w", "5", *rule])

    def cut(self, member, peers):
        """Drops every packet between `member` and each of `peers` (both directions), inside
        member's namespace; connections already open hang as on a real partition."""
        for peer in peers:
            address = self.addresses[peer]
            self._iptables(member, "-A", "INPUT", "-s", address, "-j", "DROP")
            self._iptables(member, "-A", "OUTPUT", "-d", address, "-j", "DROP")

    def cut_from_port(self, member, port):
        """Drops traffic between `member` and `port` on the bridge address (ZooKeeper's), so the
        member keeps serving clients (which come from the same address) but loses that service."""
        self._iptables(member, "-A", "OUTPUT", "-d", self.gateway, "-p", "tcp", "--dport", str(port), "-j", "DROP")
        self._iptables(member, "-A", "INPUT", "-s", self.gateway, "-p", "tcp", "--sport", str(port), "-j", "DROP")

    def heal(self, member):
        """Removes every rule of `member`'s namespace."""
        self._iptables(member, "-F", "INPUT")
        self._iptables(member, "-F", "OUTPUT")

    def rules(self, member):
        return run(["ip", "netns", "exec", self.namespaces[member], "iptables", "-S"]).stdout

    # --- teardown --------------------------------------------------------------------------

    def teardown(self):
        """Deletes the namespaces (their veth ends go with them) and the bridge. Idempotent.
        Processes still running inside a namespace keep it alive until they exit, so stop them first."""
        if not self._created:
            return
        self._created = False
        for member in self.members:
            run(["ip", "link", "del", self._veths[member]], check=False)
            run(["ip", "netns", "del", self.namespaces[member]], check=False)
        run(["ip", "link", "del", self.bridge], check=False)
        for rule in _forward_rules(self.bridge):
            run(["iptables", "-w", "5", "-D", *rule], check=False)
        if self in _live_networks:
            _live_networks.remove(self)

    def exists(self):
        """True while any piece of this network is still present (for the teardown test)."""
        names = run(["ip", "netns", "list"], check=False).stdout
        links = run(["ip", "-o", "link", "show"], check=False).stdout
        return (any(ns in names for ns in self.namespaces.values()) or f" {self.bridge}:" in links
                or any(f" {v}@" in links or f" {v}:" in links for v in self._veths.values()))


def _teardown_all():
    for network in list(_live_networks):
        try:
            network.teardown()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


atexit.register(_teardown_all)
