#include "libs/kafka/records/record_batch.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "libs/kafka/records/big_endian.h"

namespace sluice::kafka {
namespace {

namespace off = batch_offsets;
using Bytes = std::vector<uint8_t>;

Record MakeRecord(int64_t timestamp, std::optional<std::string> key,
                  std::optional<std::string> value, std::vector<RecordHeader> headers = {}) {
  Record r;
  r.timestamp = timestamp;
  r.key = std::move(key);
  r.value = std::move(value);
  r.headers = std::move(headers);
  return r;
}

// A variety of shapes: null and empty keys/values, headers with null values, out-of-order
// timestamps (so maxTimestamp is not the last record's), a value large enough to span
// several compression blocks.
std::vector<Record> SampleRecords() {
  return {
      MakeRecord(1000, "k0", "v0"),
      MakeRecord(1005, std::nullopt, "value with a null key"),
      MakeRecord(999, "key with a null value", std::nullopt),
      MakeRecord(2000, "", "", {{"h1", "x"}, {"h2", std::nullopt}, {"", ""}}),
      MakeRecord(1500, "big", std::string(200000, 'z')),
  };
}

Bytes Build(const std::vector<Record>& records, RecordBatchBuilderOptions options = {}) {
  auto batch = BuildRecordBatch(records, options);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? *batch : Bytes{};
}

void RewriteCrc(Bytes& batch) {
  big_endian::Store32(batch.data() + off::kCrc,
                      Crc32c(std::span<const uint8_t>(batch).subspan(off::kAttributes)));
}

void SetInt32(Bytes& batch, size_t offset, int32_t value) {
  big_endian::Store32(batch.data() + offset, static_cast<uint32_t>(value));
}

void ExpectCorruption(const Status& status, const std::string& why = "") {
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << why << " got: " << status.ToString();
}

// --- building, validating and decoding ---------------------------------------------------------

class EachCompression : public ::testing::TestWithParam<Compression> {};

INSTANTIATE_TEST_SUITE_P(Codecs, EachCompression,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd));

TEST_P(EachCompression, BuildValidateDecodeRoundTrip) {
  RecordBatchBuilderOptions options;
  options.base_offset = 4200;
  options.compression = GetParam();
  options.producer_id = 77;
  options.producer_epoch = 3;
  options.base_sequence = 10;
  options.partition_leader_epoch = 5;
  auto records = SampleRecords();
  Bytes batch = Build(records, options);

  ASSERT_TRUE(ValidateRecordBatch(batch).ok()) << ValidateRecordBatch(batch).ToString();
  auto header = ParseRecordBatchHeader(batch);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->base_offset, 4200);
  EXPECT_EQ(header->total_size(), batch.size());
  EXPECT_EQ(header->partition_leader_epoch, 5);
  EXPECT_EQ(header->compression(), GetParam());
  EXPECT_EQ(header->last_offset_delta, 4);
  EXPECT_EQ(header->last_offset(), 4204);
  EXPECT_EQ(header->first_timestamp, 1000);
  EXPECT_EQ(header->max_timestamp, 2000);
  EXPECT_EQ(header->producer_id, 77);
  EXPECT_EQ(header->producer_epoch, 3);
  EXPECT_EQ(header->base_sequence, 10);
  EXPECT_EQ(header->record_count, 5);
  EXPECT_FALSE(header->log_append_time());
  EXPECT_FALSE(header->is_transactional());
  EXPECT_FALSE(header->is_control());

  auto decoded = DecodeRecords(batch);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  for (size_t i = 0; i < records.size(); ++i) records[i].offset = 4200 + static_cast<int64_t>(i);
  EXPECT_EQ(*decoded, records);
}

TEST(RecordBatch, CompressedRecordsAreSmallerForRepetitiveData) {
  Bytes plain = Build(SampleRecords());
  for (auto codec :
       {Compression::kGzip, Compression::kSnappy, Compression::kLz4, Compression::kZstd}) {
    Bytes compressed = Build(SampleRecords(), {.compression = codec});
    EXPECT_LT(compressed.size(), plain.size() / 10) << static_cast<int>(codec);
  }
}

