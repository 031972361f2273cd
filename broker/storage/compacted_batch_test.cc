#include "broker/storage/compacted_batch.h"

#include <gtest/gtest.h>

namespace sluice::storage {
namespace {

std::vector<kafka::Record> FiveRecords() {
  std::vector<kafka::Record> records;
  for (int i = 0; i < 5; ++i) {
    kafka::Record r;
    r.timestamp = 1000 + 10 * i;
    r.key = "k" + std::to_string(i);
    r.value = i == 3 ? std::nullopt : std::optional<std::string>("v" + std::to_string(i));
    r.headers.push_back({"h" + std::to_string(i), std::nullopt});
    records.push_back(std::move(r));
  }
  return records;
}

struct Stored {
  kafka::RecordBatchHeader header;
  std::vector<kafka::Record> records;
};

Stored StoredBatch(kafka::Compression codec) {
  kafka::RecordBatchBuilderOptions options;
  options.base_offset = 100;
  options.compression = codec;
  options.producer_id = 42;
  options.producer_epoch = 3;
  options.base_sequence = 17;
  options.partition_leader_epoch = 9;
  auto batch = kafka::BuildRecordBatch(FiveRecords(), options);
  EXPECT_TRUE(batch.ok());
  return {*kafka::ParseRecordBatchHeader(*batch), *kafka::DecodeRecords(*batch)};
}

TEST(CompactedBatchTest, KeepsOffsetsProducerFieldsAndCodec) {
  for (auto codec : {kafka::Compression::kNone, kafka::Compression::kGzip,
                     kafka::Compression::kSnappy, kafka::Compression::kLz4,
                     kafka::Compression::kZstd}) {
    SCOPED_TRACE(static_cast<int>(codec));
    Stored stored = StoredBatch(codec);
    std::vector<kafka::Record> kept = {stored.records[1], stored.records[3]};
    auto batch = BuildCompactedBatch(stored.header, kept);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_TRUE(kafka::ValidateRecordBatch(*batch, kafka::OffsetDeltaCheck::kIncreasing).ok());
    // A producer may not send this (deltas are not contiguous); a log may hold it.
    EXPECT_FALSE(kafka::ValidateRecordBatch(*batch, kafka::OffsetDeltaCheck::kContiguous).ok() &&
                 codec == kafka::Compression::kNone);
    auto h = kafka::ParseRecordBatchHeader(*batch);
    EXPECT_EQ(h->base_offset, 100);
    EXPECT_EQ(h->last_offset(), 104);
    EXPECT_EQ(h->record_count, 2);
    EXPECT_EQ(h->compression(), codec);
    EXPECT_EQ(h->producer_id, 42);
    EXPECT_EQ(h->producer_epoch, 3);
    EXPECT_EQ(h->base_sequence, 17);
    EXPECT_EQ(h->partition_leader_epoch, 9);
    EXPECT_EQ(h->first_timestamp, 1010);
    EXPECT_EQ(h->max_timestamp, 1030);
    auto decoded = kafka::DecodeRecords(*batch);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, kept);  // offsets, timestamps, keys, tombstone, headers
  }
}

TEST(CompactedBatchTest, RejectsRecordsOutsideTheBatchOrOutOfOrder) {
  Stored stored = StoredBatch(kafka::Compression::kNone);
  EXPECT_FALSE(BuildCompactedBatch(stored.header, {}).ok());
  EXPECT_FALSE(BuildCompactedBatch(stored.header, {stored.records[2], stored.records[1]}).ok());
  kafka::Record outside = stored.records[4];
  outside.offset = 105;
  EXPECT_FALSE(BuildCompactedBatch(stored.header, {outside}).ok());
}

TEST(CompactedBatchTest, LogAppendTimeBatchKeepsItsTimestamps) {
  kafka::RecordBatchBuilderOptions options;
  auto built = kafka::BuildRecordBatch(FiveRecords(), options);
  std::vector<uint8_t> batch = *built;
  kafka::SetLogAppendTime(batch, 5555);
  auto header = *kafka::ParseRecordBatchHeader(batch);
  auto records = *kafka::DecodeRecords(batch);
  auto compacted = BuildCompactedBatch(header, {records[4]});
  ASSERT_TRUE(compacted.ok());
  auto h = kafka::ParseRecordBatchHeader(*compacted);
  EXPECT_TRUE(h->log_append_time());
  EXPECT_EQ(h->max_timestamp, 5555);
  EXPECT_EQ(kafka::DecodeRecords(*compacted)->at(0).timestamp, 5555);
}

TEST(CompactedBatchTest, EmptyBatchCoversTheSameOffsetsWithNoRecords) {
  Stored stored = StoredBatch(kafka::Compression::kZstd);
  std::vector<uint8_t> batch = BuildEmptyBatch(stored.header);
  EXPECT_EQ(batch.size(), kafka::kRecordBatchOverhead);
  ASSERT_TRUE(kafka::ValidateRecordBatch(batch, kafka::OffsetDeltaCheck::kIncreasing).ok());
  auto h = kafka::ParseRecordBatchHeader(batch);
  EXPECT_EQ(h->base_offset, 100);
  EXPECT_EQ(h->last_offset(), 104);
  EXPECT_EQ(h->record_count, 0);
  EXPECT_EQ(h->compression(), kafka::Compression::kNone);
  EXPECT_EQ(h->producer_id, 42);
  EXPECT_EQ(h->base_sequence, 17);
  EXPECT_TRUE(kafka::DecodeRecords(batch)->empty());
}

}  // namespace
}  // namespace sluice::storage
