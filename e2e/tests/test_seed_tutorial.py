"""The seed tutorial (research/seed-000_5fbda85c48833e46.txt, a Kafka 2.1 quickstart) end to end,
with the commands typed as the tutorial types them, against one broker on a real ZooKeeper:

  bin/kafka-topics.sh --list --zookeeper HOST:PORT                      (nothing yet)
  bin/kafka-topics.sh --create --zookeeper HOST:PORT --topic sports --partitions 2 --replication-factor 1
  bin/kafka-topics.sh --list / --describe
  bin/kafka-console-producer.sh --topic sports --broker-list HOST:PORT  (lines on stdin)
  bin/kafka-console-consumer.sh --topic sports --bootstrap-server HOST:PORT --from-beginning
                                 (started after the producer finished; stopped with Ctrl-C)
  bin/kafka-topics.sh --delete   with delete.topic.enable=false: the request is dropped by the
                                 controller broker and the topic stays; with true: the topic is
                                 gone from --list and its partition directories from disk.
"""

import os
import signal
import subprocess
import time

from harness.case import E2ETestCase
from harness.paths import REPO_DIR, build_dir
from harness.waiting import wait_until
from harness.zk_client import ZkClient

TOPICS = os.path.join(REPO_DIR, "bin", "kafka-topics.sh")
PRODUCER = os.path.join(REPO_DIR, "bin", "kafka-console-producer.sh")
CONSUMER = os.path.join(REPO_DIR, "bin", "kafka-console-consumer.sh")

LINES = [f"score {i}: 比分 {i}:{i + 1}" for i in range(20)]


def tool_env():
    """bin/sluice-env.sh finds `sluice` under $BUILD_DIR (relative to the repo) before PATH."""
    env = dict(os.environ)
    env["BUILD_DIR"] = os.path.relpath(build_dir(), REPO_DIR)
    return env


class SeedTutorialTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        sluice = os.path.join(build_dir(), "bin", "sluice")
        if not os.access(sluice, os.X_OK):
            raise AssertionError(f"sluice not found at {sluice}: build it (ninja sluice)")
        self.zookeeper = self.start_zookeeper()
        # The tutorial's first attempt: deletion not enabled. Deleted segments go at once so the
        # last step can see the directories gone (Kafka waits file.delete.delay.ms, 60 s).
        self.broker = self.start_broker(self.zookeeper, properties={
            "delete.topic.enable": "false",
            "log.segment.delete.delay.ms": 100,
        })
        self.zk = self.zookeeper.connect

    def topics(self, *args, timeout=60):
        completed = subprocess.run([TOPICS, *args], capture_output=True, text=True, timeout=timeout,
                                   env=tool_env())
        self.assertEqual(completed.returncode, 0,
                         f"kafka-topics.sh {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")
        return completed.stdout

    def listed(self):
        return self.topics("--list", "--zookeeper", self.zk).splitlines()

    def sports_dirs(self):
        return sorted(name for name in os.listdir(self.broker.data_dir) if name.startswith("sports-"))

    def test_tutorial_as_typed(self):
        # 查看当前服务器所有 topic: nothing yet.
        self.assertEqual(self.listed(), [])

        # 创建 topic.
        out = self.topics("--create", "--zookeeper", self.zk, "--topic", "sports", "--partitions", "2",
                          "--replication-factor", "1")
        self.assertEqual(out, "Created topic sports.\n")
        self.assertEqual(self.listed(), ["sports"])

        # 查看 topic 的详细信息: once the controller broker elected leaders, both partitions on broker 0.
        def described():
            text = self.topics("--describe", "--zookeeper", self.zk, "--topic", "sports")
            return text if text.count("\tLeader: 0\t") == 2 else None
        text = wait_until(described, 30, "both partitions of sports to have leader 0")
        lines = text.splitlines()
        self.assertEqual(len(lines), 3, text)
        self.assertRegex(lines[0], r"^Topic: sports\t(TopicId: [A-Za-z0-9_-]{22}\t)?PartitionCount: 2\t"
                                   r"ReplicationFactor: 1\tConfigs: $")
        self.assertEqual(lines[1], "\tTopic: sports\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0")
        self.assertEqual(lines[2], "\tTopic: sports\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0")
        # 创建的数据存在 logs 中的 name-0, name-1.
        wait_until(lambda: self.sports_dirs() == ["sports-0", "sports-1"], 30, "sports-0 and sports-1 on disk")

        # 向 sports 中生产数据 (the producer reads stdin; here the lines come from a pipe).
        produced = subprocess.run([PRODUCER, "--topic", "sports", "--broker-list", self.broker.bootstrap],
                                  input="".join(line + "\n" for line in LINES).encode(), capture_output=True,
                                  timeout=60, env=tool_env())
        self.assertEqual(produced.returncode, 0, produced.stderr.decode())

        # 生产结束后, 使用另一端读取数据: a consumer that was not online while producing gets everything
        # with --from-beginning. It runs until Ctrl-C, as in the tutorial.
        consumer = subprocess.Popen([CONSUMER, "--topic", "sports", "--bootstrap-server", self.broker.bootstrap,
                                     "--from-beginning"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=tool_env())
        try:
            received = []
            deadline = time.monotonic() + 60
            while len(received) < len(LINES) and time.monotonic() < deadline:
                line = consumer.stdout.readline()
                if not line:
                    break
                received.append(line.decode().rstrip("\n"))
            consumer.send_signal(signal.SIGINT)
            _, stderr = consumer.communicate(timeout=30)
        finally:
            if consumer.poll() is None:
                consumer.kill()
                consumer.wait()
        # Two partitions: order holds within each partition only.
        self.assertEqual(sorted(received), sorted(LINES))
        self.assertIn(f"Processed a total of {len(LINES)} messages", stderr.decode())

        # 删除 topic without delete.topic.enable=true: marked, then the controller broker drops the
        # request and the topic stays.
        out = self.topics("--delete", "--zookeeper", self.zk, "--topic", "sports")
        self.assertEqual(out, "Topic sports is marked for deletion.\n"
                              "Note: This will have no impact if delete.topic.enable is not set to true.\n")

        def request_dropped():
            with ZkClient(self.zk) as zk:
                return zk.exists("/admin/delete_topics/sports") is None
        wait_until(request_dropped, 30, "the controller broker to drop /admin/delete_topics/sports")
        self.assertEqual(self.listed(), ["sports"])
        self.assertEqual(self.sports_dirs(), ["sports-0", "sports-1"])

        # 设置为 true 时会被删除掉.
        self.broker.properties["delete.topic.enable"] = "true"
        self.broker.restart()
        out = self.topics("--delete", "--zookeeper", self.zk, "--topic", "sports")
        self.assertIn("Topic sports is marked for deletion.", out)
        wait_until(lambda: self.listed() == [], 60, "sports to disappear from --list")
        wait_until(lambda: self.sports_dirs() == [], 60, "sports' partition directories to be deleted from disk")
        with ZkClient(self.zk) as zk:
            self.assertIsNone(zk.exists("/brokers/topics/sports"))
            self.assertIsNone(zk.exists("/config/topics/sports"))
            self.assertIsNone(zk.exists("/admin/delete_topics/sports"))
