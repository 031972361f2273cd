"""CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as record batches v2 use.

The standard library's zlib.crc32 is the IEEE polynomial, a different checksum. Table-driven,
one byte at a time: fast enough for the few kilobytes the raw-socket tests checksum.
"""

_POLYNOMIAL = 0x82F63B78


def _make_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLYNOMIAL if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _make_table()


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# The check value every CRC catalogue lists for CRC-32C.
assert crc32c(b"123456789") == 0xE3069283
