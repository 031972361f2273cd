// Sequential reading of the record batches in a segment's .log file, header first.
//
// Scans (offset translation, timestamp search, recovery) mostly need only the 61-byte headers,
// so the reader fetches 64 KiB chunks and hands out headers; the whole batch is read only when
// the caller asks for Body(). A scan that skips a 1 MiB batch therefore reads one header, not
// the megabyte.
//
// Thread safety: a reader is used by one thread; the file must not shrink during the scan (the
// Log's lock guarantees it).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "broker/storage/posix_file.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {

struct ScannedBatch {
  int64_t position = 0;  // byte offset of the batch in the .log file
  kafka::RecordBatchHeader header;
  int32_t size() const { return static_cast<int32_t>(header.total_size()); }
};

class SegmentBatchReader {
 public:
  static constexpr size_t kDefaultChunkBytes = 64 * 1024;

  // Scans [start, end) of `file`.
  SegmentBatchReader(const PosixFile& file, int64_t start, int64_t end,
                     size_t chunk_bytes = kDefaultChunkBytes);

  // The next batch's header, or nullopt at exactly `end`. Corruption when bytes remain but do
  // not form a valid header (a torn write, garbage, a batch claiming to extend past `end`).
  Result<std::optional<ScannedBatch>> Next();
  // The whole batch last returned by Next(). The span stays valid until the next call.
  Result<std::span<const uint8_t>> Body();
  // Where the next batch starts (the end of the last one returned).
  int64_t position() const { return next_position_; }

 private:
  // Makes [position, position + n) available in buf_; IoError/Corruption if it cannot.
  Status Fill(int64_t position, size_t n);

  const PosixFile& file_;
  int64_t end_;
  size_t chunk_bytes_;
  int64_t next_position_;
  std::optional<ScannedBatch> current_;
  std::vector<uint8_t> buf_;
  int64_t buf_start_ = 0;
};

}  // namespace sluice::storage
