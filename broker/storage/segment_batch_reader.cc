#include "broker/storage/segment_batch_reader.h"

#include <algorithm>
#include <string>

namespace sluice::storage {

SegmentBatchReader::SegmentBatchReader(const PosixFile& file, int64_t start, int64_t end,
                                       size_t chunk_bytes)
    : file_(file), end_(end), chunk_bytes_(chunk_bytes), next_position_(start) {}

Status SegmentBatchReader::Fill(int64_t position, size_t n) {
  int64_t buf_end = buf_start_ + static_cast<int64_t>(buf_.size());
  if (position >= buf_start_ && position + static_cast<int64_t>(n) <= buf_end) {
    return Status::Ok();
  }
  size_t want = std::max(n, chunk_bytes_);
  want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(want), end_ - position));
  if (want < n) {
    return Status::Corruption(file_.path().string() + ": " + std::to_string(n) +
                              " bytes needed at position " + std::to_string(position) +
                              " but the segment ends at " + std::to_string(end_));
  }
  buf_.resize(want);
  buf_start_ = position;
  auto got = file_.ReadAt(position, buf_);
  if (!got.ok()) {
    buf_.clear();
    return got.status();
  }
  buf_.resize(*got);
  if (*got < n) {
    return Status::Corruption(file_.path().string() + ": file ends before position " +
                              std::to_string(position + static_cast<int64_t>(n)));
  }
  return Status::Ok();
}

Result<std::optional<ScannedBatch>> SegmentBatchReader::Next() {
  current_.reset();
  if (next_position_ >= end_) return std::optional<ScannedBatch>();
  SLUICE_RETURN_IF_ERROR(Fill(next_position_, kafka::kRecordBatchOverhead));
  auto header = kafka::ParseRecordBatchHeader(std::span<const uint8_t>(buf_).subspan(
      static_cast<size_t>(next_position_ - buf_start_), kafka::kRecordBatchOverhead));
  if (!header.ok()) {
    return Status::Corruption(file_.path().string() + " at position " +
                              std::to_string(next_position_) + ": " + header.status().message());
  }
  int64_t total = static_cast<int64_t>(header->total_size());
  if (next_position_ + total > end_) {
    return Status::Corruption(
        file_.path().string() + " at position " + std::to_string(next_position_) + ": batch of " +
        std::to_string(total) + " bytes runs past the end at " + std::to_string(end_));
  }
  current_ = ScannedBatch{next_position_, *header};
  next_position_ += total;
  return current_;
}

Result<std::span<const uint8_t>> SegmentBatchReader::Body() {
  if (!current_) return Status::Internal("Body() without a current batch");
  size_t size = current_->header.total_size();
  SLUICE_RETURN_IF_ERROR(Fill(current_->position, size));
  return std::span<const uint8_t>(buf_).subspan(
      static_cast<size_t>(current_->position - buf_start_), size);
}

}  // namespace sluice::storage
