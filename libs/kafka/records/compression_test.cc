#include "libs/kafka/records/compression.h"

#include <gtest/gtest.h>
#include <snappy.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace sluice::kafka {
namespace {

constexpr size_t kNoLimit = size_t{1} << 30;

std::vector<uint8_t> Text(size_t n) {
  std::string pattern = "key=value, the same words again and again; ";
  std::vector<uint8_t> out;
  while (out.size() < n) out.push_back(static_cast<uint8_t>(pattern[out.size() % pattern.size()]));
  return out;
}

std::vector<uint8_t> Random(size_t n) {
  std::mt19937 rng(7);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

std::vector<uint8_t> Concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class EachCodec : public ::testing::TestWithParam<Compression> {};

INSTANTIATE_TEST_SUITE_P(Codecs, EachCodec,
                         ::testing::Values(Compression::kGzip, Compression::kSnappy,
                                           Compression::kLz4, Compression::kZstd),
                         [](const auto& info) {
                           switch (info.param) {
                             case Compression::kGzip:
                               return std::string("gzip");
                             case Compression::kSnappy:
                               return std::string("snappy");
                             case Compression::kLz4:
                               return std::string("lz4");
                             case Compression::kZstd:
                               return std::string("zstd");
                             default:
                               return std::string("none");
                           }
                         });

TEST_P(EachCodec, RoundTripsEmptySmallLargeAndIncompressibleInput) {
  for (const auto& input : {std::vector<uint8_t>{}, Text(10), Text(3 << 20), Random(200000)}) {
    auto compressed = Compress(GetParam(), input);
    ASSERT_TRUE(compressed.ok()) << compressed.status().ToString();
    auto back = Decompress(GetParam(), *compressed, kNoLimit);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << " size " << input.size();
    EXPECT_EQ(*back, input);
  }
}

TEST_P(EachCodec, OutputExactlyAtTheLimitIsAccepted) {
  auto input = Text(100000);
  auto back = Decompress(GetParam(), *Compress(GetParam(), input), input.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->size(), input.size());
}

TEST_P(EachCodec, OneByteOverTheLimitIsCorruption) {
  auto input = Text(100000);
  auto back = Decompress(GetParam(), *Compress(GetParam(), input), input.size() - 1);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), Status::Code::kCorruption);
}

TEST_P(EachCodec, ZipBombIsRefusedWithoutInflatingIt) {
  std::vector<uint8_t> zeros(64 << 20, 0);  // 64 MiB of zeros compresses to a few KiB
  auto bomb = Compress(GetParam(), zeros);
  ASSERT_TRUE(bomb.ok());
  ASSERT_LT(bomb->size(), zeros.size() / 10);
  auto back = Decompress(GetParam(), *bomb, 1 << 20);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), Status::Code::kCorruption);
  EXPECT_NE(back.status().message().find("more than 1048576"), std::string::npos);
}

TEST_P(EachCodec, TruncatedInputIsCorruptionAtEveryCut) {
  auto compressed = *Compress(GetParam(), Text(5000));
  for (size_t cut = 0; cut < compressed.size(); ++cut) {
    std::vector<uint8_t> prefix(compressed.begin(), compressed.begin() + cut);
    auto back = Decompress(GetParam(), prefix, kNoLimit);
    // A snappy-java stream cut exactly between blocks (or after the header) is still a
    // well-formed stream; anything else must be refused.
    if (back.ok()) {
      EXPECT_EQ(GetParam(), Compression::kSnappy) << "cut " << cut;
      continue;
    }
    EXPECT_EQ(back.status().code(), Status::Code::kCorruption) << "cut " << cut;
  }
}

TEST_P(EachCodec, GarbageIsCorruption) {
  auto back = Decompress(GetParam(), Random(1000), kNoLimit);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), Status::Code::kCorruption);
}

