#include "libs/kafka/records/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "libs/kafka/records/big_endian.h"

namespace sluice::kafka {
namespace {

// ---------------------------------------------------------------------------------------------
// Bounded output buffer shared by the streaming decoders.

// Grows geometrically from 64 KiB up to max_output + 1 bytes. The extra byte is how a decoder
// notices that the stream wants more than the limit: it is only ever filled by output that
// would exceed it.
class BoundedOutput {
 public:
  BoundedOutput(size_t max_output, size_t size_hint) : max_output_(max_output) {
    buffer_.resize(std::min(std::max<size_t>(size_hint, 64 * 1024), Cap()));
  }

  // Free space to write into; empty when the cap is reached (the stream is over the limit).
  std::span<uint8_t> Free() {
    if (used_ == buffer_.size() && buffer_.size() < Cap()) {
      buffer_.resize(std::min(buffer_.size() * 2, Cap()));
    }
    return std::span<uint8_t>(buffer_).subspan(used_);
  }
  void Commit(size_t n) { used_ += n; }
  bool over_limit() const { return used_ > max_output_; }

  std::vector<uint8_t> Take() && {
    buffer_.resize(used_);
    return std::move(buffer_);
  }

 private:
  size_t Cap() const {
    return max_output_ == std::numeric_limits<size_t>::max() ? max_output_ : max_output_ + 1;
  }

  size_t max_output_;
  std::vector<uint8_t> buffer_;
  size_t used_ = 0;
};

Status OverLimit(const char* codec, size_t max_output) {
  return Status::Corruption(std::string(codec) + " data decompresses to more than " +
                            std::to_string(max_output) + " bytes");
}

// ---------------------------------------------------------------------------------------------
// gzip (zlib)

Result<std::vector<uint8_t>> CompressGzip(std::span<const uint8_t> input) {
  z_stream zs{};
  // 15 window bits + 16 = gzip wrapper (what GZIPOutputStream writes); 8 = default memLevel.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(input.size())));
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("deflate did not finish within deflateBound");
  out.resize(written);
  return out;
}

Result<std::vector<uint8_t>> DecompressGzip(std::span<const uint8_t> input, size_t max_output) {
  z_stream zs{};
  // 15 + 32: detect a gzip or zlib header automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  BoundedOutput out(max_output, input.size() * 4);
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());
  while (true) {
    std::span<uint8_t> free = out.Free();
    if (free.empty()) return OverLimit("gzip", max_output);
    uInt chunk = static_cast<uInt>(std::min<size_t>(free.size(), 1u << 30));
    zs.next_out = free.data();
    zs.avail_out = chunk;
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.Commit(chunk - zs.avail_out);
    if (out.over_limit()) return OverLimit("gzip", max_output);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (GZIPInputStream reads concatenated members too).
      if (inflateReset(&zs) != Z_OK) return Status::Corruption("gzip: cannot reset stream");
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && zs.avail_out > 0) {
      return Status::Corruption("gzip data is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::Corruption(std::string("gzip data is invalid: ") +
                                (zs.msg != nullptr ? zs.msg : "inflate error"));
    }
  }
  return std::move(out).Take();
}

// ---------------------------------------------------------------------------------------------
// snappy (xerial snappy-java framing, or one raw block)

constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
constexpr size_t kXerialHeaderSize = 16;  // magic + int32 version + int32 compatible version
constexpr int32_t kXerialVersion = 1;
constexpr int32_t kXerialCompatibleVersion = 1;
constexpr size_t kXerialBlockSize = 32 * 1024;  // SnappyOutputStream's default block size

bool HasXerialHeader(std::span<const uint8_t> input) {
  return input.size() >= kXerialHeaderSize &&
         std::memcmp(input.data(), kXerialMagic, sizeof(kXerialMagic)) == 0;
}

Result<std::vector<uint8_t>> CompressSnappy(std::span<const uint8_t> input) {
  std::vector<uint8_t> out(kXerialHeaderSize);
  std::memcpy(out.data(), kXerialMagic, sizeof(kXerialMagic));
  big_endian::Store32(out.data() + 8, kXerialVersion);
  big_endian::Store32(out.data() + 12, kXerialCompatibleVersion);
  for (size_t pos = 0; pos < input.size(); pos += kXerialBlockSize) {
    size_t n = std::min(kXerialBlockSize, input.size() - pos);
    size_t start = out.size();
    out.resize(start + 4 + snappy::MaxCompressedLength(n));
    size_t compressed = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(input.data() + pos), n,
                        reinterpret_cast<char*>(out.data() + start + 4), &compressed);
    big_endian::Store32(out.data() + start, static_cast<uint32_t>(compressed));
    out.resize(start + 4 + compressed);
  }
  return out;
}

