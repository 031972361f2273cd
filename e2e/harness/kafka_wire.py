"""Hand-built Kafka requests and response parsers for raw-socket tests (facts from Kafka's
protocol spec, research/broker-anchors.md §1.1-1.2).

Framing: int32 size + body. Request header v1: api_key int16, api_version int16, correlation_id
int32, client_id int16-length string. Header v2 (flexible versions) appends a tagged-field block
(unsigned varint count, 0 here). Response header v0 = correlation_id; ApiVersions always answers
with header v0, even at flexible v3 (KIP-511).
"""

import collections
import socket
import struct

API_PRODUCE, API_LIST_OFFSETS, API_METADATA, API_API_VERSIONS = 0, 2, 3, 18
ERROR_NONE = 0
ERROR_CORRUPT_MESSAGE = 2
ERROR_UNKNOWN_TOPIC_OR_PARTITION = 3
ERROR_INVALID_TOPIC_EXCEPTION = 17
ERROR_UNSUPPORTED_VERSION = 35
ERROR_INVALID_RECORD = 87


# --- primitive encoders --------------------------------------------------------------------

def string(value):
    raw = value.encode()
    return struct.pack(">h", len(raw)) + raw


def nullable_string(value):
    return struct.pack(">h", -1) if value is None else string(value)


def uvarint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def compact_string(value):
    raw = value.encode()
    return uvarint(len(raw) + 1) + raw


def request_header(api_key, api_version, correlation_id, client_id="sluice-e2e", flexible=False):
    header = struct.pack(">hhi", api_key, api_version, correlation_id) + nullable_string(client_id)
    return header + (b"\x00" if flexible else b"")


def frame(body):
    return struct.pack(">i", len(body)) + body


# --- a response reader -----------------------------------------------------------------------

class Reader:
    """Reads big-endian fields from a response body, failing loudly on short data."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def take(self, fmt):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise AssertionError(f"response too short: need {size} bytes at {self.pos}, have {self.remaining()}")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values if len(values) > 1 else values[0]

    def uvarint(self):
        shift = value = 0
        while True:
            byte = self.take(">B")
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def string(self):
        n = self.take(">h")
        if n < 0:
            return None
        raw = self.data[self.pos:self.pos + n]
        self.pos += n
        return raw.decode()

    def skip_tagged_fields(self):
        for _ in range(self.uvarint()):
            self.uvarint()  # tag
            self.pos += self.uvarint()  # size, then skip the value


# --- a raw connection ------------------------------------------------------------------------

class RawConnection:
    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def send_bytes(self, data):
        self.sock.sendall(data)

    def _receive_exactly(self, n):
        parts = []
        while n:
            chunk = self.sock.recv(n)
            if not chunk:
                raise ConnectionError("broker closed the connection")
            parts.append(chunk)
            n -= len(chunk)
        return b"".join(parts)

    def receive_response(self, expected_correlation_id):
        """Reads one frame; checks the v0 response header; returns the body after it."""
        (size,) = struct.unpack(">i", self._receive_exactly(4))
        payload = self._receive_exactly(size)
        (correlation_id,) = struct.unpack_from(">i", payload)
        if correlation_id != expected_correlation_id:
            raise AssertionError(f"correlation id {correlation_id}, expected {expected_correlation_id}")
        return payload[4:]

    def call(self, api_key, api_version, body, correlation_id=1, flexible=False):
        self.send_bytes(frame(request_header(api_key, api_version, correlation_id, flexible=flexible) + body))
        return self.receive_response(correlation_id)

    def closed_by_peer(self, timeout=10.0):
        """True when the broker closes the connection (EOF or reset) within timeout without
        sending anything first; False if it is still open at the deadline."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        if data:
            raise AssertionError(f"expected the connection to be closed, got {len(data)} bytes: {data[:64].hex()}")
        return True


# --- ApiVersions -----------------------------------------------------------------------------

def api_versions_v3_body(software_name="sluice-e2e", software_version="1.0"):
    return compact_string(software_name) + compact_string(software_version) + b"\x00"


def parse_api_versions_v0(body):
    """Returns (error_code, {api_key: (min, max)}); the body must be exactly that (v0 format)."""
    r = Reader(body)
    error_code = r.take(">h")
    count = r.take(">i")
    keys = {}
    for _ in range(count):
        key, low, high = r.take(">hhh")
        keys[key] = (low, high)
    if r.remaining():
        raise AssertionError(f"{r.remaining()} unexpected trailing bytes after a v0 ApiVersions response")
    return error_code, keys


def parse_api_versions_v3(body):
    """Returns (error_code, {api_key: (min, max)}, throttle_ms); checks the body is fully consumed."""
    r = Reader(body)
    error_code = r.take(">h")
    count = r.uvarint() - 1
    keys = {}
    for _ in range(count):
        key, low, high = r.take(">hhh")
        r.skip_tagged_fields()
        keys[key] = (low, high)
    throttle_ms = r.take(">i")
    r.skip_tagged_fields()
    if r.remaining():
        raise AssertionError(f"{r.remaining()} unexpected trailing bytes after a v3 ApiVersions response")
    return error_code, keys, throttle_ms


# --- Produce v3 ------------------------------------------------------------------------------

def produce_v3_body(topic, partition, records, acks=-1, timeout_ms=10000):
    """transactional_id null, acks, timeout, one topic with one partition carrying `records` bytes."""
    return (nullable_string(None) + struct.pack(">hi", acks, timeout_ms) + struct.pack(">i", 1) +
            string(topic) + struct.pack(">i", 1) + struct.pack(">ii", partition, len(records)) + records)


