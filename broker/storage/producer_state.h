// ProducerStateManager: one partition's idempotent-producer state, the broker half of
// enable.idempotence (Kafka 2.8's kafka.log.ProducerStateManager / ProducerAppendInfo).
//
// A producer with an id (from InitProducerId) numbers the records it sends to each partition
// 0, 1, 2, ... (wrapping to 0 after INT32_MAX), per producer epoch. The leader remembers, per
// producer id, the epoch and the sequence ranges and offsets of the last 5 batches written: 5 is
// the client's max.in.flight.requests.per.connection limit under idempotence, so any batch a
// client can still be retrying is among them and a retry is answered with the offsets it got
// the first time instead of being written twice.
//
// The rules (ProducerAppendInfo.checkProducerEpoch / checkSequence at 2.8), for a batch from a
// client checked against what is known of its producer id:
//   * same epoch, exactly the (first, last) sequence of one of the 5 cached batches
//       -> kDuplicate, with that batch's offsets (the leader writes nothing);
//   * epoch lower than the known one                  -> kInvalidProducerEpoch (fenced);
//   * epoch higher than the known one (a bump): must start at sequence 0, else
//                                                        kOutOfOrderSequence;
//   * same epoch: first sequence must be last sequence + 1 (or 0 after INT32_MAX), else
//                                                        kOutOfOrderSequence. This includes a
//     retry of a batch older than the 5 cached ones: it cannot be told apart from a gap;
//   * producer id not known at all (a new producer, or its records were removed by retention,
//     DeleteRecords or truncation): accepted with any sequence -> kNew. Kafka 2.5+ (KIP-360)
//     answers so; 2.8 never raises UNKNOWN_PRODUCER_ID from here. A producer whose state is
//     only partly gone after truncation (the new leader holds its earlier batches but not the
//     last ones) gets kOutOfOrderSequence from the gap rule. kUnknownProducerId is therefore
//     never returned by Check; it exists for callers mapping older behaviour.
//
// Followers and log recovery do not check: they replay what the leader accepted through
// Update(), which always applies the batch (an epoch change resets the cached batches).
//
// Snapshots: `<20-digit offset>.snapshot` in the partition directory, Kafka's format so that the
// files mean the same to Kafka's tools (all integers big-endian):
//
//   version                  int16 = 1
//   crc                      uint32, CRC-32C of every byte after this field
//   producer_entries         int32 count, then per entry:
//     producer_id              int64
//     epoch                    int16
//     last_sequence            int32   (-1 when no batch is cached)
//     last_offset              int64   (-1 when no batch is cached)
//     offset_delta             int32   last_offset - first offset of the last batch
//     timestamp                int64   max timestamp of the last batch
//     coordinator_epoch        int32   (-1: Sluice has no transactions)
//     current_txn_first_offset int64   (-1: no open transaction)
//
// A snapshot at offset N holds the state after every batch below N. Only the last batch of
// each producer is stored (as in Kafka), so after a reload the duplicate cache holds one batch
// per producer until new appends refill it. Files are written atomically (.tmp, fsync, rename,
// fsync the directory); the two newest are kept.
//
// Thread safety: every method is safe to call from any thread (internal mutexes). Check and
// Update are separate calls, so whoever appends must hold its own per-partition append lock
// across Check -> Log append -> Update, or two retries of one batch could both pass Check.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/storage/thread_annotations.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;
// Batches cached per producer for duplicate detection (ProducerStateEntry.NumBatchesToRetain).
inline constexpr size_t kProducerBatchesToRetain = 5;
inline constexpr int16_t kProducerSnapshotVersion = 1;
inline constexpr std::string_view kProducerSnapshotFileSuffix = ".snapshot";

// The producer fields of one record batch v2 and where it sits in the log.
struct ProducerBatchInfo {
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  int32_t last_sequence = kNoSequence;  // base_sequence + lastOffsetDelta, wrapping at INT32_MAX
  Offset first_offset{-1};
  Offset last_offset{-1};
  TimestampMs max_timestamp{-1};
};

enum class ProducerCheck {
  kNew,                   // append it, then Update() with its offsets
  kDuplicate,             // already written: answer with duplicate_first/last_offset, write nothing
  kOutOfOrderSequence,    // OUT_OF_ORDER_SEQUENCE_NUMBER (45)
  kInvalidProducerEpoch,  // INVALID_PRODUCER_EPOCH (47)
  kUnknownProducerId,     // UNKNOWN_PRODUCER_ID (59); not returned by Check (see above)
};

struct ProducerCheckResult {
  ProducerCheck check;
  Offset duplicate_first_offset{-1};
  Offset duplicate_last_offset{-1};
  std::string message;  // why, for the produce response's error_message; empty for kNew
};

// What is known of one producer id (Kafka's ProducerStateEntry), exposed for tests and tools.
struct ProducerStateEntry {
  struct Batch {
    int32_t first_sequence;
    int32_t last_sequence;
    Offset first_offset;
    Offset last_offset;
    TimestampMs max_timestamp;
  };
  int16_t producer_epoch = kNoProducerEpoch;
  std::deque<Batch> batches;  // oldest first, at most kProducerBatchesToRetain
  TimestampMs last_timestamp{-1};
  int32_t coordinator_epoch = -1;
  int64_t current_txn_first_offset = -1;
};

