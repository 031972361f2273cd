"""Record batch v2 (magic 2): building one for raw produce requests, and reading segment files.

Layout (Kafka docs, implementation §5.3.1), big-endian:
  baseOffset int64 | batchLength int32 (bytes after this field) | partitionLeaderEpoch int32 |
  magic int8 = 2 | crc uint32 (CRC-32C of everything from attributes to the end) |
  attributes int16 (bits 0-2 codec) | lastOffsetDelta int32 | firstTimestamp int64 |
  maxTimestamp int64 | producerId int64 | producerEpoch int16 | baseSequence int32 |
  recordCount int32 | records
The header before `records` is 61 bytes; the CRC covers bytes 21.. of the batch.
Record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
  keyLength varint | key | valueLength varint | value | headerCount varint (zig-zag varints).
"""

import collections
import struct

from .crc32c import crc32c

HEADER = struct.Struct(">qiibIhiqqqhii")
HEADER_SIZE = HEADER.size  # 61
CRC_OFFSET = 17
CRC_COVERS_FROM = 21
CODEC_NAMES = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}

BatchHeader = collections.namedtuple(
    "BatchHeader", "base_offset batch_length leader_epoch magic crc attributes last_offset_delta "
                   "first_timestamp max_timestamp producer_id producer_epoch base_sequence record_count "
                   "position crc_ok")


def zigzag_varint(value):
    """Protobuf-style zig-zag varint (values fit in 64 bits)."""
    encoded = (value << 1) ^ (value >> 63)
    encoded &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = encoded & 0x7F
        encoded >>= 7
        if encoded:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_record(offset_delta, timestamp_delta, key, value):
    body = b"\x00" + zigzag_varint(timestamp_delta) + zigzag_varint(offset_delta)
    body += zigzag_varint(-1) if key is None else zigzag_varint(len(key)) + key
    body += zigzag_varint(-1) if value is None else zigzag_varint(len(value)) + value
    body += zigzag_varint(0)  # no headers
    return zigzag_varint(len(body)) + body


def build_batch(records, first_timestamp, base_offset=0):
    """An uncompressed v2 batch of (key, value) pairs with timestamps first_timestamp + index."""
    encoded = b"".join(encode_record(i, i, key, value) for i, (key, value) in enumerate(records))
    after_crc = struct.pack(">hiqqqhii", 0, len(records) - 1, first_timestamp,
                            first_timestamp + len(records) - 1, -1, -1, -1, len(records)) + encoded
    crc = crc32c(after_crc)
    batch_length = 4 + 1 + 4 + len(after_crc)  # leader epoch + magic + crc + rest
    return struct.pack(">qiibI", base_offset, batch_length, -1, 2, crc) + after_crc


def corrupt_crc(batch):
    """The same batch with one bit of its stored CRC flipped."""
    flipped = batch[CRC_OFFSET] ^ 0x01
    return batch[:CRC_OFFSET] + bytes([flipped]) + batch[CRC_OFFSET + 1:]


def read_batch_headers(segment_path):
    """Every batch header in a segment file, in file order, with its CRC checked.

    Stops at the end of the file or at a truncated batch (which a segment on disk must not have).
    """
    with open(segment_path, "rb") as f:
        return parse_batch_headers(f.read())


def parse_batch_headers(data):
    """Every whole batch header in `data` (segment bytes or a fetch response's records), in order,
    with its CRC checked; a truncated trailing batch (a fetch may end with a partial one) is left out."""
    headers = []
    position = 0
    while position + HEADER_SIZE <= len(data):
        fields = HEADER.unpack_from(data, position)
        batch_length = fields[1]
        end = position + 12 + batch_length
        if batch_length < HEADER_SIZE - 12 or end > len(data):
            break
        crc_ok = crc32c(data[position + CRC_COVERS_FROM:end]) == fields[4]
        headers.append(BatchHeader(*fields, position, crc_ok))
        position = end
    return headers


# --- records inside a batch (for comparing replicas and reading values off disk) --------------

Record = collections.namedtuple("Record", "offset timestamp key value")


def _read_varint(data, position):
    """A zig-zag varint at data[position:]; returns (value, next position)."""
    shift = encoded = 0
    while True:
        byte = data[position]
        position += 1
        encoded |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return (encoded >> 1) ^ -(encoded & 1), position
        shift += 7


def decode_records(batch):
    """The records of one whole v2 batch (bytes from its base offset to its end), or None when its
    codec is not one the standard library reads (snappy, lz4, zstd). gzip is decompressed."""
    header = HEADER.unpack_from(batch, 0)
    base_offset, first_timestamp, attributes, count = header[0], header[7], header[5], header[12]
    codec = attributes & 0x07
    body = batch[HEADER_SIZE:]
    if codec == 1:
        import gzip
        body = gzip.decompress(body)
    elif codec != 0:
        return None
    records = []
    position = 0
    for _ in range(count):
        length, position = _read_varint(body, position)
        end = position + length
        position += 1  # attributes
        timestamp_delta, position = _read_varint(body, position)
        offset_delta, position = _read_varint(body, position)
        key_length, position = _read_varint(body, position)
        key = None if key_length < 0 else bytes(body[position:position + key_length])
        position += max(key_length, 0)
        value_length, position = _read_varint(body, position)
        value = None if value_length < 0 else bytes(body[position:position + value_length])
        records.append(Record(base_offset + offset_delta, first_timestamp + timestamp_delta, key, value))
        position = end  # headers skipped
    return records


def read_segment_batches(segment_path):
    """[(BatchHeader, whole batch bytes)] of one segment file, in file order."""
    with open(segment_path, "rb") as f:
        data = f.read()
    return [(h, data[h.position:h.position + 12 + h.batch_length]) for h in parse_batch_headers(data)]