TEST(RecordBatch, TransactionalAndControlBitsAreWritten) {
  Bytes batch = Build({MakeRecord(1, "k", "v")}, {.transactional = true, .control = true});
  auto header = ParseRecordBatchHeader(batch);
  ASSERT_TRUE(header.ok());
  EXPECT_TRUE(header->is_transactional());
  EXPECT_TRUE(header->is_control());
  EXPECT_TRUE(ValidateRecordBatch(batch).ok());
}

TEST(RecordBatch, BuildingAnEmptyBatchIsInvalidArgument) {
  EXPECT_EQ(BuildRecordBatch({}, {}).status().code(), Status::Code::kInvalidArgument);
}

TEST(RecordBatch, BuildingWithAnUnknownCodecIsInvalidArgument) {
  EXPECT_EQ(
      BuildRecordBatch({MakeRecord(1, "k", "v")}, {.compression = Compression(6)}).status().code(),
      Status::Code::kInvalidArgument);
}

// One record, key "k", value "v", written field by field from the documented layout (not by
// BuildRecordBatch), so the builder and the decoder are checked against the format itself.
Bytes HandWrittenBatch() {
  const Bytes record = {
      0x10,       // length 8 (zig-zag 16)
      0x00,       // attributes
      0x00,       // timestampDelta 0
      0x00,       // offsetDelta 0
      0x02, 'k',  // keyLength 1, key
      0x02, 'v',  // valueLength 1, value
      0x00,       // headerCount 0
  };
  Bytes batch(61, 0);
  big_endian::Store64(&batch[0], 100);                 // baseOffset
  big_endian::Store32(&batch[8], 49 + record.size());  // batchLength
  big_endian::Store32(&batch[12], 7);                  // partitionLeaderEpoch
  batch[16] = 2;                                       // magic
  big_endian::Store16(&batch[21], 0);                  // attributes
  big_endian::Store32(&batch[23], 0);                  // lastOffsetDelta
  big_endian::Store64(&batch[27], 1600000000000);      // firstTimestamp
  big_endian::Store64(&batch[35], 1600000000000);      // maxTimestamp
  big_endian::Store64(&batch[43], uint64_t(-1));       // producerId
  big_endian::Store16(&batch[51], uint16_t(-1));       // producerEpoch
  big_endian::Store32(&batch[53], uint32_t(-1));       // baseSequence
  big_endian::Store32(&batch[57], 1);                  // recordCount
  batch.insert(batch.end(), record.begin(), record.end());
  RewriteCrc(batch);
  return batch;
}

TEST(RecordBatch, HandWrittenBatchFromTheDocumentedLayoutDecodes) {
  Bytes batch = HandWrittenBatch();
  ASSERT_TRUE(ValidateRecordBatch(batch).ok()) << ValidateRecordBatch(batch).ToString();
  auto decoded = DecodeRecords(batch);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0].offset, 100);
  EXPECT_EQ((*decoded)[0].timestamp, 1600000000000);
  EXPECT_EQ((*decoded)[0].key, "k");
  EXPECT_EQ((*decoded)[0].value, "v");
  EXPECT_TRUE((*decoded)[0].headers.empty());
}

TEST(RecordBatch, BuilderWritesTheHandWrittenBytesExactly) {
  Bytes built = Build({MakeRecord(1600000000000, "k", "v")},
                      {.base_offset = 100, .partition_leader_epoch = 7});
  EXPECT_EQ(built, HandWrittenBatch());
}

// --- validation failures -----------------------------------------------------------------------

