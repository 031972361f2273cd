#include "broker/storage/leader_epoch_cache.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <cassert>
#include <string>

#include "broker/storage/file_names.h"

namespace sluice::storage {
namespace {

std::string Describe(const std::vector<EpochEntry>& entries) {
  std::string out = "[";
  for (const EpochEntry& e : entries) {
    if (out.size() > 1) out += ", ";
    out += "(" + std::to_string(e.epoch) + ", " + std::to_string(e.start_offset.value()) + ")";
  }
  return out + "]";
}

}  // namespace

LeaderEpochCache::LeaderEpochCache(std::filesystem::path partition_dir)
    : path_(std::move(partition_dir) / kLeaderEpochCheckpointFile) {}

Result<LeaderEpochCache> LeaderEpochCache::Load(const std::filesystem::path& partition_dir) {
  LeaderEpochCache cache(partition_dir);
  auto stored = ReadLeaderEpochCheckpointFile(cache.path_);
  if (!stored.ok()) return stored.status();
  for (const EpochEntry& entry : *stored) cache.AssignInMemory(entry.epoch, entry.start_offset);
  // A file that broke the ordering rules is rewritten in the form it was loaded as.
  if (cache.entries_ != *stored) cache.dirty_ = true;
  return cache;
}

bool LeaderEpochCache::AssignInMemory(int32_t epoch, Offset start_offset) {
  if (!entries_.empty()) {
    const EpochEntry& latest = entries_.back();
    if (epoch == latest.epoch && start_offset >= latest.start_offset) return false;
  }
  // Kafka's maybeTruncateNonMonotonicEntries: drop entries from the end that the new one
  // contradicts (an epoch not older, or a start not below the new start).
  std::vector<EpochEntry> removed;
  while (!entries_.empty() &&
         (entries_.back().epoch >= epoch || entries_.back().start_offset >= start_offset)) {
    removed.insert(removed.begin(), entries_.back());
    entries_.pop_back();
  }
  entries_.push_back({epoch, start_offset});
  // Replacing one epoch entry at the same start offset is the expected case (a new leader
  // recorded its epoch, then wrote nothing before the next election); anything else means
  // records of a newer epoch were given up.
  if (removed.size() > 1 || (removed.size() == 1 && removed[0].start_offset != start_offset)) {
    Poco::Logger::get("server").warning(
        "[LeaderEpochCache %s] New epoch entry (%d, %?d) caused truncation of "
        "conflicting entries %s",
        path_.parent_path().filename().string(), static_cast<int>(epoch),
        static_cast<int64_t>(start_offset.value()), Describe(removed));
  }
  CheckInvariant();
  return true;
}

Status LeaderEpochCache::Assign(int32_t epoch, Offset start_offset) {
  if (epoch < 0 || start_offset < Offset(0)) {
    return Status::InvalidArgument("invalid leader epoch entry (" + std::to_string(epoch) + ", " +
                                   std::to_string(start_offset.value()) + ") for " +
                                   path_.string());
  }
  if (!AssignInMemory(epoch, start_offset)) return Persist();
  return Flush();
}

std::optional<int32_t> LeaderEpochCache::LatestEpoch() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back().epoch;
}

std::optional<EpochEntry> LeaderEpochCache::LatestEntry() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

std::optional<EpochEntry> LeaderEpochCache::EarliestEntry() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.front();
}

std::optional<Offset> LeaderEpochCache::StartOffsetOf(int32_t epoch) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), epoch,
                             [](const EpochEntry& e, int32_t wanted) { return e.epoch < wanted; });
  if (it == entries_.end() || it->epoch != epoch) return std::nullopt;
  return it->start_offset;
}

std::pair<int32_t, Offset> LeaderEpochCache::EndOffsetFor(int32_t requested_epoch,
                                                          Offset log_end_offset) const {
  const std::pair<int32_t, Offset> undefined{kUndefinedEpoch, kUndefinedEpochOffset};
  if (requested_epoch == kUndefinedEpoch || entries_.empty()) return undefined;
  // The latest epoch is still being written (on a leader): it ends at the log end offset.
  if (entries_.back().epoch == requested_epoch) return {requested_epoch, log_end_offset};
  // The first entry with a higher epoch: its start is where the requested epoch ended.
  auto higher =
      std::upper_bound(entries_.begin(), entries_.end(), requested_epoch,
                       [](int32_t wanted, const EpochEntry& e) { return wanted < e.epoch; });
  if (higher == entries_.end()) return undefined;  // newer than anything known
  if (higher == entries_.begin()) {
    // Older than every cached epoch: those records were deleted; the follower may keep nothing
    // past the first epoch we know.
    return {requested_epoch, higher->start_offset};
  }
  return {std::prev(higher)->epoch, higher->start_offset};
}

Status LeaderEpochCache::TruncateFromEnd(Offset end_offset) {
  if (end_offset < Offset(0) || entries_.empty() || entries_.back().start_offset < end_offset) {
    return Persist();
  }
  while (!entries_.empty() && entries_.back().start_offset >= end_offset) entries_.pop_back();
  CheckInvariant();
  return Flush();
}

Status LeaderEpochCache::TruncateFromStart(Offset start_offset) {
  size_t removed = 0;
  while (removed < entries_.size() && entries_[removed].start_offset <= start_offset) ++removed;
  if (removed == 0) return Persist();
  const int32_t kept_epoch = entries_[removed - 1].epoch;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(removed));
  entries_.insert(entries_.begin(), EpochEntry{kept_epoch, start_offset});
  CheckInvariant();
  return Flush();
}

Status LeaderEpochCache::Clear() {
  entries_.clear();
  return Flush();
}

Status LeaderEpochCache::Persist(bool force) {
  if (!dirty_ && !force) return Status::Ok();
  return Flush();
}

Status LeaderEpochCache::Flush() {
  Status written = WriteLeaderEpochCheckpointFile(path_, entries_);
  dirty_ = !written.ok();
  return written;
}

void LeaderEpochCache::CheckInvariant() const {
#ifndef NDEBUG
  for (size_t i = 0; i < entries_.size(); ++i) {
    assert(entries_[i].epoch >= 0 && entries_[i].start_offset >= Offset(0));
    if (i > 0) {
      assert(entries_[i - 1].epoch < entries_[i].epoch);
      assert(entries_[i - 1].start_offset < entries_[i].start_offset);
    }
  }
#endif
}

}  // namespace sluice::storage