// Appends the decoding of one raw snappy block to `out`.
Status AppendRawSnappyBlock(std::span<const uint8_t> block, size_t max_output,
                            std::vector<uint8_t>& out) {
  const char* data = reinterpret_cast<const char*>(block.data());
  size_t length = 0;
  if (!snappy::GetUncompressedLength(data, block.size(), &length)) {
    return Status::Corruption("snappy block header is invalid");
  }
  if (length > max_output || out.size() > max_output - length) {
    return OverLimit("snappy", max_output);
  }
  size_t start = out.size();
  out.resize(start + length);
  if (!snappy::RawUncompress(data, block.size(), reinterpret_cast<char*>(out.data() + start))) {
    return Status::Corruption("snappy block is invalid");
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> DecompressSnappy(std::span<const uint8_t> input, size_t max_output) {
  std::vector<uint8_t> out;
  if (!HasXerialHeader(input)) {
    SLUICE_RETURN_IF_ERROR(AppendRawSnappyBlock(input, max_output, out));
    return out;
  }
  // The version fields are not checked: every snappy-java version writes the same block layout.
  size_t pos = kXerialHeaderSize;
  while (pos < input.size()) {
    if (input.size() - pos < 4) return Status::Corruption("snappy-java block length is truncated");
    uint32_t length = big_endian::Load32(input.data() + pos);
    pos += 4;
    if (length > input.size() - pos) {
      return Status::Corruption("snappy-java block of " + std::to_string(length) +
                                " bytes overruns the input");
    }
    SLUICE_RETURN_IF_ERROR(AppendRawSnappyBlock(input.subspan(pos, length), max_output, out));
    pos += length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// lz4 (frame format)

Result<std::vector<uint8_t>> CompressLz4(std::span<const uint8_t> input) {
  LZ4F_preferences_t prefs{};
  // What Kafka's Java producer writes: 64 KiB independent blocks, no content size.
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  std::vector<uint8_t> out(LZ4F_compressFrameBound(input.size(), &prefs));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) return Status::Internal(std::string("lz4: ") + LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::vector<uint8_t>> DecompressLz4(std::span<const uint8_t> input, size_t max_output) {
  LZ4F_dctx* raw_ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw_ctx, LZ4F_VERSION))) {
    return Status::Internal("LZ4F_createDecompressionContext failed");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> ctx(raw_ctx,
                                                                   LZ4F_freeDecompressionContext);
  BoundedOutput out(max_output, input.size() * 4);
  size_t pos = 0;
  while (true) {
    std::span<uint8_t> free = out.Free();
    if (free.empty()) return OverLimit("lz4", max_output);
    size_t dst_size = free.size();
    size_t src_size = input.size() - pos;
    size_t hint =
        LZ4F_decompress(ctx.get(), free.data(), &dst_size, input.data() + pos, &src_size, nullptr);
    if (LZ4F_isError(hint)) {
      return Status::Corruption(std::string("lz4 data is invalid: ") + LZ4F_getErrorName(hint));
    }
    pos += src_size;
    out.Commit(dst_size);
    if (out.over_limit()) return OverLimit("lz4", max_output);
    // hint 0: a frame ended and all its output was written; another frame may follow.
    if (hint == 0 && pos == input.size()) break;
    if (src_size == 0 && dst_size == 0) {
      // No progress with output space available: the input ended inside a frame.
      return Status::Corruption("lz4 data is truncated");
    }
  }
  return std::move(out).Take();
}

// ---------------------------------------------------------------------------------------------
// zstd

Result<std::vector<uint8_t>> CompressZstd(std::span<const uint8_t> input) {
  std::vector<uint8_t> out(ZSTD_compressBound(input.size()));
  // Level 3 is zstd's default and what Kafka's producer uses unless configured otherwise.
  size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 3);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

// The largest window a frame may ask for. Producers at default levels use 2-8 MiB windows; the
// cap keeps a hostile frame header from making the decoder allocate up to 2 GiB of window.
int WindowLogMaxFor(size_t max_output) {
  int log = 23;  // 8 MiB: always allowed, whatever the output limit
  while (log < 27 && (size_t{1} << log) < max_output) ++log;
  return log;
}

Result<std::vector<uint8_t>> DecompressZstd(std::span<const uint8_t> input, size_t max_output) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return Status::Internal("ZSTD_createDCtx failed");
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, WindowLogMaxFor(max_output));
  BoundedOutput out(max_output, input.size() * 4);
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  while (true) {
    std::span<uint8_t> free = out.Free();
    if (free.empty()) return OverLimit("zstd", max_output);
    ZSTD_outBuffer dst{free.data(), free.size(), 0};
    size_t in_before = in.pos;
    size_t hint = ZSTD_decompressStream(ctx.get(), &dst, &in);
    if (ZSTD_isError(hint)) {
      return Status::Corruption(std::string("zstd data is invalid: ") + ZSTD_getErrorName(hint));
    }
    out.Commit(dst.pos);
    if (out.over_limit()) return OverLimit("zstd", max_output);
    bool input_done = in.pos == in.size;
    if (input_done && hint == 0) break;  // every frame decoded and flushed
    if (input_done && dst.pos < dst.size) return Status::Corruption("zstd data is truncated");
    if (in.pos == in_before && dst.pos == 0) return Status::Corruption("zstd decoder is stuck");
  }
  return std::move(out).Take();
}

}  // namespace

Result<std::vector<uint8_t>> Compress(Compression codec, std::span<const uint8_t> input) {
  switch (codec) {
    case Compression::kNone:
      return std::vector<uint8_t>(input.begin(), input.end());
    case Compression::kGzip:
      return CompressGzip(input);
    case Compression::kSnappy:
      return CompressSnappy(input);
    case Compression::kLz4:
      return CompressLz4(input);
    case Compression::kZstd:
      return CompressZstd(input);
  }
  return Status::InvalidArgument("unknown compression codec " +
                                 std::to_string(static_cast<int>(codec)));
}

Result<std::vector<uint8_t>> Decompress(Compression codec, std::span<const uint8_t> input,
                                        size_t max_output_bytes) {
  switch (codec) {
    case Compression::kNone:
      if (input.size() > max_output_bytes) return OverLimit("uncompressed", max_output_bytes);
      return std::vector<uint8_t>(input.begin(), input.end());
    case Compression::kGzip:
      return DecompressGzip(input, max_output_bytes);
    case Compression::kSnappy:
      return DecompressSnappy(input, max_output_bytes);
    case Compression::kLz4:
      return DecompressLz4(input, max_output_bytes);
    case Compression::kZstd:
      return DecompressZstd(input, max_output_bytes);
  }
  return Status::Corruption("unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace sluice::kafka
