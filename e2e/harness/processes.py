"""Child processes that never outlive the test run.

Each child runs in its own session (process group), so a signal reaches the child and anything it
spawned (ZooKeeper's JVM, node's workers). Every started process is registered; stop_all() runs at
interpreter exit and on SIGTERM/SIGINT of the test runner, so a failing or interrupted test leaves
nothing behind. If the runner itself is SIGKILLed, PR_SET_PDEATHSIG makes the kernel kill the
direct children.
"""

import atexit
import ctypes
import os
import signal
import subprocess
import threading

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    """Runs in the child before exec: if the test runner is SIGKILLed (e.g. by a ctest timeout),
    the kernel kills the child too, since atexit handlers never run in that case."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


# Public name for subprocess.run callers (preexec_fn) outside this module.
die_with_parent = _die_with_parent

_registry_lock = threading.Lock()
_registry = []


class ManagedProcess:
    """A started child process whose stdout+stderr go to `output_path`."""

    def __init__(self, argv, output_path, env=None, cwd=None, stdin=subprocess.DEVNULL):
        self.argv = list(argv)
        self.output_path = output_path
        self._output = open(output_path, "ab")
        self.popen = subprocess.Popen(
            self.argv, stdout=self._output, stderr=subprocess.STDOUT, stdin=stdin,
            env=env, cwd=cwd, start_new_session=True, preexec_fn=_die_with_parent)
        with _registry_lock:
            _registry.append(self)

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def returncode(self):
        return self.popen.poll()

    def signal_group(self, sig):
        """Sends sig to the child's whole process group; a group already gone is not an error."""
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self, sig=signal.SIGKILL):
        """Sends sig to the process group. For SIGKILL, also waits until the child is reaped."""
        if not self.alive():
            return
        self.signal_group(sig)
        if sig == signal.SIGKILL:
            self.popen.wait(timeout=10)

    def wait(self, timeout):
        """Waits for exit and returns the exit code; raises subprocess.TimeoutExpired."""
        return self.popen.wait(timeout=timeout)

    def stop(self, timeout=15.0):
        """SIGTERM, then SIGKILL after `timeout` seconds. Returns the exit code (negative = signal)."""
        if self.alive():
            self.signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.popen.wait(timeout=10)
        # Whatever the child spawned into its group goes too.
        self.signal_group(signal.SIGKILL)
        self._output.close()
        with _registry_lock:
            if self in _registry:
                _registry.remove(self)
        return self.popen.returncode

    def output_tail(self, max_bytes=4000):
        return tail_of_file(self.output_path, max_bytes)


def tail_of_file(path, max_bytes=4000):
    """The last max_bytes of a file as text ("" when the file does not exist)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def stop_all():
    """Kills every registered child (used at exit and on runner signals)."""
    with _registry_lock:
        remaining = list(_registry)
    for process in remaining:
        try:
            process.signal_group(signal.SIGKILL)
            process.popen.wait(timeout=10)
        except Exception:  # noqa: BLE001 - best effort at shutdown
            pass
        with _registry_lock:
            if process in _registry:
                _registry.remove(process)


def _on_runner_signal(signum, _frame):
    stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


atexit.register(stop_all)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_runner_signal)


# --- processes the harness did not start (a broker that daemonized itself) --------------------

def pids_with_argument(argument):
    """Pids of this user's processes whose command line has `argument` as one of its words, found
    through /proc. Tests use a path unique to them (their server.properties), so only their own
    processes match, never another test's or another user's broker."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                words = f.read().split(b"\0")
            if os.stat(f"/proc/{entry}").st_uid != os.getuid():
                continue
        except OSError:
            continue  # exited meanwhile
        if os.fsencode(argument) in words and not process_gone(int(entry)):
            found.append(int(entry))
    return found


def process_gone(pid):
    """True when pid no longer runs: absent, or a zombie not yet reaped by its (new) parent."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return True
    # The state follows the parenthesised command name, which may itself contain ") ".
    return stat[stat.rindex(b")") + 2:stat.rindex(b")") + 3] in (b"Z", b"X")
