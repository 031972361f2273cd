"""The no-loss checker: a producer that records what it was told, and a verifier of the result.

NoLossProducer runs e2e/clients/noloss_producer.c (librdkafka; acks=all, idempotence on, retries
unbounded, message.timeout.ms bounded), which produces "<run>-<n>" to one partition and writes
one line per delivery report. After the fault has healed, verify() reads the whole partition
back (kcat, from whichever broker leads it) and every replica's segment files, and checks:
  * every acknowledged value is present exactly once, at the offset it was acknowledged with;
  * no value of the run appears twice (acknowledged or not);
  * offsets read are increasing and contiguous;
  * replicas agree: the batches (offsets and CRC) of every replica are identical up to the
    smallest high watermark among them (replication-offset-checkpoint, written at a clean stop;
    without one, the smallest log end offset), and what the consumer read matches them there.
Verdict.line() is what the tests print:
  "acked=N lost=0 duplicated=0 unacked-but-present=M replicas-consistent=yes"
"""

import collections
import os
import re

from . import kcat as kcat_module
from .paths import noloss_producer
from .processes import ManagedProcess
from .record_batch import decode_records, read_segment_batches
from .waiting import GiveUp, wait_until

SEGMENT = re.compile(r"^\d{20}\.log$")


def _value_text(raw):
    """A stored value without the producer's '.' padding, as text."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return text.split(".", 1)[0]


# --- the producer ------------------------------------------------------------------------------

class ProducerLog:
    """The parsed --out file of sluice_noloss_producer."""

    def __init__(self, path):
        self.acks = {}          # value -> offset
        self.ack_times = []     # (wall-clock ms, value, offset), in report order
        self.failures = {}      # value -> error name
        self.fatal = []         # fatal lines
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            data = b""
        for line in data.decode("utf-8", "replace").split("\n")[:-1]:  # a torn last line is ignored
            words = line.split(" ")
            if words[0] == "ack" and len(words) == 4:
                value, offset, ms = words[1], int(words[2]), int(words[3])
                if value in self.acks:
                    raise AssertionError(f"{path}: {value} acknowledged twice ({self.acks[value]}, {offset})")
                self.acks[value] = offset
                self.ack_times.append((ms, value, offset))
            elif words[0] == "fail" and len(words) == 3:
                self.failures[words[1]] = words[2]
            elif words[0] == "fatal":
                self.fatal.append(line)
            else:
                raise AssertionError(f"{path}: unexpected line {line!r}")

    def first_ack_after(self, wall_clock_ms):
        """Wall-clock ms of the first acknowledgement reported at or after the given time, or None."""
        later = [ms for ms, _, _ in self.ack_times if ms >= wall_clock_ms]
        return min(later) if later else None


class NoLossProducer:
    def __init__(self, workdir, bootstrap, topic, partition=0, run="run1", rate=200, duration_ms=None,
                 count=None, acks="all", idempotence=True, message_timeout_ms=60000, request_timeout_ms=10000):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.out_path = os.path.join(workdir, f"noloss-{run}.txt")
        self.output_path = os.path.join(workdir, f"noloss-{run}.out")
        self.run = run
        self.topic = topic
        self.partition = partition
        self.message_timeout_ms = message_timeout_ms
        self.argv = [noloss_producer(), "--bootstrap", bootstrap, "--topic", topic, "--partition", str(partition),
                     "--run", run, "--rate", str(rate), "--out", self.out_path, "--acks", str(acks),
                     "--idempotence", "true" if idempotence else "false",
                     "--message-timeout-ms", str(message_timeout_ms), "--request-timeout-ms", str(request_timeout_ms)]
        if duration_ms is not None:
            self.argv += ["--duration-ms", str(duration_ms)]
        if count is not None:
            self.argv += ["--count", str(count)]
        self.process = None

    def start(self):
        self.process = ManagedProcess(self.argv, self.output_path, cwd=self.workdir)
        return self

    def log(self):
        return ProducerLog(self.out_path)

    def acked(self):
        """Acknowledgements recorded so far."""
        try:
            with open(self.out_path, "rb") as f:
                data = b"\n" + f.read()
        except FileNotFoundError:
            return 0
        return data.count(b"\nack ")

    def wait_acks(self, at_least, timeout):
        """Waits until at least `at_least` acknowledgements are recorded (the producer must live)."""
        def enough():
            if self.process is not None and not self.process.alive():
                raise GiveUp(f"noloss producer exited {self.process.returncode()}: {self.process.output_tail(1500)}")
            return self.acked() >= at_least
        wait_until(enough, timeout, f"{at_least} acknowledgements in {self.out_path} "
                   f"(producer output: {self.process.output_tail(800) if self.process else ''!r})", interval=0.2)

    def stop(self, timeout=None):
        """SIGTERM; the producer waits for its outstanding reports. Returns the summary line."""
        if self.process is None:
            return ""
        budget = timeout if timeout is not None else self.message_timeout_ms / 1000 + 30
        code = self.process.stop(budget)
        summary = self.process.output_tail(4000)
        if code not in (0, 3):
            raise AssertionError(f"noloss producer exited {code}: {summary}")
        return summary

    def wait_exit(self, timeout):
        """For --duration-ms/--count runs: waits for the producer to finish by itself."""
        wait_until(lambda: not self.process.alive(), timeout, f"noloss producer {self.run} to finish")
        return self.stop()


# --- reading the partition back ------------------------------------------------------------------

def read_partition(bootstrap, topic, partition, timeout=120.0):
    """[(offset, value text)] of the whole partition as a consumer sees it (up to the high watermark)."""
    out = kcat_module.Kcat(bootstrap).consume(topic, "%o %s\n", partition=partition, timeout=timeout)
    served = []
    for line in out.split(b"\n"):
        if line:
            offset, value = line.split(b" ", 1)
            served.append((int(offset), _value_text(value)))
    return served


def read_checkpoint(data_dir, name="replication-offset-checkpoint"):
    """{(topic, partition): offset} from a Kafka offset checkpoint file (version 0); {} if absent."""
    path = os.path.join(data_dir, name)
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return {}
    if len(lines) < 2 or lines[0].strip() != "0":
        raise AssertionError(f"{path}: not a version-0 checkpoint: {lines[:3]!r}")
    entries = {}
    for line in lines[2:2 + int(lines[1])]:
        topic, partition, offset = line.rsplit(" ", 2)
        entries[(topic, int(partition))] = int(offset)
    return entries


class ReplicaData:
    """One replica's batches on disk: [(base offset, last offset, crc, [(offset, value)] or None)]."""

    def __init__(self, broker_id, data_dir, topic, partition):
        self.broker_id = broker_id
        self.directory = os.path.join(data_dir, f"{topic}-{partition}")
        self.batches = []
        self.corrupt = []
        if os.path.isdir(self.directory):
            for name in sorted(n for n in os.listdir(self.directory) if SEGMENT.match(n)):
                for header, raw in read_segment_batches(os.path.join(self.directory, name)):
                    if not header.crc_ok:
                        self.corrupt.append(header.base_offset)
                        continue
                    records = decode_records(raw)
                    values = None if records is None else [(r.offset, _value_text(r.value or b"")) for r in records]
                    self.batches.append((header.base_offset, header.base_offset + header.last_offset_delta,
                                         header.crc, values))
        self.high_watermark = read_checkpoint(data_dir).get((topic, partition))

    @property
    def exists(self):
        return os.path.isdir(self.directory)

    @property
    def log_end_offset(self):
        return self.batches[-1][1] + 1 if self.batches else 0

    def batches_below(self, limit):
        return [b[:3] for b in self.batches if b[1] < limit]

    def values_below(self, limit):
        found = {}
        for _, last, _, values in self.batches:
            if last < limit and values is not None:
                found.update(values)
        return found


