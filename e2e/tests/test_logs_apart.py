"""Data apart from logs: after a broker has served traffic and stopped, log.dirs holds only data
(partition directories, checkpoints, meta.properties) and no application log, and the log
directory holds the application logs (server.log at least) and no data file."""

import os
import re
import unittest

from harness.case import E2ETestCase
from harness.kcat import Kcat

SEGMENT_OR_INDEX = re.compile(r"^\d{20}\.(log|index|timeindex|txnindex|snapshot)(\.deleted|\.cleaned|\.swap)?$")
DATA_FILE_MARKERS = re.compile(r"(^\d{20}\.(log|index|timeindex|txnindex|snapshot))|checkpoint|^meta\.properties$|"
                               r"^partition\.metadata$")
APPLICATION_LOG_NAMES = ("server.log", "controller.log", "state-change.log", "log-cleaner.log", "kafka-request.log",
                         "kafka-authorizer.log")


def walk_files(root):
    for directory, _, files in os.walk(root):
        for name in files:
            yield os.path.relpath(os.path.join(directory, name), root), name


class LogsApartTest(E2ETestCase):
    def test_data_and_application_logs_do_not_mix(self):
        zookeeper = self.start_zookeeper()
        broker = self.start_broker(zookeeper, properties={"num.partitions": 2})
        kcat = Kcat(broker.bootstrap)
        kcat.wait_topic("apart", 2)
        kcat.produce("apart", b"".join(b"k%d:v%d\n" % (i, i) for i in range(500)), key_delimiter=":")
        self.assertEqual(len(kcat.consume("apart", "%s\n").splitlines()), 500)
        self.assertEqual(broker.stop(), 0, "clean shutdown on SIGTERM exits 0")

        data_files = list(walk_files(broker.data_dir))
        log_files = list(walk_files(broker.log_dir))
        self.assertTrue(data_files, "log.dirs is empty")

        with self.subTest("no application log under log.dirs"):
            offending = [path for path, name in data_files
                         if (name.endswith(".log") and not SEGMENT_OR_INDEX.match(name))
                         or name.startswith(APPLICATION_LOG_NAMES)]
            self.assertEqual(offending, [])

        with self.subTest("log.dirs holds Kafka's data layout"):
            self.assertIn("meta.properties", [path for path, _ in data_files])
            for partition in (0, 1):
                self.assertIn(f"apart-{partition}/00000000000000000000.log", [path for path, _ in data_files])

        with self.subTest("no data file under the log directory"):
            offending = [path for path, name in log_files if DATA_FILE_MARKERS.search(name)]
            self.assertEqual(offending, [])

        with self.subTest("the application logs are in the log directory"):
            self.assertIn("server.log", [path for path, _ in log_files])
            self.assertGreater(os.path.getsize(broker.server_log_path), 0)


if __name__ == "__main__":
    unittest.main()
