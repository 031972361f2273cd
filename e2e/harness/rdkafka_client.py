"""The librdkafka C client (e2e/clients, target rdkafka_e2e_client), run with timeouts."""

import os
import subprocess

from .paths import rdkafka_client
from .processes import ManagedProcess


def _argv(mode, options):
    argv = [rdkafka_client(), mode]
    for name, value in options.items():
        argv += ["--" + name.replace("_", "-"), str(value)]
    return argv


def run(mode, timeout=120.0, **options):
    """Runs one mode to completion; returns the CompletedProcess (text). Options become --name value."""
    argv = _argv(mode, options)
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(f"{' '.join(argv)} timed out after {timeout}s; stderr: {expired.stderr!r}") from None


def start(mode, output_path, **options):
    """Starts a long-running mode (produce-log) as a ManagedProcess; stdout+stderr to output_path."""
    return ManagedProcess(_argv(mode, options), output_path, cwd=os.path.dirname(output_path))