# --- the verdict ---------------------------------------------------------------------------------

class Verdict:
    def __init__(self):
        self.acked = 0
        self.lost = []            # acknowledged values not read back
        self.moved = []           # (value, acknowledged offset, offset read)
        self.duplicated = []      # values read more than once
        self.unacked_present = 0  # values read back that were never acknowledged (failed or unreported)
        self.offset_problems = []
        self.replicas_consistent = None  # True/False, None when there was nothing to compare
        self.replica_problems = []
        self.compared_up_to = None
        self.fatal = []

    @property
    def ok(self):
        return (not self.lost and not self.moved and not self.duplicated and not self.offset_problems
                and self.replicas_consistent is not False)

    def line(self):
        consistent = {True: "yes", False: "NO", None: "n/a"}[self.replicas_consistent]
        return (f"acked={self.acked} lost={len(self.lost)} moved={len(self.moved)} duplicated={len(self.duplicated)} "
                f"unacked-but-present={self.unacked_present} replicas-consistent={consistent}"
                + (f" (compared below offset {self.compared_up_to})" if self.compared_up_to is not None else ""))

    def details(self):
        parts = [self.line()]
        if self.lost:
            parts.append(f"lost (first 10): {self.lost[:10]}")
        if self.moved:
            parts.append(f"acknowledged at another offset (value, acked, read; first 10): {self.moved[:10]}")
        if self.duplicated:
            parts.append(f"duplicated (first 10): {self.duplicated[:10]}")
        parts += self.offset_problems[:5] + self.replica_problems[:10] + self.fatal
        return "\n".join(parts)


