"""Where the pieces under test live.

SLUICE_BUILD_DIR (set by ctest from e2e/CMakeLists.txt) is the CMake build directory. Individual
paths can be overridden: SLUICE_BROKER_BIN, SLUICE_RDKAFKA_CLIENT, SLUICE_NOLOSS_PRODUCER.
"""

import os

E2E_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(E2E_DIR)


def build_dir():
    return os.environ.get("SLUICE_BUILD_DIR") or os.path.join(REPO_DIR, "build")


def _existing_executable(path, what, how_to_get_it):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError(f"{what} not found at {path}: {how_to_get_it}")
    return path


def broker_binary():
    path = os.environ.get("SLUICE_BROKER_BIN") or os.path.join(build_dir(), "bin", "sluice-broker")
    return _existing_executable(path, "sluice-broker", "build it (ninja sluice-broker) or set SLUICE_BROKER_BIN")


def rdkafka_client():
    path = os.environ.get("SLUICE_RDKAFKA_CLIENT") or os.path.join(build_dir(), "bin", "rdkafka_e2e_client")
    return _existing_executable(path, "rdkafka_e2e_client", "build it (ninja rdkafka_e2e_client) or set SLUICE_RDKAFKA_CLIENT")


def noloss_producer():
    path = os.environ.get("SLUICE_NOLOSS_PRODUCER") or os.path.join(build_dir(), "bin", "sluice_noloss_producer")
    return _existing_executable(path, "sluice_noloss_producer",
                                "build it (ninja sluice_noloss_producer) or set SLUICE_NOLOSS_PRODUCER")


def kafkajs_dir():
    return os.path.join(E2E_DIR, "kafkajs")


def node_modules_dir():
    return os.path.join(E2E_DIR, "node_modules")


def scratch_root():
    """Parent of every test's temporary directory (SLUICE_E2E_TMP, else the system temp dir)."""
    return os.environ.get("SLUICE_E2E_TMP") or None
