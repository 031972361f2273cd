"""Free TCP ports on loopback.

The port is found by binding to port 0 and closing the socket, so another process could take it
before the broker binds it; on a test machine that race is rare, and the broker then fails to start
with a clear "address in use" in its log rather than the test passing silently.
"""

import socket

_handed_out = set()


def free_port():
    """Returns a loopback TCP port that is free now and was not handed out before in this process."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def port_accepts(port, host="127.0.0.1", timeout=0.5):
    """True when a TCP connection to host:port succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