TEST(Compression, UnknownCodecIsCorruptionOnDecompressAndInvalidOnCompress) {
  auto input = Text(10);
  EXPECT_EQ(Decompress(static_cast<Compression>(5), input, kNoLimit).status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(Compress(static_cast<Compression>(7), input).status().code(),
            Status::Code::kInvalidArgument);
}

TEST(Compression, NoneCopiesAndStillHonoursTheLimit) {
  auto input = Text(100);
  EXPECT_EQ(*Decompress(Compression::kNone, input, 100), input);
  EXPECT_FALSE(Decompress(Compression::kNone, input, 99).ok());
}

// --- gzip --------------------------------------------------------------------------------------

TEST(Gzip, WritesAGzipMember) {
  auto out = *Compress(Compression::kGzip, Text(100));
  ASSERT_GE(out.size(), 18u);
  EXPECT_EQ(out[0], 0x1F);
  EXPECT_EQ(out[1], 0x8B);
  EXPECT_EQ(out[2], 8);  // deflate
}

TEST(Gzip, ReadsConcatenatedMembers) {
  auto a = Text(1000), b = Random(1000);
  auto both = Concat(*Compress(Compression::kGzip, a), *Compress(Compression::kGzip, b));
  EXPECT_EQ(*Decompress(Compression::kGzip, both, kNoLimit), Concat(a, b));
}

TEST(Gzip, ReadsAZlibStream) {
  auto input = Text(1000);
  std::vector<uint8_t> zlib_stream(compressBound(input.size()));
  uLongf size = zlib_stream.size();
  ASSERT_EQ(compress(zlib_stream.data(), &size, input.data(), input.size()), Z_OK);
  zlib_stream.resize(size);
  EXPECT_EQ(*Decompress(Compression::kGzip, zlib_stream, kNoLimit), input);
}

// --- snappy ------------------------------------------------------------------------------------

// "foobar\n" as snappy-java's SnappyOutputStream writes it: magic, version 1, compatible
// version 1, one block of 9 bytes (the raw snappy encoding: length 7, one 7-byte literal).
const std::vector<uint8_t> kXerialFoobar = {
    0x82, 'S',  'N',  'A',  'P',  'P',  'Y',  0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x09, 0x07, 0x18, 'f',  'o',  'o',  'b',  'a',  'r',  '\n'};

TEST(Snappy, ReadsTheSnappyJavaFraming) {
  auto out = Decompress(Compression::kSnappy, kXerialFoobar, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(std::string(out->begin(), out->end()), "foobar\n");
}

TEST(Snappy, WritesTheSnappyJavaFramingByteForByte) {
  std::string text = "foobar\n";
  auto out = *Compress(Compression::kSnappy, std::vector<uint8_t>(text.begin(), text.end()));
  EXPECT_EQ(out, kXerialFoobar);
}

TEST(Snappy, SplitsInputIntoBlocksOf32KiB) {
  auto input = Random(32 * 1024 * 2 + 5);  // three blocks: 32 KiB, 32 KiB, 5 bytes
  auto out = *Compress(Compression::kSnappy, input);
  size_t pos = 16, blocks = 0;
  while (pos < out.size()) {
    uint32_t len = (uint32_t{out[pos]} << 24) | (uint32_t{out[pos + 1]} << 16) |
                   (uint32_t{out[pos + 2]} << 8) | out[pos + 3];
    pos += 4 + len;
    ++blocks;
  }
  EXPECT_EQ(pos, out.size());
  EXPECT_EQ(blocks, 3u);
  EXPECT_EQ(*Decompress(Compression::kSnappy, out, kNoLimit), input);
}

TEST(Snappy, ReadsAPlainRawBlock) {
  auto input = Text(5000);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(input.data()), input.size(), &raw);
  auto out =
      Decompress(Compression::kSnappy, std::vector<uint8_t>(raw.begin(), raw.end()), kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, input);
}

TEST(Snappy, BlockLengthPastTheEndIsCorruption) {
  auto lying = kXerialFoobar;
  lying[19] = 0x10;  // block claims 16 bytes, 9 follow
  EXPECT_EQ(Decompress(Compression::kSnappy, lying, kNoLimit).status().code(),
            Status::Code::kCorruption);
}

TEST(Snappy, RawBlockClaimingHugeLengthIsRefusedBeforeAllocating) {
  // Varint uncompressed length 0xFFFFFFFF (4 GiB), then nothing.
  std::vector<uint8_t> bomb = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  EXPECT_EQ(Decompress(Compression::kSnappy, bomb, 1 << 20).status().code(),
            Status::Code::kCorruption);
}

// --- lz4 ---------------------------------------------------------------------------------------

TEST(Lz4, WritesAnLz4Frame) {
  auto out = *Compress(Compression::kLz4, Text(100));
  ASSERT_GE(out.size(), 7u);
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + 4),
            (std::vector<uint8_t>{0x04, 0x22, 0x4D, 0x18}));  // magic 0x184D2204, little-endian
}

