// LeaderEpochCache: which leader epoch wrote which offsets of one partition's log (KIP-101,
// KIP-279), persisted as <partition dir>/leader-epoch-checkpoint (FORMAT.md §10).
//
// Each entry (epoch, start offset) says: the leader of `epoch` wrote its first record at `start
// offset`; the epoch's records end where the next entry starts (or at the log end offset for
// the latest epoch). Followers use this to find where their log diverged from the leader's
// (OffsetForLeaderEpoch) instead of truncating to their high watermark, which can lose
// committed records or keep divergent ones.
//
// Semantics are Kafka's LeaderEpochFileCache (2.8):
//   * Assign adds an entry when the epoch differs from the latest one or starts below it. Before
//     adding, entries from the end whose epoch is >= the new epoch or whose start offset is >=
//     the new start offset are removed, so epochs and start offsets always strictly increase.
//   * TruncateFromEnd(o) removes entries starting at or after o (the log was truncated to o).
//   * TruncateFromStart(o) removes entries starting at or before o but keeps the last of them
//     with its start moved to o (the log start moved to o; that epoch still owns the records
//     from o on).
// Every change is written to the checkpoint file at once (write .tmp, fsync, rename, fsync the
// directory), so a crash leaves the cache as it was before or after the change. If the write
// fails the change is kept in memory, the error is returned, and the next mutation (or
// Persist) writes the file again.
//
// Invariant (asserted in debug builds after every change): epochs and start offsets of
// entries() strictly increase; epochs and offsets are non-negative.
//
// Thread safety: none. The owning Log calls mutators under its exclusive lock and the const
// methods under its shared lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "broker/storage/checkpoint_file.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

// OffsetForLeaderEpoch's "no such epoch" answer (Kafka's UNDEFINED_EPOCH and
// UNDEFINED_EPOCH_OFFSET).
inline constexpr int32_t kUndefinedEpoch = -1;
inline constexpr Offset kUndefinedEpochOffset{-1};

class LeaderEpochCache {
 public:
  // An empty cache for the partition directory `partition_dir`; nothing is written until the
  // first change.
  explicit LeaderEpochCache(std::filesystem::path partition_dir);
  // Loads <partition_dir>/leader-epoch-checkpoint, applying Assign's rules to its lines in
  // order (as Kafka does, so an out-of-order file cannot break the invariant). NotFound when the
  // file does not exist, Corruption when it does not parse, IoError when it cannot be read.
  static Result<LeaderEpochCache> Load(const std::filesystem::path& partition_dir);

  LeaderEpochCache(LeaderEpochCache&&) = default;
  LeaderEpochCache& operator=(LeaderEpochCache&&) = default;

  const std::filesystem::path& path() const { return path_; }
  const std::vector<EpochEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  // Records that `epoch` starts at `start_offset` (rules above). A no-op when `epoch` is the
  // latest epoch and starts at or below `start_offset`. InvalidArgument for a negative epoch or
  // offset; IoError when the checkpoint cannot be written (the change is kept in memory).
  Status Assign(int32_t epoch, Offset start_offset);

  std::optional<int32_t> LatestEpoch() const;
  std::optional<EpochEntry> LatestEntry() const;
  std::optional<EpochEntry> EarliestEntry() const;
  // The start offset of `epoch`, nullopt when the cache has no entry for exactly that epoch.
  std::optional<Offset> StartOffsetOf(int32_t epoch) const;

  // Kafka's endOffsetFor: the largest epoch <= `requested_epoch` and that epoch's end offset,
  // which is the start offset of the next higher epoch, or `log_end_offset` when
  // `requested_epoch` is the latest epoch. Edge cases, as Kafka 2.8's code answers them:
  //   requested_epoch == -1 (undefined), or greater than every cached epoch, or an empty cache
  //       -> (-1, -1)
  //   requested_epoch below the first cached epoch
  //       -> (requested_epoch, start offset of the first epoch): those records are gone from
  //          the log; the follower must not keep anything from before the leader's log start.
  std::pair<int32_t, Offset> EndOffsetFor(int32_t requested_epoch, Offset log_end_offset) const;

  // Removes every entry whose start offset is >= `end_offset` (no-op for a negative offset).
  Status TruncateFromEnd(Offset end_offset);
  // Removes the entries starting at or before `start_offset`, then puts the last one removed
  // back with start `start_offset`. So TruncateFromStart(6) keeps an entry at offset 6.
  Status TruncateFromStart(Offset start_offset);
  // Removes every entry and writes the (empty) checkpoint.
  Status Clear();
  // Writes the checkpoint if a previous write failed (or unconditionally with `force`).
  Status Persist(bool force = false);

 private:
  // Assign without writing; returns whether anything changed.
  bool AssignInMemory(int32_t epoch, Offset start_offset);
  Status Flush();
  void CheckInvariant() const;

  std::filesystem::path path_;
  std::vector<EpochEntry> entries_;
  bool dirty_ = false;  // the file is behind entries_ (a write failed)
};

}  // namespace sluice::storage
