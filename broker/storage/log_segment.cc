#include "broker/storage/log_segment.h"

#include <sys/stat.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <limits>
#include <string>

#include "broker/storage/file_names.h"
#include "broker/storage/segment_batch_reader.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {
namespace {

bool FitsRelativeOffset(Offset base, Offset offset) {
  int64_t relative = offset - base;
  return relative >= 0 && relative <= std::numeric_limits<int32_t>::max();
}

Status RemoveIfExists(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) return Status::IoError("remove " + path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

LogSegment::LogSegment(Offset base, const Options& options, TimestampMs created,
                       std::unique_ptr<PosixFile> log, std::unique_ptr<OffsetIndex> offset_index,
                       std::unique_ptr<TimeIndex> time_index)
    : base_offset_(base),
      options_(options),
      created_(created),
      log_(std::move(log)),
      offset_index_(std::move(offset_index)),
      time_index_(std::move(time_index)),
      next_offset_(base),
      offset_of_max_timestamp_(base) {}

LogSegment::~LogSegment() = default;

Result<std::unique_ptr<LogSegment>> LogSegment::Create(const std::filesystem::path& dir,
                                                       Offset base_offset, const Options& options,
                                                       TimestampMs now, std::string_view suffix) {
  auto path_of = [&](SegmentFileKind kind) {
    std::filesystem::path path = SegmentFilePath(dir, base_offset, kind);
    path += std::string(suffix);
    return path;
  };
  std::filesystem::path log_path = path_of(SegmentFileKind::kLog);
  std::error_code ec;
  if (std::filesystem::exists(log_path, ec) && std::filesystem::file_size(log_path, ec) > 0) {
    return Status::AlreadyExists("segment " + log_path.string() + " already exists");
  }
  auto log = PosixFile::Open(log_path, PosixFile::Mode::kCreate);
  if (!log.ok()) return log.status();
  // Index files left without their log (a crash during an earlier roll) are stale.
  std::filesystem::path index_path = path_of(SegmentFileKind::kOffsetIndex);
  std::filesystem::path time_path = path_of(SegmentFileKind::kTimeIndex);
  SLUICE_RETURN_IF_ERROR(RemoveIfExists(index_path));
  SLUICE_RETURN_IF_ERROR(RemoveIfExists(time_path));
  auto offset_index = OffsetIndex::Open(index_path, base_offset, options.index_max_bytes);
  if (!offset_index.ok()) return offset_index.status();
  auto time_index = TimeIndex::Open(time_path, base_offset, options.index_max_bytes);
  if (!time_index.ok()) return time_index.status();
  return std::unique_ptr<LogSegment>(new LogSegment(base_offset, options, now, std::move(*log),
                                                    std::move(*offset_index),
                                                    std::move(*time_index)));
}

Result<std::unique_ptr<LogSegment>> LogSegment::Open(const std::filesystem::path& dir,
                                                     Offset base_offset, const Options& options,
                                                     TimestampMs now) {
  auto log = PosixFile::Open(SegmentFilePath(dir, base_offset, SegmentFileKind::kLog),
                             PosixFile::Mode::kOpenExisting);
  if (!log.ok()) return log.status();
  auto size = (*log)->Size();
  if (!size.ok()) return size.status();
  std::filesystem::path index_path =
      SegmentFilePath(dir, base_offset, SegmentFileKind::kOffsetIndex);
  std::filesystem::path time_path = SegmentFilePath(dir, base_offset, SegmentFileKind::kTimeIndex);
  std::error_code ec;
  bool indexes_existed =
      std::filesystem::exists(index_path, ec) && std::filesystem::exists(time_path, ec);
  auto offset_index = OffsetIndex::Open(index_path, base_offset, options.index_max_bytes);
  if (!offset_index.ok()) return offset_index.status();
  auto time_index = TimeIndex::Open(time_path, base_offset, options.index_max_bytes);
  if (!time_index.ok()) return time_index.status();
  std::unique_ptr<LogSegment> segment(new LogSegment(base_offset, options, now, std::move(*log),
                                                     std::move(*offset_index),
                                                     std::move(*time_index)));
  segment->size_ = *size;
  segment->indexes_missing_ = !indexes_existed;
  return segment;
}

TimestampMs LogSegment::LargestTimestamp() const {
  if (max_timestamp_so_far_ >= TimestampMs(0)) return max_timestamp_so_far_;
  struct stat st;
  if (::fstat(log_->fd(), &st) != 0) return created_;
  return TimestampMs(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000);
}

Result<TimestampMs> LogSegment::LastModified() const {
  struct stat st;
  if (::fstat(log_->fd(), &st) != 0) return ErrnoStatus("stat", log_->path(), errno);
  return TimestampMs(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000);
}

Status LogSegment::SetLastModified(TimestampMs mtime) {
  struct timespec times[2];
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_OMIT;  // access time: leave alone
  times[1].tv_sec = mtime.value() / 1000;
  times[1].tv_nsec = (mtime.value() % 1000) * 1000000;
  if (::futimens(log_->fd(), times) != 0) return ErrnoStatus("set mtime of", log_->path(), errno);
  return Status::Ok();
}

std::optional<TimestampMs> LogSegment::RollingBasedTimestamp() {
  if (!rolling_based_timestamp_ && size_ > 0) {
    SegmentBatchReader reader(*log_, 0, size_, kafka::kRecordBatchOverhead);
    auto first = reader.Next();
    if (first.ok() && first->has_value()) {
      rolling_based_timestamp_ = TimestampMs((*first)->header.max_timestamp);
    }
  }
  return rolling_based_timestamp_;
}

bool LogSegment::ShouldRoll(int64_t bytes, TimestampMs max_timestamp, Offset last_offset,
                            TimestampMs now, const LogConfig& config) {
  if (size_ > config.segment_bytes - bytes) return true;
  if (offset_index_->IsFull() || time_index_->IsFull()) return true;
  if (!FitsRelativeOffset(base_offset_, last_offset)) return true;
  if (size_ > 0) {
    std::optional<TimestampMs> first = RollingBasedTimestamp();
    int64_t waited = (first && *first >= TimestampMs(0)) ? max_timestamp - *first : now - created_;
    if (waited > config.segment_ms) return true;
  }
  return false;
}

Status LogSegment::IndexBatch(int64_t position, int32_t size, Offset last_offset,
                              TimestampMs max_timestamp) {
  if (max_timestamp > max_timestamp_so_far_) {
    max_timestamp_so_far_ = max_timestamp;
    offset_of_max_timestamp_ = last_offset;
  }
  if (bytes_since_last_index_entry_ > options_.index_interval_bytes) {
    if (!offset_index_->IsFull()) {
      SLUICE_RETURN_IF_ERROR(offset_index_->Append(last_offset, static_cast<int32_t>(position)));
    }
    SLUICE_RETURN_IF_ERROR(
        time_index_->MaybeAppend(max_timestamp_so_far_, offset_of_max_timestamp_));
    bytes_since_last_index_entry_ = 0;
  }
  bytes_since_last_index_entry_ += size;
  return Status::Ok();
}

Status LogSegment::Append(std::span<const uint8_t> bytes, std::span<const AppendedBatch> batches) {
  assert(!batches.empty());
  if (damaged_) return Status::IoError("segment " + log_->path().string() + " is damaged");
  const int64_t old_size = size_;
  const TimestampMs old_max = max_timestamp_so_far_;
  const Offset old_offset_of_max = offset_of_max_timestamp_;
  const int64_t old_bytes_since = bytes_since_last_index_entry_;
  const std::optional<TimestampMs> old_rolling = rolling_based_timestamp_;
  const size_t old_offset_entries = offset_index_->entries();
  const size_t old_time_entries = time_index_->entries();

  Status status = log_->WriteAt(size_, bytes);
  int64_t position = size_;
  for (size_t i = 0; status.ok() && i < batches.size(); ++i) {
    status =
        IndexBatch(position, batches[i].size, batches[i].last_offset, batches[i].max_timestamp);
    position += batches[i].size;
  }
  if (!status.ok()) {
    // Undo: the log must end where it ended before, with the indexes describing only it.
    offset_index_->TruncateToEntries(old_offset_entries);
    time_index_->TruncateToEntries(old_time_entries);
    max_timestamp_so_far_ = old_max;
    offset_of_max_timestamp_ = old_offset_of_max;
    bytes_since_last_index_entry_ = old_bytes_since;
    rolling_based_timestamp_ = old_rolling;
    Status undone = log_->Truncate(old_size);
    if (!undone.ok()) {
      damaged_ = true;
      return Status::IoError(status.message() +
                             "; truncating back also failed: " + undone.message());
    }
    return status;
  }
  if (old_size == 0) rolling_based_timestamp_ = batches.front().max_timestamp;
  size_ += static_cast<int64_t>(bytes.size());
  next_offset_ = batches.back().last_offset + 1;
  return Status::Ok();
}

Result<std::optional<BatchLocation>> LogSegment::FindBatch(Offset target) const {
  int32_t start = offset_index_->Lookup(target).position;
  // The index entry lands within about index.interval.bytes of the batch: a small first read
  // covers the usual case without pulling in data the caller will read itself.
  SegmentBatchReader reader(
      *log_, start, size_,
      2 * static_cast<size_t>(options_.index_interval_bytes) + kafka::kRecordBatchOverhead);
  while (true) {
    auto batch = reader.Next();
    if (!batch.ok()) return batch.status();
    if (!batch->has_value()) return std::optional<BatchLocation>();
    const ScannedBatch& b = **batch;
    if (b.header.last_offset() >= target.value()) {
      return std::optional<BatchLocation>(
          BatchLocation{Offset(b.header.base_offset), Offset(b.header.last_offset()),
                        static_cast<int32_t>(b.position), b.size()});
    }
  }
}

Result<std::optional<std::vector<uint8_t>>> LogSegment::Read(Offset start, int32_t max_bytes,
                                                             Offset max_offset_exclusive,
                                                             bool min_one_batch) const {
  auto first = FindBatch(start);
  if (!first.ok()) return first.status();
  if (!first->has_value()) return std::optional<std::vector<uint8_t>>();
  const BatchLocation& loc = **first;
  std::vector<uint8_t> out;
  if (loc.last_offset >= max_offset_exclusive) return std::optional(std::move(out));

  // Batches ending before max_offset_exclusive end where the batch holding it begins.
  int64_t max_position = size_;
  if (max_offset_exclusive < next_offset_) {
    auto bound = FindBatch(max_offset_exclusive);
    if (!bound.ok()) return bound.status();
    if (bound->has_value()) max_position = (*bound)->position;
  }
  int64_t available = max_position - loc.position;
  int64_t want = std::min<int64_t>(std::max<int32_t>(max_bytes, 0), available);
  if (min_one_batch && loc.size > want) want = loc.size;
  if (want <= 0) return std::optional(std::move(out));

  out.resize(static_cast<size_t>(want));
  auto got = log_->ReadAt(loc.position, out);
  if (!got.ok()) return got.status();
  out.resize(*got);
  // Keep whole batches only: walk the length fields (no decoding).
  size_t end = 0;
  while (end + kafka::kLogOverhead <= out.size()) {
    uint32_t length = GetBigEndian32(out.data() + end + kafka::batch_offsets::kBatchLength);
    size_t total = kafka::kLogOverhead + length;
    if (end + total > out.size()) break;
    end += total;
  }
  out.resize(end);
  return std::optional(std::move(out));
}

Result<std::optional<TimestampOffset>> LogSegment::FindOffsetByTimestamp(
    TimestampMs target, Offset starting_offset) const {
  TimestampOffset entry = time_index_->Lookup(target);
  int32_t start = offset_index_->Lookup(std::max(entry.offset, starting_offset)).position;
  SegmentBatchReader reader(*log_, start, size_);
  while (true) {
    auto batch = reader.Next();
    if (!batch.ok()) return batch.status();
    if (!batch->has_value()) return std::optional<TimestampOffset>();
    const kafka::RecordBatchHeader& h = (*batch)->header;
    if (h.max_timestamp < target.value() || h.last_offset() < starting_offset.value()) continue;
    auto body = reader.Body();
    if (!body.ok()) return body.status();
    auto records = kafka::DecodeRecords(*body);
    if (!records.ok()) return records.status();
    for (const kafka::Record& r : *records) {
      if (r.timestamp >= target.value() && r.offset >= starting_offset.value()) {
        return std::optional(TimestampOffset{TimestampMs(r.timestamp), Offset(r.offset)});
      }
    }
  }
}

Result<int64_t> LogSegment::TruncateTo(Offset offset) {
  if (offset >= next_offset_) return int64_t{0};
  auto loc = FindBatch(offset);
  if (!loc.ok()) return loc.status();
  if (!loc->has_value()) return int64_t{0};
  const BatchLocation cut = **loc;
  offset_index_->TruncateTo(cut.base_offset);
  time_index_->TruncateTo(cut.base_offset);
  SLUICE_RETURN_IF_ERROR(log_->Truncate(cut.position));
  int64_t removed = size_ - cut.position;
  size_ = cut.position;
  if (size_ == 0) rolling_based_timestamp_.reset();
  SLUICE_RETURN_IF_ERROR(ScanTail());
  return removed;
}

Status LogSegment::ScanTail() {
  std::optional<OffsetPosition> last_entry = offset_index_->LastEntry();
  int64_t start = last_entry ? last_entry->position : 0;
  TimestampOffset last_time = time_index_->LastEntry();
  max_timestamp_so_far_ = last_time.timestamp;
  offset_of_max_timestamp_ = last_time.offset;
  next_offset_ = base_offset_;
  SegmentBatchReader reader(*log_, start, size_);
  while (true) {
    auto batch = reader.Next();
    if (!batch.ok()) return batch.status();
    if (!batch->has_value()) break;
    const kafka::RecordBatchHeader& h = (*batch)->header;
    next_offset_ = Offset(h.last_offset() + 1);
    if (TimestampMs(h.max_timestamp) > max_timestamp_so_far_) {
      max_timestamp_so_far_ = TimestampMs(h.max_timestamp);
      offset_of_max_timestamp_ = Offset(h.last_offset());
    }
  }
  bytes_since_last_index_entry_ = size_ - start;
  return Status::Ok();
}

Result<int64_t> LogSegment::Recover() {
  SLUICE_RETURN_IF_ERROR(offset_index_->Resize(options_.index_max_bytes));
  SLUICE_RETURN_IF_ERROR(time_index_->Resize(options_.index_max_bytes));
  offset_index_->Reset();
  time_index_->Reset();
  max_timestamp_so_far_ = kNoTimestamp;
  offset_of_max_timestamp_ = base_offset_;
  bytes_since_last_index_entry_ = 0;
  rolling_based_timestamp_.reset();
  indexes_missing_ = false;

  auto file_size = log_->Size();
  if (!file_size.ok()) return file_size.status();
  SegmentBatchReader reader(*log_, 0, *file_size, 1024 * 1024);
  int64_t valid_bytes = 0;
  Offset next = base_offset_;
  while (true) {
    auto batch = reader.Next();
    if (!batch.ok()) {
      if (batch.status().code() != Status::Code::kCorruption) return batch.status();
      break;  // torn or garbage header: the valid log ends here
    }
    if (!batch->has_value()) break;
    const kafka::RecordBatchHeader h = (*batch)->header;
    auto body = reader.Body();
    if (!body.ok()) {
      if (body.status().code() != Status::Code::kCorruption) return body.status();
      break;
    }
    if (!kafka::ValidateRecordBatch(*body, kafka::OffsetDeltaCheck::kIncreasing).ok()) break;
    if (Offset(h.base_offset) < next || h.last_offset_delta < 0 ||
        !FitsRelativeOffset(base_offset_, Offset(h.last_offset()))) {
      break;  // offsets must increase and stay relative to this segment
    }
    if (valid_bytes == 0) rolling_based_timestamp_ = TimestampMs(h.max_timestamp);
    SLUICE_RETURN_IF_ERROR(IndexBatch(valid_bytes, static_cast<int32_t>(h.total_size()),
                                      Offset(h.last_offset()), TimestampMs(h.max_timestamp)));
    valid_bytes += static_cast<int64_t>(h.total_size());
    next = Offset(h.last_offset() + 1);
  }
  int64_t truncated = *file_size - valid_bytes;
  if (truncated > 0) SLUICE_RETURN_IF_ERROR(log_->Truncate(valid_bytes));
  size_ = valid_bytes;
  next_offset_ = next;
  damaged_ = false;
  return truncated;
}

Status LogSegment::LoadTail() {
  if (indexes_missing_) {
    return Status::Corruption("index files of " + log_->path().string() + " are missing");
  }
  SLUICE_RETURN_IF_ERROR(offset_index_->SanityCheck(size_));
  SLUICE_RETURN_IF_ERROR(ScanTail());
  SLUICE_RETURN_IF_ERROR(time_index_->SanityCheck(next_offset_));
  if (size_ > 0) rolling_based_timestamp_.reset();  // reloaded lazily from the first batch
  return Status::Ok();
}

Status LogSegment::OnBecomeActive() {
  SLUICE_RETURN_IF_ERROR(offset_index_->Resize(options_.index_max_bytes));
  return time_index_->Resize(options_.index_max_bytes);
}

Status LogSegment::OnBecomeInactive() {
  SLUICE_RETURN_IF_ERROR(time_index_->MaybeAppend(max_timestamp_so_far_, offset_of_max_timestamp_));
  SLUICE_RETURN_IF_ERROR(offset_index_->TrimToValidSize());
  return time_index_->TrimToValidSize();
}

Status LogSegment::Flush() {
  SLUICE_RETURN_IF_ERROR(log_->Sync());
  SLUICE_RETURN_IF_ERROR(offset_index_->Sync());
  return time_index_->Sync();
}

Status LogSegment::AddSuffix(std::string_view suffix) {
  auto with_suffix = [suffix](const std::filesystem::path& p) {
    std::filesystem::path renamed = p;
    renamed += std::string(suffix);
    return renamed;
  };
  SLUICE_RETURN_IF_ERROR(log_->Rename(with_suffix(log_->path())));
  SLUICE_RETURN_IF_ERROR(offset_index_->Rename(with_suffix(offset_index_->path())));
  return time_index_->Rename(with_suffix(time_index_->path()));
}

Status LogSegment::ChangeSuffix(std::string_view from, std::string_view to) {
  auto renamed = [from, to](const std::filesystem::path& p) -> Result<std::filesystem::path> {
    std::string name = p.string();
    if (!std::string_view(name).ends_with(from)) {
      return Status::InvalidArgument(name + " does not end in '" + std::string(from) + "'");
    }
    name.resize(name.size() - from.size());
    name += std::string(to);
    return std::filesystem::path(name);
  };
  auto log_to = renamed(log_->path());
  auto index_to = renamed(offset_index_->path());
  auto time_to = renamed(time_index_->path());
  if (!log_to.ok()) return log_to.status();
  if (!index_to.ok()) return index_to.status();
  if (!time_to.ok()) return time_to.status();
  // The indexes first and the .log last: recovery keys on the .log name (a .log.swap means
  // "complete this swap"; its indexes are rebuilt whatever they are called).
  SLUICE_RETURN_IF_ERROR(offset_index_->Rename(*index_to));
  SLUICE_RETURN_IF_ERROR(time_index_->Rename(*time_to));
  return log_->Rename(*log_to);
}

Status LogSegment::DeleteFiles() {
  SLUICE_RETURN_IF_ERROR(RemoveIfExists(log_->path()));
  SLUICE_RETURN_IF_ERROR(RemoveIfExists(offset_index_->path()));
  return RemoveIfExists(time_index_->path());
}

}  // namespace sluice::storage
