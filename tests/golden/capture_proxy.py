#!/usr/bin/env python3
"""Records the request frames a real Kafka client sends to a real broker, for the golden-bytes
tests of requests that need real answers (Produce, Fetch, ListOffsets, CreateTopics...).

A TCP proxy: listens on 127.0.0.1:LISTEN and forwards every connection to --broker, byte for
byte both ways. Each client->broker frame (header + body, without the int32 size prefix) of an
api named in --apis is saved as hex in OUT_DIR/<prefix>_<api>_v<version>.hex, the first frame of
each (api, version) only; an existing file is never overwritten. The broker must advertise the
proxy's address (advertised.listeners=PLAINTEXT://127.0.0.1:LISTEN), or clients would go to the
broker directly after the first Metadata. Stops after --timeout seconds or on SIGINT/SIGTERM.

  capture_proxy.py --listen 19092 --broker 127.0.0.1:19093 --prefix kcat \\
      --apis produce,fetch,list_offsets --out tests/golden/data &
  kcat -b 127.0.0.1:19092 -P -t golden-topic ...
"""

import argparse
import os
import signal
import socket
import struct
import sys
import threading
import time

from capture_requests import KAFKA_28_APIS

_save_lock = threading.Lock()


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def save_frame(frame, args, saved):
    key, version = struct.unpack(">hh", frame[:4])
    name = KAFKA_28_APIS.get(key, (f"key{key}",))[0]
    if name not in args.apis or (key, version) in saved:
        return
    path = os.path.join(args.out, f"{args.prefix}_{name}_v{version}.hex")
    with _save_lock:
        saved.add((key, version))
        if os.path.exists(path):
            print(f"kept existing {path}; not overwritten", file=sys.stderr)
            return
        hex_text = frame.hex()
        with open(path, "w") as f:
            for i in range(0, len(hex_text), 64):
                f.write(hex_text[i:i + 64] + "\n")
    print(f"saved {path} ({len(frame)} bytes)", file=sys.stderr)


def client_to_broker(client, broker, args, saved):
    """Forwards whole frames, recording the selected ones."""
    try:
        while True:
            size = read_exact(client, 4)
            if size is None:
                break
            frame = read_exact(client, struct.unpack(">i", size)[0])
            if frame is None:
                break
            if len(frame) >= 4:
                save_frame(frame, args, saved)
            broker.sendall(size + frame)
    except OSError:
        pass
    finally:
        for sock in (client, broker):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def broker_to_client(broker, client):
    try:
        while True:
            chunk = broker.recv(65536)
            if not chunk:
                break
            client.sendall(chunk)
    except OSError:
        pass
    finally:
        try:
            client.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--broker", required=True, help="host:port of the real broker")
    p.add_argument("--prefix", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--apis", required=True, help="comma-separated api names, e.g. produce,fetch")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    args.apis = set(args.apis.split(","))
    unknown = args.apis - {name for name, *_ in KAFKA_28_APIS.values()}
    if unknown:
        p.error(f"unknown api names {sorted(unknown)}")
    os.makedirs(args.out, exist_ok=True)
    broker_host, broker_port = args.broker.rsplit(":", 1)

    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.listen))
    server.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    saved = set()
    deadline = time.time() + args.timeout
    try:
        while time.time() < deadline:
            server.settimeout(max(0.1, deadline - time.time()))
            try:
                client, _ = server.accept()
            except socket.timeout:
                break
            broker = socket.create_connection((broker_host, int(broker_port)))
            threading.Thread(target=client_to_broker, args=(client, broker, args, saved), daemon=True).start()
            threading.Thread(target=broker_to_client, args=(broker, client), daemon=True).start()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0 if saved else 1


if __name__ == "__main__":
    sys.exit(main())
