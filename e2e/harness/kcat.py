"""kcat (Debian's, librdkafka 2.0.2 inside) as an unmodified client, every call with a timeout.

kcat without -G uses librdkafka's legacy simple consumer (no consumer groups), which is what the
suite needs before the group coordinator exists.
"""

import json
import re
import subprocess

from .waiting import wait_until

KCAT = "/usr/bin/kcat"
# Keep librdkafka from waiting long on a dead broker so failures surface within test timeouts.
_COMMON = ["-X", "socket.timeout.ms=10000", "-X", "metadata.request.timeout.ms=10000", "-X", "topic.metadata.refresh.interval.ms=1000"]


class KcatError(AssertionError):
    pass


class Kcat:
    def __init__(self, bootstrap):
        self.bootstrap = bootstrap

    def run(self, args, input_bytes=None, timeout=60.0, check=True):
        """Runs kcat with the bootstrap server and args; returns the CompletedProcess."""
        argv = [KCAT, "-b", self.bootstrap] + _COMMON + list(args)
        try:
            completed = subprocess.run(argv, input=input_bytes, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            raise KcatError(f"kcat timed out after {timeout}s: {' '.join(argv)}\nstderr tail: "
                            f"{(expired.stderr or b'')[-2000:].decode(errors='replace')}") from None
        if check and completed.returncode != 0:
            raise KcatError(f"kcat exited {completed.returncode}: {' '.join(argv)}\nstderr tail: "
                            f"{completed.stderr[-3000:].decode(errors='replace')}")
        return completed

    # --- metadata --------------------------------------------------------------------------

    def metadata(self, topic=None, timeout=20.0):
        """kcat -L -J; returns the parsed JSON. Asking for a topic may auto-create it."""
        args = ["-L", "-J", "-m", "10"] + (["-t", topic] if topic else [])
        return json.loads(self.run(args, timeout=timeout).stdout)

    def wait_topic(self, topic, partitions, timeout=30.0):
        """Waits until metadata lists `topic` with exactly `partitions` partitions, each with a leader."""
        def ready():
            for entry in self.metadata(topic).get("topics", []):
                if entry.get("topic") != topic or entry.get("error"):
                    continue
                parts = entry.get("partitions", [])
                if len(parts) == partitions and all(p.get("leader", -1) >= 0 and not p.get("error") for p in parts):
                    return entry
            return None
        return wait_until(ready, timeout, f"topic {topic} with {partitions} led partitions", interval=0.5)

    # --- produce / consume -----------------------------------------------------------------

    def produce(self, topic, data, key_delimiter=None, partition=None, extra=(), timeout=120.0):
        """Produces newline-delimited messages from `data` (bytes) with acks=all."""
        args = ["-P", "-t", topic, "-X", "acks=all"]
        if key_delimiter is not None:
            args += ["-K", key_delimiter]
        if partition is not None:
            args += ["-p", str(partition)]
        return self.run(args + list(extra), input_bytes=data, timeout=timeout)

    def consume(self, topic, fmt, partition=None, offset="beginning", extra=(), timeout=120.0):
        """Consumes from `offset` to the current end (-e) and returns stdout bytes formatted by -f."""
        args = ["-C", "-q", "-e", "-t", topic, "-o", str(offset), "-f", fmt]
        if partition is not None:
            args += ["-p", str(partition)]
        return self.run(args + list(extra), timeout=timeout).stdout

    def query_offset(self, topic, partition, timestamp, timeout=20.0):
        """kcat -Q: the offset for `timestamp` (ms; -1 = latest/end, -2 = earliest)."""
        out = self.run(["-Q", "-t", f"{topic}:{partition}:{timestamp}"], timeout=timeout).stdout.decode()
        match = re.search(r"\[\s*%d\s*\]\s+offset\s+(-?\d+)([^\n]*)" % partition, out)
        if not match:
            raise KcatError(f"unexpected kcat -Q output: {out!r}")
        if match.group(2).strip():  # kcat appends ": <error>" when the partition has an error
            raise KcatError(f"kcat -Q {topic}:{partition}:{timestamp} failed: {out.strip()!r}")
        return int(match.group(1))
