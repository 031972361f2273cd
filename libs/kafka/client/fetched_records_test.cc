#include "libs/kafka/client/fetched_records.h"

#include <gtest/gtest.h>

namespace sluice::kafka::client {
namespace {

const TopicPartition kTp{"t", PartitionId(0)};

std::vector<uint8_t> Batch(int64_t base, int count, Compression codec = Compression::kNone,
                           int64_t producer_id = -1, bool transactional = false,
                           bool control = false) {
  std::vector<Record> records;
  for (int i = 0; i < count; ++i) {
    Record r;
    r.timestamp = 1000 + i;
    r.key = "k" + std::to_string(base + i);
    r.value = "v" + std::to_string(base + i);
    records.push_back(r);
  }
  RecordBatchBuilderOptions o;
  o.base_offset = base;
  o.compression = codec;
  o.producer_id = producer_id;
  o.producer_epoch = producer_id >= 0 ? 0 : -1;
  o.transactional = transactional;
  o.control = control;
  return *BuildRecordBatch(records, o);
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<int64_t> Offsets(const FetchedRecords& f) {
  std::vector<int64_t> out;
  for (const auto& r : f.records) out.push_back(r.record.offset);
  return out;
}

TEST(DecodeFetchedRecords, ReturnsRecordsAndMovesPastTheLastBatch) {
  auto f = DecodeFetchedRecords(kTp, Concat({Batch(0, 2), Batch(2, 3)}), Offset(0),
                                IsolationLevel::kReadUncommitted, {}, false);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(Offsets(*f), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(f->next_position, Offset(5));
  EXPECT_EQ(*f->records[3].record.value, "v3");
  EXPECT_EQ(f->records[0].partition, kTp);
}

TEST(DecodeFetchedRecords, DropsRecordsBelowThePositionInACompressedBatch) {
  auto f = DecodeFetchedRecords(kTp, Batch(10, 5, Compression::kGzip), Offset(12),
                                IsolationLevel::kReadUncommitted, {}, false);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(Offsets(*f), (std::vector<int64_t>{12, 13, 14}));
  EXPECT_EQ(f->next_position, Offset(15));
}

TEST(DecodeFetchedRecords, LeavesATrailingPartialBatchForTheNextFetch) {
  auto bytes = Concat({Batch(0, 2), Batch(2, 2)});
  bytes.resize(bytes.size() - 5);
  auto f = DecodeFetchedRecords(kTp, bytes, Offset(0), IsolationLevel::kReadUncommitted, {},
                                false);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(Offsets(*f), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(f->next_position, Offset(2));
}

TEST(DecodeFetchedRecords, NoCompleteBatchKeepsThePosition) {
  auto bytes = Batch(7, 1);
  bytes.resize(30);
  auto f = DecodeFetchedRecords(kTp, bytes, Offset(7), IsolationLevel::kReadUncommitted, {},
                                false);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->records.empty());
  EXPECT_EQ(f->next_position, Offset(7));
}

TEST(DecodeFetchedRecords, ControlBatchesAreSkippedButAdvance) {
  auto f = DecodeFetchedRecords(kTp, Concat({Batch(0, 1), Batch(1, 1, Compression::kNone, 5,
                                                                   true, true)}),
                                Offset(0), IsolationLevel::kReadUncommitted, {}, false);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(Offsets(*f), (std::vector<int64_t>{0}));
  EXPECT_EQ(f->next_position, Offset(2));
}

TEST(DecodeFetchedRecords, ReadCommittedDropsAbortedTransactions) {
  // Producer 5 aborts (offsets 0-1, marker at 2); producer 6 commits (3-4, marker at 5).
  auto bytes = Concat({Batch(0, 2, Compression::kNone, 5, true),
                       Batch(2, 1, Compression::kNone, 5, true, true),
                       Batch(3, 2, Compression::kNone, 6, true),
                       Batch(5, 1, Compression::kNone, 6, true, true)});
  auto committed = DecodeFetchedRecords(kTp, bytes, Offset(0), IsolationLevel::kReadCommitted,
                                        {{5, Offset(0)}}, false);
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(Offsets(*committed), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(committed->next_position, Offset(6));
  auto uncommitted = DecodeFetchedRecords(kTp, bytes, Offset(0),
                                          IsolationLevel::kReadUncommitted, {{5, Offset(0)}},
                                          false);
  ASSERT_TRUE(uncommitted.ok());
  EXPECT_EQ(Offsets(*uncommitted), (std::vector<int64_t>{0, 1, 3, 4}));
}

TEST(DecodeFetchedRecords, CorruptBatchFailsNamingPartitionAndOffset) {
  auto bytes = Concat({Batch(0, 1), Batch(1, 1)});
  bytes.back() ^= 0xff;  // breaks the second batch's CRC
  auto f = DecodeFetchedRecords(kTp, bytes, Offset(0), IsolationLevel::kReadUncommitted, {},
                                false);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("t-0: batch at offset 1"), std::string::npos)
      << f.status().message();
}

TEST(DecodeFetchedRecords, CorruptBatchIsSkippedWhenAsked) {
  auto bytes = Concat({Batch(0, 1), Batch(1, 1), Batch(2, 1)});
  const size_t second_end = Batch(0, 1).size() * 2;
  bytes[second_end - 1] ^= 0xff;
  auto f = DecodeFetchedRecords(kTp, bytes, Offset(0), IsolationLevel::kReadUncommitted, {},
                                true);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(Offsets(*f), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(f->skipped_corrupt_batches, 1);
  EXPECT_EQ(f->next_position, Offset(3));
}

}  // namespace
}  // namespace sluice::kafka::client