class ProducerStateManager {
 public:
  explicit ProducerStateManager(std::filesystem::path partition_dir);

  ProducerStateManager(const ProducerStateManager&) = delete;
  ProducerStateManager& operator=(const ProducerStateManager&) = delete;

  // Leader, before appending a batch with producer_id >= 0 (its offsets are unknown yet and
  // ignored). Changes nothing.
  ProducerCheckResult Check(const ProducerBatchInfo& batch) const SLUICE_EXCLUDES(mu_);

  // Check for a whole produce payload (one partition's records, in order): each batch is
  // checked as if the ones before it had been appended, as Kafka validates one append. Stops
  // at the first result other than kNew and returns it (a duplicate of any batch answers for
  // the whole append, as in Kafka's Log.analyzeAndValidateProducerState); kNew when every batch
  // may be appended. Batches with producer_id < 0 are skipped.
  ProducerCheckResult CheckAll(std::span<const ProducerBatchInfo> batches) const
      SLUICE_EXCLUDES(mu_);

  // After a batch with producer_id >= 0 was appended (leader or follower) or is replayed from
  // the log, with its real offsets. Always applies: a new epoch drops the cached batches; the
  // oldest batch is evicted beyond kProducerBatchesToRetain. A batch with producer_id < 0 is
  // ignored.
  void Update(const ProducerBatchInfo& batch) SLUICE_EXCLUDES(mu_);

  // Rebuild after open or truncation: clears the in-memory state, deletes every snapshot above
  // `log_end_offset` (and leftover .tmp files), then loads the newest remaining one. A snapshot
  // that is unreadable or corrupt (bad CRC, version, length) is deleted with a warning and the
  // next older one is tried; with none left the state is empty and snapshot_offset() is 0. The
  // caller then replays batches from snapshot_offset() to the log end with Update().
  // IoError when the directory cannot be listed or a file cannot be deleted.
  Status LoadSnapshot(Offset log_end_offset) SLUICE_EXCLUDES(mu_);

  // The offset the loaded (or last taken) snapshot covers up to: state for every batch below it
  // came from the snapshot. 0 when there is none.
  Offset snapshot_offset() const SLUICE_EXCLUDES(mu_);

  // Writes the current state to `<20-digit log_end_offset>.snapshot` (atomically; replacing a
  // file of that name) and deletes all but the two newest snapshot files. REQUIRES: every
  // batch below `log_end_offset` has been passed to Update(). IoError on a failed write.
  Status TakeSnapshot(Offset log_end_offset) SLUICE_EXCLUDES(mu_);

  // Forgets every producer (in memory; files are untouched). snapshot_offset() becomes 0.
  void Clear() SLUICE_EXCLUDES(mu_);

  // Observers, for tests and tools.
  std::map<int64_t, ProducerStateEntry> Producers() const SLUICE_EXCLUDES(mu_);
  // Offsets of the snapshot files present, ascending.
  Result<std::vector<Offset>> SnapshotOffsets() const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  const std::filesystem::path dir_;
  // Serialises the snapshot files (write, list, delete). Taken before mu_, and held without
  // mu_ during fsync so that appends are not stalled by a snapshot being written.
  Mutex files_mu_;
  mutable Mutex mu_;
  std::map<int64_t, ProducerStateEntry> producers_ SLUICE_GUARDED_BY(mu_);
  Offset snapshot_offset_ SLUICE_GUARDED_BY(mu_){0};
};

// `<dir>/<20-digit offset>.snapshot`.
std::filesystem::path ProducerSnapshotPath(const std::filesystem::path& dir, Offset offset);

// The snapshot file's bytes for `producers`, and back. ParseProducerSnapshot fails with
// Corruption (naming the problem) for a wrong version, CRC mismatch, or a length that does not
// match the entry count.
std::vector<uint8_t> SerializeProducerSnapshot(
    const std::map<int64_t, ProducerStateEntry>& producers);
Result<std::map<int64_t, ProducerStateEntry>> ParseProducerSnapshot(std::span<const uint8_t> bytes);

// Parses the producer fields of every v2 batch header in `records` (a produce payload or
// fetched log bytes; no decompression, no CRC check: validate first). producer_id -1 marks a
// batch that is not idempotent (callers skip it). Control batches (transaction markers) are
// left out: they carry no data sequence. Offsets are the batches' own baseOffset and
// baseOffset + lastOffsetDelta (0-based in a produce payload; see AssignProducerBatchOffsets).
// An incomplete batch at the end (normal in fetched data) is ignored. Corruption when a header
// is malformed.
Result<std::vector<ProducerBatchInfo>> ProducerBatches(std::span<const uint8_t> records);

// After a leader append that started at `first_offset`: gives the batches, as ProducerBatches
// returned them for the whole payload, consecutive offsets the way the leader assigns them
// (each batch spans its own lastOffsetDelta + 1). REQUIRES: the payload held no control batch
// (Kafka refuses those from clients), so that no batch is missing from `batches`.
void AssignProducerBatchOffsets(std::vector<ProducerBatchInfo>& batches, Offset first_offset);

// Sequence arithmetic with Kafka's wrap-around at INT32_MAX (DefaultRecordBatch).
int32_t IncrementSequence(int32_t sequence, int32_t increment);
int32_t DecrementSequence(int32_t sequence, int32_t decrement);

}  // namespace sluice::storage
