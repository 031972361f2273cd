#include "broker/storage/log_recovery.h"

#include <set>
#include <string>
#include <vector>

#include "broker/storage/file_names.h"
#include "broker/storage/log_segment.h"
#include "broker/storage/posix_file.h"
#include "broker/storage/segment_batch_reader.h"

namespace sluice::storage {
namespace {

Status Remove(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) return Status::IoError("remove " + path.string() + ": " + ec.message());
  return Status::Ok();
}

// One past the last offset of the batches in a .log.swap file (its base offset when it holds
// none). Only headers are read: the file was fsynced before it was named .swap, and the segment
// is fully re-validated when it is loaded next.
Result<Offset> SwapSegmentNextOffset(const std::filesystem::path& path, Offset base) {
  auto file = PosixFile::Open(path, PosixFile::Mode::kOpenExisting);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  SegmentBatchReader reader(**file, 0, *size);
  Offset next = base;
  while (true) {
    auto batch = reader.Next();
    if (!batch.ok() || !batch->has_value()) break;  // a bad tail is cut by Recover later
    next = Offset((*batch)->header.last_offset() + 1);
  }
  return next;
}

Status RemoveSegmentFiles(const std::filesystem::path& dir, Offset base) {
  for (SegmentFileKind kind :
       {SegmentFileKind::kLog, SegmentFileKind::kOffsetIndex, SegmentFileKind::kTimeIndex}) {
    SLUICE_RETURN_IF_ERROR(Remove(SegmentFilePath(dir, base, kind)));
  }
  return Status::Ok();
}

// Completes a compaction swap that a crash interrupted (Kafka's completeSwapOperations): the
// segments the swapped-in one covers, [base, its next offset), are deleted, then it takes its
// final name. Its index files are dropped so that loading rebuilds them.
Status CompleteSwap(const std::filesystem::path& dir, Offset base, std::set<Offset>& logs) {
  std::filesystem::path swap_path = SegmentFilePath(dir, base, SegmentFileKind::kLog);
  swap_path += std::string(kSwapFileSuffix);
  auto next = SwapSegmentNextOffset(swap_path, base);
  if (!next.ok()) return next.status();
  const Offset upper = std::max(*next, base + 1);
  for (auto it = logs.lower_bound(base); it != logs.end() && *it < upper;) {
    SLUICE_RETURN_IF_ERROR(RemoveSegmentFiles(dir, *it));
    it = logs.erase(it);
  }
  SLUICE_RETURN_IF_ERROR(RemoveSegmentFiles(dir, base));
  std::filesystem::path final_path = SegmentFilePath(dir, base, SegmentFileKind::kLog);
  std::error_code ec;
  std::filesystem::rename(swap_path, final_path, ec);
  if (ec) return Status::IoError("rename " + swap_path.string() + ": " + ec.message());
  logs.insert(base);
  return Status::Ok();
}

// Rule 1: removes stray files and completes interrupted swaps; returns the base offsets of the
// .log files present.
Result<std::set<Offset>> RemoveStrayFiles(const std::filesystem::path& dir, RecoveryStats& stats) {
  std::set<Offset> logs;
  std::set<Offset> swapped_logs;
  std::vector<std::pair<std::filesystem::path, Offset>> indexes;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    auto parsed = ParseSegmentFileName(name);
    if (!parsed) continue;  // leader-epoch-checkpoint, partition.metadata, ...
    if (parsed->transient_suffix == kSwapFileSuffix && parsed->kind == SegmentFileKind::kLog) {
      swapped_logs.insert(parsed->base_offset);
    } else if (!parsed->transient_suffix.empty()) {
      // *.deleted: deletion was pending; *.cleaned: unfinished compaction output; index
      // *.swap files: rebuilt from their .log.swap.
      SLUICE_RETURN_IF_ERROR(Remove(entry.path()));
    } else if (parsed->kind == SegmentFileKind::kLog) {
      logs.insert(parsed->base_offset);
    } else {
      indexes.emplace_back(entry.path(), parsed->base_offset);
    }
  }
  if (ec) return Status::IoError("list " + dir.string() + ": " + ec.message());
  for (Offset base : swapped_logs) {
    SLUICE_RETURN_IF_ERROR(CompleteSwap(dir, base, logs));
    stats.swaps_completed++;
  }
  for (const auto& [path, base] : indexes) {
    if (!logs.contains(base)) SLUICE_RETURN_IF_ERROR(Remove(path));
  }
  if (!swapped_logs.empty()) SLUICE_RETURN_IF_ERROR(SyncDirectory(dir));
  return logs;
}