def parse_produce_v3(body):
    """Returns [(topic, partition, error_code, base_offset, log_append_time)]."""
    r = Reader(body)
    results = []
    for _ in range(r.take(">i")):
        topic = r.string()
        for _ in range(r.take(">i")):
            partition, error_code, base_offset, log_append_time = r.take(">ihqq")
            results.append((topic, partition, error_code, base_offset, log_append_time))
    r.take(">i")  # throttle_time_ms
    return results


# --- ListOffsets v1 --------------------------------------------------------------------------

LATEST, EARLIEST = -1, -2


def list_offsets_v1_body(topic, partition, timestamp):
    return (struct.pack(">i", -1) + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) +
            struct.pack(">iq", partition, timestamp))


def parse_list_offsets_v1(body):
    """Returns [(topic, partition, error_code, timestamp, offset)]."""
    r = Reader(body)
    results = []
    for _ in range(r.take(">i")):
        topic = r.string()
        for _ in range(r.take(">i")):
            partition, error_code, timestamp, offset = r.take(">ihqq")
            results.append((topic, partition, error_code, timestamp, offset))
    return results


# --- Fetch v11 -------------------------------------------------------------------------------
# Request v11 (not flexible): replica_id int32, max_wait_ms int32, min_bytes int32, max_bytes int32,
# isolation_level int8, session_id int32, session_epoch int32,
# topics [topic string, partitions [partition int32, current_leader_epoch int32, fetch_offset int64,
# log_start_offset int64, partition_max_bytes int32]], forgotten_topics_data [topic, [int32]],
# rack_id string.
# Response v11: throttle_time_ms int32, error_code int16, session_id int32,
# responses [topic string, partitions [partition_index int32, error_code int16, high_watermark int64,
# last_stable_offset int64, log_start_offset int64, aborted_transactions nullable [producer_id int64,
# first_offset int64], preferred_read_replica int32, records nullable bytes (int32 length)]].

API_FETCH, API_CREATE_TOPICS = 1, 19
ERROR_OFFSET_OUT_OF_RANGE = 1
ERROR_FETCH_SESSION_ID_NOT_FOUND = 70
ERROR_FENCED_LEADER_EPOCH = 74
ERROR_UNKNOWN_LEADER_EPOCH = 75

FetchedPartition = collections.namedtuple(
    "FetchedPartition", "topic partition error_code high_watermark last_stable_offset log_start_offset "
                        "aborted_transactions preferred_read_replica records")


def fetch_v11_body(topic, partition, fetch_offset, max_wait_ms=500, min_bytes=1, max_bytes=1024 * 1024,
                   partition_max_bytes=1024 * 1024, current_leader_epoch=-1, session_id=0, session_epoch=-1,
                   isolation_level=0):
    """A consumer's full fetch (no session) of one partition."""
    return (struct.pack(">iiiibii", -1, max_wait_ms, min_bytes, max_bytes, isolation_level, session_id,
                        session_epoch) +
            struct.pack(">i", 1) + string(topic) +
            struct.pack(">i", 1) + struct.pack(">iiqqi", partition, current_leader_epoch, fetch_offset, -1,
                                               partition_max_bytes) +
            struct.pack(">i", 0) +  # forgotten_topics_data
            string(""))  # rack_id


def parse_fetch_v11(body):
    """Returns (top-level error_code, session_id, [FetchedPartition]); checks the body is consumed."""
    r = Reader(body)
    _throttle_ms, error_code, session_id = r.take(">ihi")
    partitions = []
    for _ in range(r.take(">i")):
        topic = r.string()
        for _ in range(r.take(">i")):
            index, partition_error, high_watermark, last_stable, log_start = r.take(">ihqqq")
            aborted_count = r.take(">i")
            aborted = None if aborted_count < 0 else [r.take(">qq") for _ in range(aborted_count)]
            preferred = r.take(">i")
            size = r.take(">i")
            records = None
            if size >= 0:
                records = r.data[r.pos:r.pos + size]
                if len(records) != size:
                    raise AssertionError(f"records field claims {size} bytes, {len(records)} left")
                r.pos += size
            partitions.append(FetchedPartition(topic, index, partition_error, high_watermark, last_stable,
                                               log_start, aborted, preferred, records))
    if r.remaining():
        raise AssertionError(f"{r.remaining()} unexpected trailing bytes after a v11 Fetch response")
    return error_code, session_id, partitions


# --- ListOffsets v4 --------------------------------------------------------------------------
# Request v4: replica_id int32, isolation_level int8, topics [name, partitions [partition_index int32,
# current_leader_epoch int32, timestamp int64]]. Response v4: throttle_time_ms int32,
# topics [name, partitions [partition_index int32, error_code int16, timestamp int64, offset int64,
# leader_epoch int32]].

def list_offsets_v4_body(topic, partition, timestamp, current_leader_epoch=-1, isolation_level=0):
    return (struct.pack(">ib", -1, isolation_level) + struct.pack(">i", 1) + string(topic) +
            struct.pack(">i", 1) + struct.pack(">iiq", partition, current_leader_epoch, timestamp))


def parse_list_offsets_v4(body):
    """Returns [(topic, partition, error_code, timestamp, offset, leader_epoch)]."""
    r = Reader(body)
    r.take(">i")  # throttle_time_ms
    results = []
    for _ in range(r.take(">i")):
        topic = r.string()
        for _ in range(r.take(">i")):
            partition, error_code, timestamp, offset, leader_epoch = r.take(">ihqqi")
            results.append((topic, partition, error_code, timestamp, offset, leader_epoch))
    if r.remaining():
        raise AssertionError(f"{r.remaining()} unexpected trailing bytes after a v4 ListOffsets response")
    return results
