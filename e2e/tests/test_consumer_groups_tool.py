"""bin/kafka-consumer-groups.sh (`sluice consumer-groups`) against a real broker's group
coordinator, with groups made by kcat's balanced consumer (librdkafka, a client we did not write):
--list, --describe (offsets, --members, --state) for an empty group with committed offsets and for
a live one, --reset-offsets in every scenario (dry run and --execute, refused while the group is
active), --delete, and the messages for groups that do not exist."""

import os
import re
import subprocess

from harness.case import E2ETestCase
from harness.kcat import Kcat
from harness.paths import REPO_DIR, build_dir
from harness.processes import ManagedProcess
from harness.waiting import wait_until

GROUPS = os.path.join(REPO_DIR, "bin", "kafka-consumer-groups.sh")
TOPICS = os.path.join(REPO_DIR, "bin", "kafka-topics.sh")
PARTITIONS = 3
PER_PARTITION = 10
KCAT_GROUP_OPTIONS = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
                      "-X", "auto.offset.reset=earliest", "-X", "auto.commit.interval.ms=100"]
HEADER = ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
          "CLIENT-ID"]


def tool_env():
    env = dict(os.environ)
    env["BUILD_DIR"] = os.path.relpath(build_dir(), REPO_DIR)
    return env


def table(stdout, header_first="GROUP"):
    """Rows (lists of cells) of the table whose header starts with `header_first`, header included."""
    rows = [line.split() for line in stdout.splitlines() if line.strip()]
    start = next(i for i, row in enumerate(rows) if row and row[0] == header_first)
    return rows[start:]


class ConsumerGroupsToolTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sluice = os.path.join(build_dir(), "bin", "sluice")
        if not os.access(sluice, os.X_OK):
            raise AssertionError(f"sluice not found at {sluice}: build it (ninja sluice)")
        zookeeper = cls.start_class_zookeeper()
        cls.broker = cls.start_class_broker(zookeeper, properties={"group.initial.rebalance.delay.ms": 0})
        cls.kcat = Kcat(cls.broker.bootstrap)
        cls.bootstrap = ["--bootstrap-server", cls.broker.bootstrap]

    def groups(self, *args, expect=0):
        completed = subprocess.run([GROUPS, *args], capture_output=True, text=True, timeout=60, env=tool_env())
        self.assertEqual(completed.returncode, expect,
                         f"kafka-consumer-groups.sh {' '.join(args)}:\n{completed.stdout}{completed.stderr}")
        return completed

    def make_topic(self, topic):
        created = subprocess.run([TOPICS, "--create", *self.bootstrap, "--topic", topic, "--partitions",
                                  str(PARTITIONS), "--replication-factor", "1"],
                                 capture_output=True, text=True, timeout=60, env=tool_env())
        self.assertEqual(created.returncode, 0, created.stdout + created.stderr)
        self.kcat.wait_topic(topic, PARTITIONS)
        for p in range(PARTITIONS):
            self.produce(topic, p, PER_PARTITION)

    def produce(self, topic, partition, count):
        self.kcat.produce(topic, "".join(f"m{i}\n" for i in range(count)).encode(), partition=partition)

    def consume_all_and_commit(self, group, topic):
        """kcat -G reads to the end (-e) and commits on close; the group is then Empty."""
        out = self.kcat.run(["-G", group, "-e", "-q", "-f", "%p %o\n", *KCAT_GROUP_OPTIONS, topic], timeout=90).stdout
        self.assertEqual(len(out.decode().splitlines()), PARTITIONS * PER_PARTITION)

    def offsets_rows(self, group):
        """{partition: row} of --describe's offsets table."""
        rows = table(self.groups("--describe", "--group", group, *self.bootstrap).stdout)
        self.assertEqual(rows[0], HEADER)
        return {int(row[2]): row for row in rows[1:]}

    def wait_committed(self, group, offsets):
        """Waits until CURRENT-OFFSET per partition equals `offsets` ({partition: offset})."""
        def done():
            rows = self.offsets_rows(group)
            return rows if {p: int(r[3]) for p, r in rows.items() if r[3] != "-"} == offsets else None
        return wait_until(done, 30, f"group {group} to have committed {offsets}", interval=0.5)

    # --- an empty group with committed offsets ---------------------------------------------

    def test_list_and_describe_an_empty_group(self):
        topic, group = "cg-describe", "cg-describe-group"
        self.make_topic(topic)
        self.consume_all_and_commit(group, topic)
        self.assertIn(group, self.groups("--list", *self.bootstrap).stdout.splitlines())

        rows = self.wait_committed(group, {p: PER_PARTITION for p in range(PARTITIONS)})
        for p, row in rows.items():
            self.assertEqual(row, [group, topic, str(p), "10", "10", "0", "-", "-", "-"])
        described = self.groups("--describe", "--group", group, *self.bootstrap)
        self.assertIn(f"Consumer group '{group}' has no active members.", described.stderr)
        self.assertTrue(described.stdout.startswith("\nGROUP "), repr(described.stdout))

        # New messages show up as lag.
        self.produce(topic, 0, 5)
        self.assertEqual(self.offsets_rows(group)[0][3:6], ["10", "15", "5"])

        state = table(self.groups("--describe", "--group", group, "--state", *self.bootstrap).stdout)
        self.assertEqual(state[0], ["GROUP", "COORDINATOR", "(ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"])
        self.assertEqual(state[1][0], group)
        self.assertEqual(state[1][-2:], ["Empty", "0"])

        members = self.groups("--describe", "--group", group, "--members", *self.bootstrap)
        self.assertIn(f"Consumer group '{group}' has no active members.", members.stderr)
        self.assertNotIn("CONSUMER-ID", members.stdout)

        all_groups = self.groups("--describe", "--all-groups", *self.bootstrap).stdout
        self.assertIn(group, all_groups)

    # --- a live group --------------------------------------------------------------------------

    def test_describe_a_live_group_and_refuse_to_reset_it(self):
        topic, group = "cg-live", "cg-live-group"
        self.make_topic(topic)
        out = os.path.join(self.scratch_dir("kcat-member"), "out.txt")
        member = ManagedProcess(["kcat", "-b", self.broker.bootstrap, "-G", group, "-q", "-f", "%p %o\n",
                                 *KCAT_GROUP_OPTIONS, topic], out)
        self.addCleanup(member.stop)

        def one_member_with_everything():
            rows = table(self.groups("--describe", "--group", group, "--members", *self.bootstrap).stdout)
            return rows if len(rows) == 2 and rows[1][-1] == str(PARTITIONS) else None
        rows = wait_until(one_member_with_everything, 60, "the kcat member to own every partition", interval=0.5)
        self.assertEqual(rows[0], ["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"])
        consumer_id, host, client_id = rows[1][1:4]
        self.assertTrue(consumer_id.startswith("rdkafka-"), consumer_id)
        self.assertEqual(client_id, "rdkafka")

        verbose = self.groups("--describe", "--group", group, "--members", "--verbose", *self.bootstrap).stdout
        self.assertIn(f"{topic}(0,1,2)", verbose)

        offsets = self.wait_committed(group, {p: PER_PARTITION for p in range(PARTITIONS)})
        for p, row in offsets.items():
            self.assertEqual(row[6:9], [consumer_id, host, client_id])

        state = table(self.groups("--describe", "--group", group, "--state", *self.bootstrap).stdout)
        self.assertEqual(state[1][-3:], ["range", "Stable", "1"])

        refused = self.groups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest",
                              "--execute", *self.bootstrap, expect=1)
        self.assertIn(f"Error: Assignments can only be reset if the group '{group}' is inactive, but the current "
                      f"state is Stable.", refused.stdout)
        member.stop()

    # --- reset offsets ---------------------------------------------------------------------------

    def test_reset_offsets(self):
        topic, group = "cg-reset", "cg-reset-group"
        self.make_topic(topic)
        self.consume_all_and_commit(group, topic)
        self.wait_committed(group, {p: PER_PARTITION for p in range(PARTITIONS)})

        # Without --execute: a plan, a warning, nothing changed.
        dry = self.groups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", *self.bootstrap)
        self.assertIn("WARN: No action will be performed as the --execute option is missing.", dry.stderr)
        plan = table(dry.stdout)
        self.assertEqual(plan[0], ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"])
        self.assertEqual(plan[1:], [[group, topic, str(p), "0"] for p in range(PARTITIONS)])
        self.assertEqual(self.offsets_rows(group)[0][3], "10")
        self.assertEqual(table(self.groups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest",
                                           "--dry-run", *self.bootstrap).stdout)[1:], plan[1:])

        scenarios = [
            (["--to-earliest"], {0: 0, 1: 0, 2: 0}),
            (["--shift-by", "3"], {0: 3, 1: 3, 2: 3}),
            (["--shift-by", "-5"], {0: 0, 1: 0, 2: 0}),        # clamped to the log start
            (["--to-offset", "7"], {0: 7, 1: 7, 2: 7}),
            (["--to-offset", "1000"], {0: 10, 1: 10, 2: 10}),  # clamped to the log end
            (["--to-current"], {0: 10, 1: 10, 2: 10}),
        ]
        for flags, expected in scenarios:
            with self.subTest(flags=flags):
                done = self.groups("--reset-offsets", "--group", group, "--topic", topic, *flags, "--execute",
                                   *self.bootstrap)
                self.assertEqual({int(r[2]): int(r[3]) for r in table(done.stdout)[1:]}, expected)
                self.wait_committed(group, expected)

        # One partition only (topic:partitions), then every committed topic.
        self.groups("--reset-offsets", "--group", group, "--topic", f"{topic}:1", "--to-earliest", "--execute",
                    *self.bootstrap)
        self.wait_committed(group, {0: 10, 1: 0, 2: 10})
        self.produce(topic, 2, 4)
        self.groups("--reset-offsets", "--group", group, "--all-topics", "--to-latest", "--execute", *self.bootstrap)
        self.wait_committed(group, {0: 10, 1: 10, 2: 14})

        # A consumer of the group resumes from the reset offsets.
        self.groups("--reset-offsets", "--group", group, "--topic", f"{topic}:0", "--shift-by", "-2", "--execute",
                    *self.bootstrap)
        self.wait_committed(group, {0: 8, 1: 10, 2: 14})
        out = self.kcat.run(["-G", group, "-e", "-q", "-f", "%p %o\n", *KCAT_GROUP_OPTIONS, topic], timeout=90).stdout
        self.assertEqual(sorted(out.decode().split("\n")[:-1]), ["0 8", "0 9"])

    # --- delete and groups that do not exist ----------------------------------------------------

    def test_delete(self):
        topic, group = "cg-delete", "cg-delete-group"
        self.make_topic(topic)
        self.consume_all_and_commit(group, topic)
        self.wait_committed(group, {p: PER_PARTITION for p in range(PARTITIONS)})
        deleted = self.groups("--delete", "--group", group, *self.bootstrap)
        self.assertEqual(deleted.stdout, f"Deletion of requested consumer groups ('{group}') was successful.\n")
        self.assertNotIn(group, self.groups("--list", *self.bootstrap).stdout.splitlines())
        gone = self.groups("--describe", "--group", group, *self.bootstrap, expect=1)
        self.assertIn(f"Error: Consumer group '{group}' does not exist.", gone.stdout)

    def test_missing_groups(self):
        gone = self.groups("--describe", "--group", "cg-never", *self.bootstrap, expect=1)
        self.assertIn("Error: Consumer group 'cg-never' does not exist.", gone.stdout)
        failed = self.groups("--delete", "--group", "cg-never", *self.bootstrap, expect=1)
        self.assertIn("Error: Deletion of some consumer groups failed:", failed.stdout)
        self.assertRegex(failed.stdout, re.compile(r"\* Group 'cg-never' could not be deleted due to: .*"
                                                   r"GroupIdNotFoundException: The group id does not exist\."))

    # --- flags ----------------------------------------------------------------------------------

    def test_flag_errors(self):
        self.assertIn('Missing required argument "[bootstrap-server]"', self.groups("--list", expect=1).stderr)
        self.assertIn("Option [describe] takes one of these options: [group], [all-groups]",
                      self.groups("--describe", *self.bootstrap, expect=1).stderr)
        self.assertIn("Command must include exactly one action",
                      self.groups("--list", "--delete", *self.bootstrap, expect=1).stderr)
        self.assertIn("One of the reset scopes should be defined: --all-topics, --topic.",
                      self.groups("--reset-offsets", "--group", "g", "--to-earliest", *self.bootstrap,
                                  expect=1).stderr)
        self.assertIn("to-offset", self.groups("--reset-offsets", "--group", "g", "--all-topics", "--to-offset",
                                               "ten", *self.bootstrap, expect=1).stderr)
        help_out = self.groups("--help")
        self.assertIn("--reset-offsets", help_out.stdout)