Status Recover(LogSegment& segment, LoadedLog& loaded) {
  auto truncated = segment.Recover();
  if (!truncated.ok()) return truncated.status();
  loaded.stats.segments_recovered++;
  loaded.stats.bytes_truncated += *truncated;
  return Status::Ok();
}

}  // namespace

Result<LoadedLog> LoadLogSegments(const std::filesystem::path& dir, const LogConfig& config,
                                  const LogLoadOptions& options) {
  LoadedLog loaded;
  auto bases = RemoveStrayFiles(dir, loaded.stats);
  if (!bases.ok()) return bases.status();
  const LogSegment::Options segment_options = LogSegment::OptionsFrom(config);

  std::vector<std::shared_ptr<LogSegment>> segments;
  for (Offset base : *bases) {
    auto segment = LogSegment::Open(dir, base, segment_options, options.now);
    if (!segment.ok()) return segment.status();
    segments.push_back(std::move(*segment));
  }

  // The first segment that may hold unflushed data: the one containing the recovery point.
  size_t first_unflushed = segments.size();
  if (!options.clean_shutdown) {
    first_unflushed = 0;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (segments[i]->base_offset() <= options.recovery_point) first_unflushed = i;
    }
  }

  size_t keep = segments.size();
  for (size_t i = 0; i < segments.size(); ++i) {
    LogSegment& segment = *segments[i];
    if (i >= first_unflushed) {
      int64_t before = loaded.stats.bytes_truncated;
      SLUICE_RETURN_IF_ERROR(Recover(segment, loaded));
      if (loaded.stats.bytes_truncated > before) {
        keep = i + 1;  // rule 3: what follows a truncated segment followed a hole
        break;
      }
    } else if (!segment.LoadTail().ok()) {
      SLUICE_RETURN_IF_ERROR(Recover(segment, loaded));
    }
  }
  for (size_t i = keep; i < segments.size(); ++i) {
    SLUICE_RETURN_IF_ERROR(segments[i]->DeleteFiles());
    loaded.stats.segments_deleted++;
  }
  segments.resize(keep);

  if (segments.empty()) {
    auto segment = LogSegment::Create(dir, options.log_start_offset, segment_options, options.now);
    if (!segment.ok()) return segment.status();
    segments.push_back(std::move(*segment));
  }
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    SLUICE_RETURN_IF_ERROR(segments[i]->OnBecomeInactive());
  }
  SLUICE_RETURN_IF_ERROR(segments.back()->OnBecomeActive());

  loaded.log_end_offset = segments.back()->next_offset();
  loaded.log_start_offset = std::max(options.log_start_offset, segments.front()->base_offset());
  if (loaded.log_start_offset > loaded.log_end_offset)
    loaded.log_start_offset = loaded.log_end_offset;
  // Everything that survived was either fsynced before the crash or just re-validated; the
  // caller flushes before checkpointing this value.
  loaded.recovery_point = options.clean_shutdown
                              ? loaded.log_end_offset
                              : std::min(options.recovery_point, loaded.log_end_offset);
  for (auto& segment : segments) {
    Offset base = segment->base_offset();
    loaded.segments.emplace(base, std::move(segment));
  }
  return loaded;
}

}  // namespace sluice::storage
