#!/usr/bin/env python3
"""Records the request frames a real Kafka client sends, for the golden-bytes tests.

Listens on 127.0.0.1:PORT, answers ApiVersions with Apache Kafka 2.8's version ranges (so the
client goes on to its next request, usually Metadata), answers nothing else, and saves each
request frame (header + body, without the int32 size prefix) as hex in
OUT_DIR/<prefix>_<api>_v<version>.hex. Stops after --frames frames or --timeout seconds.

  capture_requests.py --port 19092 --prefix kcat --out tests/golden/data &
  kcat -b 127.0.0.1:19092 -L
"""

import argparse
import os
import socket
import struct
import sys
import time

# Apache Kafka 2.8 (key: name, min, max, first flexible or None), from its request schemas.
KAFKA_28_APIS = {
    0: ("produce", 0, 9, 9), 1: ("fetch", 0, 12, 12), 2: ("list_offsets", 0, 6, 6),
    3: ("metadata", 0, 11, 9), 8: ("offset_commit", 0, 8, 8), 9: ("offset_fetch", 0, 7, 6),
    10: ("find_coordinator", 0, 3, 3), 11: ("join_group", 0, 7, 6), 12: ("heartbeat", 0, 4, 4),
    13: ("leave_group", 0, 4, 4), 14: ("sync_group", 0, 5, 4), 15: ("describe_groups", 0, 5, 5),
    16: ("list_groups", 0, 4, 3), 17: ("sasl_handshake", 0, 1, None),
    18: ("api_versions", 0, 3, 3), 19: ("create_topics", 0, 7, 5), 20: ("delete_topics", 0, 6, 4),
    21: ("delete_records", 0, 2, 2), 22: ("init_producer_id", 0, 4, 2),
    32: ("describe_configs", 0, 4, 4), 33: ("alter_configs", 0, 2, 2),
    36: ("sasl_authenticate", 0, 2, 2), 37: ("create_partitions", 0, 3, 2),
    42: ("delete_groups", 0, 2, 2), 44: ("incremental_alter_configs", 0, 1, 1),
    47: ("offset_delete", 0, 0, None), 60: ("describe_cluster", 0, 0, 0),
}


def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def api_versions_response(correlation_id, version):
    """ApiVersions response (header v0 always); an unsupported version gets v0 + error 35."""
    error = 0
    if version > 3:
        version, error = 0, 35
    apis = sorted(KAFKA_28_APIS.items())
    body = struct.pack(">h", error)
    if version >= 3:
        body += uvarint(len(apis) + 1)
        for key, (_, lo, hi, _) in apis:
            body += struct.pack(">hhh", key, lo, hi) + b"\x00"
        body += struct.pack(">i", 0) + b"\x00"
    else:
        body += struct.pack(">i", len(apis))
        for key, (_, lo, hi, _) in apis:
            body += struct.pack(">hhh", key, lo, hi)
        if version >= 1:
            body += struct.pack(">i", 0)
    payload = struct.pack(">i", correlation_id) + body
    return struct.pack(">i", len(payload)) + payload


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--frames", type=int, default=2)
    p.add_argument("--timeout", type=float, default=20)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)

    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.port))
    server.listen(4)
    deadline = time.time() + args.timeout
    saved = 0
    while saved < args.frames and time.time() < deadline:
        server.settimeout(max(0.1, deadline - time.time()))
        try:
            conn, _ = server.accept()
        except socket.timeout:
            break
        conn.settimeout(max(0.1, deadline - time.time()))
        with conn:
            while saved < args.frames:
                try:
                    size = read_exact(conn, 4)
                    if size is None:
                        break
                    frame = read_exact(conn, struct.unpack(">i", size)[0])
                except socket.timeout:
                    break
                if frame is None:
                    break
                key, version, correlation_id = struct.unpack(">hhi", frame[:8])
                name = KAFKA_28_APIS.get(key, (f"key{key}",))[0]
                path = os.path.join(args.out, f"{args.prefix}_{name}_v{version}.hex")
                hex_text = frame.hex()
                with open(path, "w") as f:
                    for i in range(0, len(hex_text), 64):
                        f.write(hex_text[i:i + 64] + "\n")
                print(f"saved {path} ({len(frame)} bytes)", file=sys.stderr)
                saved += 1
                if key == 18:
                    conn.sendall(api_versions_response(correlation_id, version))
    server.close()
    return 0 if saved else 1


if __name__ == "__main__":
    sys.exit(main())
