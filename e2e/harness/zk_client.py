"""A minimal synchronous ZooKeeper client speaking the jute wire protocol, for test assertions.

Covers what the tests need: get_data, get_children, exists, create, set_data, delete. One request at a time;
sessions are short so no pings are sent. Wire format (ZooKeeper's zookeeper.jute): every packet is
an int32 length + payload; requests carry (xid int32, type int32), replies (xid int32, zxid int64,
err int32). Strings and buffers are int32-length-prefixed (-1 = null), booleans one byte.
"""

import collections
import socket
import struct

OP_CREATE, OP_DELETE, OP_EXISTS, OP_GET_DATA, OP_GET_CHILDREN, OP_CLOSE = 1, 2, 3, 4, 8, -11
OP_SET_DATA = 5
ERR_OK, ERR_NO_NODE, ERR_NODE_EXISTS = 0, -101, -110
FLAG_PERSISTENT, FLAG_EPHEMERAL = 0, 1
PERM_ALL = 31

Stat = collections.namedtuple("Stat", "czxid mzxid ctime mtime version cversion aversion "
                                      "ephemeral_owner data_length num_children pzxid")
_STAT = struct.Struct(">qqqqiiiqiiq")


class ZkError(Exception):
    def __init__(self, code, path):
        super().__init__(f"ZooKeeper error {code} on {path}")
        self.code = code
        self.path = path


class NoNodeError(ZkError):
    pass


def _string(value):
    raw = value.encode() if isinstance(value, str) else value
    return struct.pack(">i", len(raw)) + raw


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, fmt):
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values if len(values) > 1 else values[0]

    def buffer(self):
        n = self.take(">i")
        if n < 0:
            return None
        raw = self.data[self.pos:self.pos + n]
        self.pos += n
        return raw

    def stat(self):
        values = _STAT.unpack_from(self.data, self.pos)
        self.pos += _STAT.size
        return Stat(*values)


class ZkClient:
    def __init__(self, connect, session_timeout_ms=10000, timeout=10.0):
        """connect is "host:port" (the first of a list is used; a chroot suffix is not supported)."""
        host, port = connect.split(",")[0].split("/")[0].rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.xid = 0
        handshake = struct.pack(">iqiq", 0, 0, session_timeout_ms, 0) + _string(b"\0" * 16) + b"\0"
        self._send(handshake)
        reply = _Reader(self._receive())
        _protocol, negotiated_timeout, self.session_id = reply.take(">iiq")
        if negotiated_timeout <= 0:
            raise ConnectionError("ZooKeeper refused the session")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _send(self, payload):
        self.sock.sendall(struct.pack(">i", len(payload)) + payload)

    def _receive_exactly(self, n):
        parts = []
        while n:
            chunk = self.sock.recv(n)
            if not chunk:
                raise ConnectionError("ZooKeeper closed the connection")
            parts.append(chunk)
            n -= len(chunk)
        return b"".join(parts)

    def _receive(self):
        (length,) = struct.unpack(">i", self._receive_exactly(4))
        return self._receive_exactly(length)

    def _call(self, op, body, path):
        self.xid += 1
        self._send(struct.pack(">ii", self.xid, op) + body)
        while True:
            reply = _Reader(self._receive())
            xid, _zxid, err = reply.take(">iqi")
            if xid == self.xid:
                break  # xid -1 = watch event, -2 = ping reply: not ours
        if err == ERR_NO_NODE:
            raise NoNodeError(err, path)
        if err != ERR_OK:
            raise ZkError(err, path)
        return reply

    def get_data(self, path):
        """Returns (data bytes or None, Stat); raises NoNodeError."""
        reply = self._call(OP_GET_DATA, _string(path) + b"\0", path)
        return reply.buffer(), reply.stat()

    def get_json(self, path):
        import json
        data, _ = self.get_data(path)
        return json.loads(data)

    def get_children(self, path):
        reply = self._call(OP_GET_CHILDREN, _string(path) + b"\0", path)
        count = reply.take(">i")
        return sorted(reply.buffer().decode() for _ in range(max(count, 0)))

    def exists(self, path):
        """Returns the Stat, or None when the node does not exist."""
        try:
            return self._call(OP_EXISTS, _string(path) + b"\0", path).stat()
        except NoNodeError:
            return None

    def create(self, path, data, ephemeral=False):
        acl = struct.pack(">ii", 1, PERM_ALL) + _string("world") + _string("anyone")
        flags = FLAG_EPHEMERAL if ephemeral else FLAG_PERSISTENT
        body = _string(path) + _string(data) + acl + struct.pack(">i", flags)
        return self._call(OP_CREATE, body, path).buffer().decode()

    def create_recursive(self, path, data):
        """Creates missing parents (empty) then path; a parent that already exists is fine."""
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            parent = "/" + "/".join(parts[:i])
            try:
                self.create(parent, b"")
            except ZkError as error:
                if error.code != ERR_NODE_EXISTS:
                    raise
        return self.create(path, data)

    def set_data(self, path, data, version=-1):
        """Replaces the node's data (version -1: whatever its version); returns the new Stat."""
        return self._call(OP_SET_DATA, _string(path) + _string(data) + struct.pack(">i", version), path).stat()

    def delete(self, path, version=-1):
        self._call(OP_DELETE, _string(path) + struct.pack(">i", version), path)

    def close(self):
        try:
            self.xid += 1
            self._send(struct.pack(">ii", self.xid, OP_CLOSE))
            self._receive()
        except OSError:
            pass
        finally:
            self.sock.close()


class BrokerRegistry:
    """Mixin for cluster fixtures that have a `zk()` returning a ZkClient context manager: which
    brokers are registered under /brokers/ids, and waiting for some to be."""

    def registered_brokers(self):
        with self.zk() as zk:
            try:
                return sorted(int(c) for c in zk.get_children("/brokers/ids"))
            except NoNodeError:
                return []

    def wait_registered(self, broker_ids, timeout=60.0):
        from .waiting import wait_until
        wanted = set(broker_ids)
        return wait_until(lambda: wanted <= set(self.registered_brokers()), timeout,
                          f"brokers {sorted(wanted)} registered under /brokers/ids")

