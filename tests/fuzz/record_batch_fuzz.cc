// libFuzzer target: record batch v2 parsing, validation and decoding on arbitrary bytes.
//
// The input is treated as what a Produce request or a segment file holds: concatenated
// batches. Every entry point must return a Status for malformed input and never crash, leak,
// read out of bounds or hit undefined behaviour. The CRC is the first obstacle for a mutator,
// so each split batch is also decoded directly (DecodeRecords does not re-check the CRC), and
// once more with the CRC recomputed, so that ValidateRecordBatch's record walk is reached.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "libs/kafka/records/record_batch.h"

namespace {

// Small enough that a fuzzer-made zip bomb is refused quickly, large enough for real batches.
constexpr size_t kFuzzDecompressLimit = 4 << 20;

void Exercise(std::span<const uint8_t> batch) {
  for (auto check : {sluice::kafka::OffsetDeltaCheck::kContiguous,
                     sluice::kafka::OffsetDeltaCheck::kIncreasing}) {
    (void)sluice::kafka::ValidateRecordBatch(batch, check);
  }
  auto records = sluice::kafka::DecodeRecords(batch, kFuzzDecompressLimit);
  if (records.ok()) {
    // Whatever decodes must build again into a batch that validates.
    if (!records->empty()) {
      auto rebuilt = sluice::kafka::BuildRecordBatch(*records, {});
      // (Building may refuse, e.g. timestamps more than INT64_MAX apart; it must not be wrong.)
      if (rebuilt.ok() && !sluice::kafka::ValidateRecordBatch(*rebuilt).ok()) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  (void)sluice::kafka::ParseRecordBatchHeader(input);
  size_t trailing = 0;
  auto batches = sluice::kafka::SplitRecordBatches(input, &trailing);
  if (!batches.ok()) return 0;
  if (trailing > size) __builtin_trap();
  for (std::span<const uint8_t> batch : *batches) {
    Exercise(batch);
    // Same bytes with a correct CRC, so mutations reach past the checksum.
    std::vector<uint8_t> copy(batch.begin(), batch.end());
    uint32_t crc = sluice::kafka::Crc32c(std::span<const uint8_t>(copy).subspan(21));
    for (int i = 0; i < 4; ++i) copy[17 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
    Exercise(copy);
    // The in-place rewrites must keep a valid batch valid.
    bool was_valid =
        sluice::kafka::ValidateRecordBatch(copy, sluice::kafka::OffsetDeltaCheck::kIncreasing).ok();
    sluice::kafka::SetBaseOffset(copy, 0);
    sluice::kafka::SetPartitionLeaderEpoch(copy, 1);
    sluice::kafka::SetLogAppendTime(copy, 1234);
    if (was_valid &&
        !sluice::kafka::ValidateRecordBatch(copy, sluice::kafka::OffsetDeltaCheck::kIncreasing)
             .ok()) {
      __builtin_trap();
    }
  }
  return 0;
}