TEST(ValidateRecordBatch, CorruptRecordByteFailsTheCrc) {
  Bytes batch = Build(SampleRecords());
  batch[batch.size() - 3] ^= 0x01;
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, CorruptCompressedByteFailsTheCrc) {
  Bytes batch = Build(SampleRecords(), {.compression = Compression::kZstd});
  batch[70] ^= 0x40;
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, CorruptHeaderFieldInsideTheCrcFails) {
  Bytes batch = Build(SampleRecords());
  batch[off::kMaxTimestamp + 7] ^= 0x01;
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, StoredCrcItselfCorrupted) {
  Bytes batch = Build(SampleRecords());
  batch[off::kCrc] ^= 0x80;
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, FieldsOutsideTheCrcMayChange) {
  Bytes batch = Build(SampleRecords());
  batch[off::kBaseOffset + 7] ^= 0x01;
  batch[off::kPartitionLeaderEpoch + 3] ^= 0x01;
  EXPECT_TRUE(ValidateRecordBatch(batch).ok());
}

TEST(ValidateRecordBatch, TruncatedBatchAtEveryLength) {
  Bytes batch = Build({MakeRecord(1, "k", "v"), MakeRecord(2, "k2", "v2")});
  for (size_t n = 0; n < batch.size(); ++n) {
    ExpectCorruption(ValidateRecordBatch(std::span<const uint8_t>(batch.data(), n)),
                     "length " + std::to_string(n));
    ExpectCorruption(DecodeRecords(std::span<const uint8_t>(batch.data(), n)).status(),
                     "length " + std::to_string(n));
  }
}

TEST(ValidateRecordBatch, ExtraBytesAfterTheBatchAreRejected) {
  Bytes batch = Build({MakeRecord(1, "k", "v")});
  batch.push_back(0);
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, WrongMagic) {
  for (uint8_t magic : {0, 1, 3, 0xFF}) {
    Bytes batch = Build({MakeRecord(1, "k", "v")});
    batch[off::kMagic] = magic;
    ExpectCorruption(ValidateRecordBatch(batch), "magic " + std::to_string(magic));
    ExpectCorruption(ParseRecordBatchHeader(batch).status());
  }
}

TEST(ValidateRecordBatch, BatchLengthLongerThanTheBytes) {
  Bytes batch = Build({MakeRecord(1, "k", "v")});
  SetInt32(batch, off::kBatchLength, static_cast<int32_t>(batch.size()));  // 12 too many
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, BatchLengthShorterThanTheHeader) {
  for (int32_t length : {-1, 0, 48, std::numeric_limits<int32_t>::min()}) {
    Bytes batch = Build({MakeRecord(1, "k", "v")});
    SetInt32(batch, off::kBatchLength, length);
    ExpectCorruption(ValidateRecordBatch(batch), "batchLength " + std::to_string(length));
  }
}