def verify(producer_logs, served, replicas=None):
    """producer_logs: [ProducerLog] (values of every run are checked; values of other runs in the
    partition are ignored); served: read_partition()'s answer; replicas: [ReplicaData] of every
    broker that should hold the partition."""
    verdict = Verdict()
    acks, failures = {}, {}
    for log in producer_logs:
        acks.update(log.acks)
        failures.update(log.failures)
        verdict.fatal += log.fatal
    run_prefixes = tuple({value.rsplit("-", 1)[0] + "-" for value in list(acks) + list(failures)})
    verdict.acked = len(acks)

    positions = collections.defaultdict(list)
    previous = None
    for offset, value in served:
        if previous is not None and offset != previous + 1:
            verdict.offset_problems.append(f"offsets not contiguous: {previous} then {offset}")
        previous = offset
        if run_prefixes and value.startswith(run_prefixes):
            positions[value].append(offset)
    for value, offset in acks.items():
        found = positions.get(value)
        if not found:
            verdict.lost.append(value)
        elif found[0] != offset:
            verdict.moved.append((value, offset, found[0]))
    verdict.duplicated = sorted(v for v, offsets in positions.items() if len(offsets) > 1)
    verdict.unacked_present = sum(1 for v in positions if v not in acks)

    replicas = [r for r in (replicas or [])]
    if replicas:
        missing = [r.broker_id for r in replicas if not r.exists]
        corrupt = [(r.broker_id, r.corrupt[:3]) for r in replicas if r.corrupt]
        if missing:
            verdict.replica_problems.append(f"no partition directory on brokers {missing}")
        if corrupt:
            verdict.replica_problems.append(f"batches failing their CRC (broker, base offsets): {corrupt}")
        present = [r for r in replicas if r.exists]
        if present:
            watermarks = [r.high_watermark for r in present]
            limit = min(watermarks) if all(w is not None for w in watermarks) else \
                min(r.log_end_offset for r in present)
            verdict.compared_up_to = limit
            reference = present[0]
            expected = reference.batches_below(limit)
            for replica in present[1:]:
                got = replica.batches_below(limit)
                if got != expected:
                    first = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
                    verdict.replica_problems.append(
                        f"broker {replica.broker_id} differs from broker {reference.broker_id} below offset {limit} at "
                        f"batch #{first}: {got[first:first + 1]} vs {expected[first:first + 1]} "
                        f"({len(got)} vs {len(expected)} batches)")
            on_disk = reference.values_below(limit)
            read = dict(served)
            differing = [o for o, v in on_disk.items() if o in read and read[o] != v]
            if differing:
                verdict.replica_problems.append(f"consumer read differs from broker {reference.broker_id}'s segments "
                                                f"at offsets {differing[:10]}")
        verdict.replicas_consistent = not verdict.replica_problems
    return verdict
