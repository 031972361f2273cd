#include "broker/storage/append_validation.h"

#include <string>

#include "broker/storage/index_file.h"

namespace sluice::storage {
namespace {

std::string At(size_t position) { return " (batch at byte " + std::to_string(position) + ")"; }

// Compaction keeps the latest record per key, so a record without one has no meaning there;
// Kafka's LogValidator refuses it ("Compacted topic cannot accept message without key"). This
// decodes (and decompresses) the batch: the price of a compacted topic, as in Kafka.
Status CheckKeysPresent(std::span<const uint8_t> batch, size_t position) {
  auto records = kafka::DecodeRecords(batch);
  if (!records.ok()) return Status::Corruption(records.status().message() + At(position));
  for (const kafka::Record& record : *records) {
    if (!record.key) {
      return Status::InvalidArgument("compacted topic cannot accept a record without a key" +
                                     At(position));
    }
  }
  return Status::Ok();
}

// Tells a checksum failure (the bytes were damaged: Corruption) from a well-formed but invalid
// batch (InvalidArgument).
Status ClassifyInvalidBatch(std::span<const uint8_t> batch, const Status& invalid,
                            size_t position) {
  uint32_t stored = GetBigEndian32(batch.data() + kafka::batch_offsets::kCrc);
  if (kafka::Crc32c(batch.subspan(kafka::batch_offsets::kAttributes)) != stored) {
    return Status::Corruption("record batch CRC mismatch" + At(position));
  }
  return Status::InvalidArgument(invalid.message() + At(position));
}

}  // namespace

Result<std::vector<ValidatedBatch>> ValidateProducerRecords(std::span<const uint8_t> records,
                                                            const LogConfig& config) {
  if (records.empty()) return Status::InvalidArgument("no record batches to append");
  if (static_cast<int64_t>(records.size()) > config.segment_bytes) {
    return Status::OutOfRange("records of " + std::to_string(records.size()) +
                              " bytes exceed segment.bytes " +
                              std::to_string(config.segment_bytes));
  }
  std::vector<ValidatedBatch> batches;
  size_t position = 0;
  while (position < records.size()) {
    std::span<const uint8_t> rest = records.subspan(position);
    if (rest.size() < kafka::kRecordBatchOverhead) {
      return Status::Corruption("truncated record batch header" + At(position));
    }
    if (static_cast<int8_t>(rest[kafka::batch_offsets::kMagic]) != kafka::kMagicV2) {
      return Status::InvalidArgument("record batch magic " +
                                     std::to_string(rest[kafka::batch_offsets::kMagic]) +
                                     " is not supported, only 2" + At(position));
    }
    auto header = kafka::ParseRecordBatchHeader(rest);
    if (!header.ok()) return Status::Corruption(header.status().message() + At(position));
    const size_t size = header->total_size();
    if (size > rest.size()) {
      return Status::Corruption("record batch of " + std::to_string(size) + " bytes but only " +
                                std::to_string(rest.size()) + " remain" + At(position));
    }
    if (static_cast<int64_t>(size) > config.max_message_bytes) {
      return Status::OutOfRange("record batch of " + std::to_string(size) +
                                " bytes exceeds max.message.bytes " +
                                std::to_string(config.max_message_bytes) + At(position));
    }
    std::span<const uint8_t> batch = rest.first(size);
    Status valid = kafka::ValidateRecordBatch(batch, kafka::OffsetDeltaCheck::kContiguous);
    if (!valid.ok()) return ClassifyInvalidBatch(batch, valid, position);
    if (header->is_control()) {
      return Status::InvalidArgument("clients may not write control batches" + At(position));
    }
    if (header->record_count < 1 || header->last_offset_delta != header->record_count - 1) {
      return Status::InvalidArgument("record count " + std::to_string(header->record_count) +
                                     " inconsistent with lastOffsetDelta " +
                                     std::to_string(header->last_offset_delta) + At(position));
    }
    if (header->producer_id >= 0 && header->base_sequence < 0) {
      return Status::InvalidArgument("producer id set without a base sequence" + At(position));
    }
    if (config.cleanup_compact) SLUICE_RETURN_IF_ERROR(CheckKeysPresent(batch, position));
    batches.push_back({position, *header});
    position += size;
  }
  return batches;
}

Result<std::vector<ValidatedBatch>> ValidateReplicatedRecords(std::span<const uint8_t> records,
                                                              const LogConfig& config) {
  std::vector<ValidatedBatch> batches;
  size_t position = 0;
  int64_t previous_last_offset = -1;
  while (records.size() - position >= kafka::kRecordBatchOverhead) {
    std::span<const uint8_t> rest = records.subspan(position);
    if (static_cast<int8_t>(rest[kafka::batch_offsets::kMagic]) != kafka::kMagicV2) {
      return Status::InvalidArgument("record batch magic " +
                                     std::to_string(rest[kafka::batch_offsets::kMagic]) +
                                     " is not supported, only 2" + At(position));
    }
    auto header = kafka::ParseRecordBatchHeader(rest);
    if (!header.ok()) return Status::Corruption(header.status().message() + At(position));
    const size_t size = header->total_size();
    if (size > rest.size()) break;  // the leader cut the last batch at the fetch size
    std::span<const uint8_t> batch = rest.first(size);
    Status valid = kafka::ValidateRecordBatch(batch, kafka::OffsetDeltaCheck::kIncreasing);
    if (!valid.ok()) return ClassifyInvalidBatch(batch, valid, position);
    if (header->last_offset_delta < 0 || header->base_offset < 0) {
      return Status::InvalidArgument("record batch with base offset " +
                                     std::to_string(header->base_offset) + " and lastOffsetDelta " +
                                     std::to_string(header->last_offset_delta) + At(position));
    }
    if (header->base_offset <= previous_last_offset) {
      return Status::InvalidArgument("record batch base offset " +
                                     std::to_string(header->base_offset) +
                                     " does not follow the previous batch's last offset " +
                                     std::to_string(previous_last_offset) + At(position));
    }
    previous_last_offset = header->last_offset();
    batches.push_back({position, *header});
    position += size;
  }
  if (batches.empty()) {
    return Status::InvalidArgument("no complete record batch in " + std::to_string(records.size()) +
                                   " bytes of fetched records");
  }
  if (static_cast<int64_t>(position) > config.segment_bytes) {
    return Status::OutOfRange("records of " + std::to_string(position) +
                              " bytes exceed segment.bytes " +
                              std::to_string(config.segment_bytes));
  }
  return batches;
}

}  // namespace sluice::storage