TEST(ValidateRecordBatch, RecordLengthLyingLonger) {
  Bytes batch = HandWrittenBatch();
  batch[61] = 0x12;  // record length 9, 8 bytes follow
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(ValidateRecordBatch, RecordLengthLyingShorter) {
  Bytes batch = HandWrittenBatch();
  batch[61] = 0x0E;  // record length 7: the header count falls outside the record
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(ValidateRecordBatch, KeyLengthPastTheRecord) {
  Bytes batch = HandWrittenBatch();
  batch[65] = 0x20;  // keyLength 16
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, NegativeKeyLengthOtherThanNull) {
  Bytes batch = HandWrittenBatch();
  batch[65] = 0x03;  // keyLength -2
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, NegativeHeaderCount) {
  Bytes batch = HandWrittenBatch();
  batch[69] = 0x01;  // headerCount -1
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, NullHeaderKeyIsRejected) {
  Bytes batch = Build({MakeRecord(1, "k", "v", {{"h", "x"}})});
  // The header starts right after headerCount: keyLength 1 (0x02) -> -1 (0x01).
  auto pos = batch.size() - 4;  // [keyLen 'h' valueLen 'x']
  ASSERT_EQ(batch[pos], 0x02);
  batch[pos] = 0x01;
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
}

TEST(ValidateRecordBatch, OverlongVarintIsRejected) {
  Bytes batch = HandWrittenBatch();
  // offsetDelta 0 written in 6 bytes (five continuation bytes): longer than an int32 allows.
  Bytes bloated = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  batch.erase(batch.begin() + 64);
  batch.insert(batch.begin() + 64, bloated.begin(), bloated.end());
  batch[61] = 0x1A;  // record length 13
  SetInt32(batch, off::kBatchLength, static_cast<int32_t>(batch.size() - 12));
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(ValidateRecordBatch, RecordCountLargerThanTheRecords) {
  Bytes batch = Build({MakeRecord(1, "k", "v"), MakeRecord(2, "k", "v")});
  SetInt32(batch, off::kRecordCount, 3);
  SetInt32(batch, off::kLastOffsetDelta, 2);
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(ValidateRecordBatch, RecordCountSmallerThanTheRecords) {
  Bytes batch = Build({MakeRecord(1, "k", "v"), MakeRecord(2, "k", "v")});
  SetInt32(batch, off::kRecordCount, 1);
  SetInt32(batch, off::kLastOffsetDelta, 0);
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(ValidateRecordBatch, RecordCountMismatchInsideACompressedBatchIsFoundByDecode) {
  Bytes batch =
      Build({MakeRecord(1, "k", "v"), MakeRecord(2, "k", "v")}, {.compression = Compression::kLz4});
  SetInt32(batch, off::kRecordCount, 3);
  SetInt32(batch, off::kLastOffsetDelta, 2);
  RewriteCrc(batch);
  EXPECT_TRUE(ValidateRecordBatch(batch).ok());  // compressed: header and CRC only
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(ValidateRecordBatch, NegativeRecordCount) {
  for (auto codec : {Compression::kNone, Compression::kGzip}) {
    Bytes batch = Build({MakeRecord(1, "k", "v")}, {.compression = codec});
    SetInt32(batch, off::kRecordCount, -1);
    RewriteCrc(batch);
    ExpectCorruption(ValidateRecordBatch(batch, OffsetDeltaCheck::kIncreasing));
    ExpectCorruption(DecodeRecords(batch).status());
  }
}

TEST(ValidateRecordBatch, HugeRecordCountIsRejectedWithoutWalking) {
  Bytes batch = Build({MakeRecord(1, "k", "v")});
  SetInt32(batch, off::kRecordCount, std::numeric_limits<int32_t>::max());
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch, OffsetDeltaCheck::kIncreasing));
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(ValidateRecordBatch, LastOffsetDeltaDisagreeingWithTheCountFailsForClients) {
  Bytes batch = Build({MakeRecord(1, "k", "v"), MakeRecord(2, "k", "v")},
                      {.compression = Compression::kSnappy});
  SetInt32(batch, off::kLastOffsetDelta, 5);
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch, OffsetDeltaCheck::kContiguous));
  EXPECT_TRUE(ValidateRecordBatch(batch, OffsetDeltaCheck::kIncreasing).ok());
}

TEST(ValidateRecordBatch, UnknownCompressionCodec) {
  Bytes batch = Build({MakeRecord(1, "k", "v")});
  big_endian::Store16(batch.data() + off::kAttributes, 5);
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(ValidateRecordBatch, TrailingBytesAfterTheLastRecord) {
  Bytes batch = HandWrittenBatch();
  batch.push_back(0x00);
  SetInt32(batch, off::kBatchLength, static_cast<int32_t>(batch.size() - 12));
  RewriteCrc(batch);
  ExpectCorruption(ValidateRecordBatch(batch));
  ExpectCorruption(DecodeRecords(batch).status());
}

// Two records whose offset deltas are 0 and 2, as left by compaction removing offset 1.
Bytes BatchWithDeltas(int32_t first, int32_t second, int32_t last_offset_delta) {
  Bytes batch = Build({MakeRecord(1, "a", "1"), MakeRecord(1, "b", "2")});
  // Each record is 9 bytes: [len attrs tsDelta offsetDelta ...]; offsetDelta at +3.
  batch[61 + 3] = static_cast<uint8_t>(first * 2);
  batch[61 + 9 + 3] = static_cast<uint8_t>(second * 2);
  SetInt32(batch, off::kLastOffsetDelta, last_offset_delta);
  RewriteCrc(batch);
  return batch;
}

TEST(ValidateRecordBatch, OffsetDeltasWithAGapFailForClientsButPassInTheLog) {
  Bytes batch = BatchWithDeltas(0, 2, 2);
  ExpectCorruption(ValidateRecordBatch(batch, OffsetDeltaCheck::kContiguous));
  EXPECT_TRUE(ValidateRecordBatch(batch, OffsetDeltaCheck::kIncreasing).ok());
  auto decoded = DecodeRecords(batch);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)[1].offset, 2);
}

TEST(ValidateRecordBatch, OffsetDeltasOutOfOrderFailEverywhere) {
  Bytes batch = BatchWithDeltas(1, 0, 1);
  ExpectCorruption(ValidateRecordBatch(batch, OffsetDeltaCheck::kContiguous));
  ExpectCorruption(ValidateRecordBatch(batch, OffsetDeltaCheck::kIncreasing));
}

TEST(ValidateRecordBatch, OffsetDeltaPastLastOffsetDeltaFailsInTheLog) {
  ExpectCorruption(ValidateRecordBatch(BatchWithDeltas(0, 3, 2), OffsetDeltaCheck::kIncreasing));
}

TEST(ValidateRecordBatch, EmptyBatchLeftByCompactionIsValid) {
  Bytes batch = Build({MakeRecord(1, "k", "v")});
  batch.resize(61);
  SetInt32(batch, off::kBatchLength, 49);
  SetInt32(batch, off::kRecordCount, 0);
  RewriteCrc(batch);
  EXPECT_TRUE(ValidateRecordBatch(batch).ok());
  auto decoded = DecodeRecords(batch);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
}

// --- decoding limits ---------------------------------------------------------------------------

TEST(DecodeRecords, ZipBombBatchIsRefusedAboveTheLimit) {
  for (auto codec :
       {Compression::kGzip, Compression::kSnappy, Compression::kLz4, Compression::kZstd}) {
    Bytes batch = Build({MakeRecord(1, "k", std::string(8 << 20, '\0'))}, {.compression = codec});
    ASSERT_LT(batch.size(), 1u << 20);
    ASSERT_TRUE(ValidateRecordBatch(batch).ok());
    ExpectCorruption(DecodeRecords(batch, 1 << 20).status());
    EXPECT_TRUE(DecodeRecords(batch, 16 << 20).ok());
  }
}

TEST(DecodeRecords, OffsetOverflowIsCorruption) {
  Bytes batch = Build({MakeRecord(1, "a", "1"), MakeRecord(1, "b", "2")});
  SetBaseOffset(batch, std::numeric_limits<int64_t>::max());
  ExpectCorruption(DecodeRecords(batch).status());
}

TEST(DecodeRecords, NegativeTimestampDeltaIsFine) {
  auto decoded = DecodeRecords(Build({MakeRecord(500, "a", "1"), MakeRecord(100, "b", "2")}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)[1].timestamp, 100);
}

// --- in-place rewrites -------------------------------------------------------------------------

TEST(SetBaseOffset, KeepsTheCrcValidAndShiftsEveryOffset) {
  Bytes batch = Build(SampleRecords(), {.compression = Compression::kGzip});
  SetBaseOffset(batch, 1'000'000'000'000);
  EXPECT_TRUE(ValidateRecordBatch(batch).ok());
  EXPECT_EQ(ParseRecordBatchHeader(batch)->base_offset, 1'000'000'000'000);
  auto decoded = DecodeRecords(batch);
  ASSERT_TRUE(decoded.ok());
  for (size_t i = 0; i < decoded->size(); ++i) {
    EXPECT_EQ((*decoded)[i].offset, 1'000'000'000'000 + static_cast<int64_t>(i));
  }
}

TEST(SetPartitionLeaderEpoch, KeepsTheCrcValid) {
  Bytes batch = Build(SampleRecords());
  SetPartitionLeaderEpoch(batch, 42);
  EXPECT_TRUE(ValidateRecordBatch(batch).ok());
  EXPECT_EQ(ParseRecordBatchHeader(batch)->partition_leader_epoch, 42);
}

TEST(SetLogAppendTime, SetsTheBitAndMaxTimestampAndKeepsTheCrcValid) {
  for (auto codec : {Compression::kNone, Compression::kZstd}) {
    Bytes batch = Build(SampleRecords(), {.compression = codec});
    SetLogAppendTime(batch, 1234567);
    EXPECT_TRUE(ValidateRecordBatch(batch).ok());
    auto header = ParseRecordBatchHeader(batch);
    EXPECT_TRUE(header->log_append_time());
    EXPECT_EQ(header->max_timestamp, 1234567);
    EXPECT_EQ(header->first_timestamp, 1000);  // untouched, as in Kafka
    EXPECT_EQ(header->compression(), codec);
    auto decoded = DecodeRecords(batch);
    ASSERT_TRUE(decoded.ok());
    for (const Record& r : *decoded) EXPECT_EQ(r.timestamp, 1234567);
  }
}

// --- splitting ---------------------------------------------------------------------------------

TEST(SplitRecordBatches, SplitsConcatenatedBatchesAndReportsAPartialTail) {
  Bytes a = Build({MakeRecord(1, "a", "1")});
  Bytes b = Build(SampleRecords(), {.base_offset = 1, .compression = Compression::kLz4});
  Bytes c = Build({MakeRecord(3, "c", "3")}, {.base_offset = 6});
  Bytes whole;
  for (const Bytes* x : {&a, &b, &c}) whole.insert(whole.end(), x->begin(), x->end());

  // Cut the final batch at every length: inside batchLength, inside the header, in the records.
  for (size_t tail = 0; tail < c.size(); ++tail) {
    std::span<const uint8_t> bytes(whole.data(), a.size() + b.size() + tail);
    size_t trailing = 999;
    auto batches = SplitRecordBatches(bytes, &trailing);
    ASSERT_TRUE(batches.ok()) << "tail " << tail << ": " << batches.status().ToString();
    ASSERT_EQ(batches->size(), 2u) << "tail " << tail;
    EXPECT_EQ(trailing, tail);
    EXPECT_EQ((*batches)[0].size(), a.size());
    EXPECT_EQ((*batches)[1].size(), b.size());
    EXPECT_TRUE(ValidateRecordBatch((*batches)[1]).ok());
  }
  size_t trailing = 999;
  auto all = SplitRecordBatches(whole, &trailing);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(trailing, 0u);
}

TEST(SplitRecordBatches, EmptyInputGivesNoBatches) {
  auto batches = SplitRecordBatches({});
  ASSERT_TRUE(batches.ok());
  EXPECT_TRUE(batches->empty());
}

TEST(SplitRecordBatches, GarbageLengthIsCorruption) {
  Bytes batch = Build({MakeRecord(1, "a", "1")});
  SetInt32(batch, off::kBatchLength, 10);
  ExpectCorruption(SplitRecordBatches(batch).status());
}

TEST(SplitRecordBatches, WrongMagicInAPartialBatchIsCorruption) {
  Bytes batch = Build({MakeRecord(1, "a", "1")});
  batch[off::kMagic] = 1;
  ExpectCorruption(SplitRecordBatches(std::span<const uint8_t>(batch.data(), 20)).status());
}

TEST(SplitRecordBatches, DoesNotCheckTheCrc) {
  Bytes batch = Build({MakeRecord(1, "a", "1")});
  batch.back() ^= 0xFF;
  auto batches = SplitRecordBatches(batch);
  ASSERT_TRUE(batches.ok());
  EXPECT_EQ(batches->size(), 1u);
  ExpectCorruption(ValidateRecordBatch((*batches)[0]));
}

}  // namespace
}  // namespace sluice::kafka
