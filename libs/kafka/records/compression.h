// The compression codecs of record batch v2 (attributes bits 0-2), in the stream formats that
// Kafka's clients write:
//
//   gzip    RFC 1952 gzip members (java.util.zip.GZIPOutputStream). Decompression also accepts a
//           zlib stream and concatenated gzip members.
//   snappy  xerial snappy-java framing (SnappyOutputStream): 8-byte magic 82 'S' 'N' 'A' 'P' 'P'
//           'Y' 00, int32 version (1), int32 minimum compatible version (1), then blocks of int32
//           big-endian compressed length + one raw snappy block (of at most 32 KiB input each).
//           Decompression also accepts one plain raw snappy block (some non-Java clients).
//   lz4     LZ4 frame format (one or more frames), 64 KiB independent blocks when compressing.
//   zstd    zstd frames; decoded as a stream because frames need not carry their content size.
//
// Decompression is bounded: output beyond `max_output_bytes` fails with Corruption before it
// is allocated past the limit (plus at most one growth step), so a few KiB of hostile input
// cannot make the broker allocate gigabytes.
//
// Thread safety: every function is pure and safe to call from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "libs/base/status.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::kafka {

// Compresses `input` with `codec`. Compression::kNone returns a copy. InvalidArgument for a
// codec value outside 0-4; Internal if a library fails.
Result<std::vector<uint8_t>> Compress(Compression codec, std::span<const uint8_t> input);

// Decompresses `input`. Corruption when the input is malformed or truncated, the codec value
// is unknown, or the output would exceed `max_output_bytes`.
Result<std::vector<uint8_t>> Decompress(Compression codec, std::span<const uint8_t> input,
                                        size_t max_output_bytes);

}  // namespace sluice::kafka