TEST(Lz4, ReadsConcatenatedFrames) {
  auto a = Text(70000), b = Random(100);
  auto both = Concat(*Compress(Compression::kLz4, a), *Compress(Compression::kLz4, b));
  EXPECT_EQ(*Decompress(Compression::kLz4, both, kNoLimit), Concat(a, b));
}

// --- zstd --------------------------------------------------------------------------------------

TEST(Zstd, ReadsAFrameWithoutContentSize) {
  auto input = Text(300000);
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  std::vector<uint8_t> out(ZSTD_compressBound(input.size()));
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  ZSTD_outBuffer dst{out.data(), out.size(), 0};
  // As a streaming producer writes it: no content size in the frame header.
  ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 0)));
  size_t remaining = 0;
  do {
    remaining = ZSTD_compressStream2(cctx.get(), &dst, &in, ZSTD_e_end);
    ASSERT_FALSE(ZSTD_isError(remaining));
  } while (remaining != 0);
  out.resize(dst.pos);
  ASSERT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  EXPECT_EQ(*Decompress(Compression::kZstd, out, kNoLimit), input);
}

TEST(Zstd, ReadsConcatenatedFrames) {
  auto a = Text(1000), b = Random(1000);
  auto both = Concat(*Compress(Compression::kZstd, a), *Compress(Compression::kZstd, b));
  EXPECT_EQ(*Decompress(Compression::kZstd, both, kNoLimit), Concat(a, b));
}

// --- interoperability with the command-line tools ---------------------------------------------

// Compresses `input` with a shell command (reading the file named by $IN, writing to stdout)
// and returns its output, or nullopt when the tool is not installed.
std::optional<std::vector<uint8_t>> CompressWithTool(const std::string& tool,
                                                     const std::string& command,
                                                     const std::vector<uint8_t>& input) {
  if (std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) != 0) return std::nullopt;
  std::string dir = ::testing::TempDir();
  std::string in_path = dir + "/records_interop_" + std::to_string(getpid()) + ".in";
  std::string out_path = in_path + ".out";
  {
    std::ofstream f(in_path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(input.data()),
            static_cast<std::streamsize>(input.size()));
  }
  std::string full = "IN='" + in_path + "'; " + command + " > '" + out_path + "'";
  int rc = std::system(full.c_str());
  std::ifstream f(out_path, std::ios::binary);
  std::vector<uint8_t> out((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
  if (rc != 0) ADD_FAILURE() << "command failed: " << full;
  return out;
}

struct ToolCase {
  Compression codec;
  std::string tool;
  std::string command;
};

class ToolInterop : public ::testing::TestWithParam<ToolCase> {};

INSTANTIATE_TEST_SUITE_P(
    Tools, ToolInterop,
    ::testing::Values(ToolCase{Compression::kGzip, "gzip", "gzip -c \"$IN\""},
                      ToolCase{Compression::kGzip, "gzip", "gzip -9 -c < \"$IN\""},
                      // lz4's defaults: linked 4 MiB blocks, content checksum.
                      ToolCase{Compression::kLz4, "lz4", "lz4 -q -c \"$IN\""},
                      ToolCase{Compression::kLz4, "lz4",
                               "lz4 -q -B4 -BX --content-size -c \"$IN\""},
                      ToolCase{Compression::kZstd, "zstd", "zstd -q -c \"$IN\""},
                      // From a pipe zstd cannot know the size: the frame has no content size.
                      ToolCase{Compression::kZstd, "zstd", "cat \"$IN\" | zstd -q -19 -c"}),
    [](const auto& info) { return info.param.tool + std::to_string(info.index); });

TEST_P(ToolInterop, DecompressesWhatTheToolWrote) {
  auto input = Concat(Text(500000), Random(70000));
  auto compressed = CompressWithTool(GetParam().tool, GetParam().command, input);
  if (!compressed) GTEST_SKIP() << GetParam().tool << " is not installed";
  auto out = Decompress(GetParam().codec, *compressed, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, input);
}

}  // namespace
}  // namespace sluice::kafka
