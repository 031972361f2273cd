#include "libs/kafka/client/fetched_records.h"

#include <algorithm>
#include <set>

namespace sluice::kafka::client {

Result<FetchedRecords> DecodeFetchedRecords(const TopicPartition& partition,
                                            std::span<const uint8_t> bytes, Offset position,
                                            IsolationLevel isolation,
                                            std::vector<AbortedTransactionRange> aborted,
                                            bool skip_corrupt) {
  FetchedRecords out;
  out.next_position = position;
  Result<std::vector<std::span<const uint8_t>>> batches = SplitRecordBatches(bytes);
  if (!batches.ok()) {
    if (!skip_corrupt) {
      return Status::Corruption(partition.ToString() + " at offset " +
                                std::to_string(position.value()) + ": " +
                                batches.status().message());
    }
    ++out.skipped_corrupt_batches;
    return out;
  }

  std::sort(aborted.begin(), aborted.end(),
            [](const AbortedTransactionRange& a, const AbortedTransactionRange& b) {
              return a.first_offset < b.first_offset;
            });
  size_t next_aborted = 0;
  std::set<int64_t> open_aborted;  // producers whose aborted transaction has started

  for (std::span<const uint8_t> batch : *batches) {
    Result<RecordBatchHeader> header = ParseRecordBatchHeader(batch);
    if (!header.ok()) return header.status();  // SplitRecordBatches checked it already
    const Offset batch_end(header->last_offset() + 1);
    auto advance = [&] { out.next_position = std::max(out.next_position, batch_end); };

    Status valid = ValidateRecordBatch(batch, OffsetDeltaCheck::kIncreasing);
    Result<std::vector<Record>> records =
        valid.ok() ? DecodeRecords(batch) : Result<std::vector<Record>>(valid);
    if (!records.ok()) {
      if (!skip_corrupt) {
        return Status::Corruption(partition.ToString() + ": batch at offset " +
                                  std::to_string(header->base_offset) + ": " +
                                  records.status().message());
      }
      ++out.skipped_corrupt_batches;
      advance();
      continue;
    }

    if (isolation == IsolationLevel::kReadCommitted) {
      while (next_aborted < aborted.size() &&
             aborted[next_aborted].first_offset.value() <= header->base_offset) {
        open_aborted.insert(aborted[next_aborted].producer_id);
        ++next_aborted;
      }
      if (header->is_control()) {
        open_aborted.erase(header->producer_id);  // the marker ends the producer's transaction
        advance();
        continue;
      }
      if (header->is_transactional() && open_aborted.count(header->producer_id) != 0) {
        advance();
        continue;
      }
    } else if (header->is_control()) {
      advance();
      continue;
    }

    for (Record& r : *records) {
      if (r.offset < position.value()) continue;
      out.records.push_back(ConsumerRecord{partition, std::move(r), header->log_append_time()});
    }
    advance();
  }
  return out;
}

}  // namespace sluice::kafka::client
