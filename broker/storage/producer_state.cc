#include "broker/storage/producer_state.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <optional>
#include <system_error>

#include "broker/storage/file_names.h"
#include "broker/storage/posix_file.h"
#include "libs/base/logging.h"
#include "libs/kafka/records/crc32c.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {
namespace {

Poco::Logger& ServerLog() { return Poco::Logger::get(log::kServerLogger); }

// Snapshot layout (see the header): version, crc, then the entries the crc covers.
constexpr size_t kSnapshotCrcOffset = 2;
constexpr size_t kSnapshotEntriesOffset = kSnapshotCrcOffset + 4;
// producer_id 8 + epoch 2 + last_sequence 4 + last_offset 8 + offset_delta 4 + timestamp 8 +
// coordinator_epoch 4 + current_txn_first_offset 8.
constexpr size_t kSnapshotEntrySize = 46;

// Big-endian appends and reads for the snapshot file.
class ByteWriter {
 public:
  void Put16(uint16_t v) { PutBytes(v, 2); }
  void Put32(uint32_t v) { PutBytes(v, 4); }
  void Put64(uint64_t v) { PutBytes(v, 8); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  void PutBytes(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> bytes_;
};

uint64_t LoadBigEndian(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// REQUIRES: bytes.size() >= at + 8 (callers check lengths first).
int16_t Load16(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<int16_t>(LoadBigEndian(bytes.data() + at, 2));
}
int32_t Load32(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<int32_t>(LoadBigEndian(bytes.data() + at, 4));
}
int64_t Load64(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<int64_t>(LoadBigEndian(bytes.data() + at, 8));
}

// ProducerAppendInfo.inSequence: the next sequence after `last`, with the wrap at INT32_MAX.
bool InSequence(int32_t last_sequence, int32_t next_sequence) {
  return static_cast<int64_t>(next_sequence) == static_cast<int64_t>(last_sequence) + 1 ||
         (next_sequence == 0 && last_sequence == std::numeric_limits<int32_t>::max());
}

int32_t LastSequenceOf(const ProducerStateEntry& entry) {
  return entry.batches.empty() ? kNoSequence : entry.batches.back().last_sequence;
}

std::string Describe(const ProducerBatchInfo& batch) {
  return "producer " + std::to_string(batch.producer_id) + " epoch " +
         std::to_string(batch.producer_epoch) + " sequences " +
         std::to_string(batch.base_sequence) + ".." + std::to_string(batch.last_sequence);
}

// ProducerStateEntry.findDuplicateBatch: a cached batch of the same epoch with exactly this
// sequence range.
const ProducerStateEntry::Batch* FindDuplicate(const ProducerStateEntry& entry,
                                               const ProducerBatchInfo& batch) {
  if (batch.producer_epoch != entry.producer_epoch) return nullptr;
  for (const auto& cached : entry.batches) {
    if (cached.first_sequence == batch.base_sequence &&
        cached.last_sequence == batch.last_sequence) {
      return &cached;
    }
  }
  return nullptr;
}

// ProducerAppendInfo.checkProducerEpoch and checkSequence for a client append. `known` is the
// producer's state before this append; `pending` is it with the earlier batches of the same
// append applied (the same object when the batch is the append's first for its producer).
ProducerCheckResult Validate(const ProducerStateEntry& known, const ProducerStateEntry& pending,
                             const ProducerBatchInfo& batch) {
  if (batch.producer_epoch < pending.producer_epoch) {
    return {ProducerCheck::kInvalidProducerEpoch, Offset(-1), Offset(-1),
            "epoch of " + Describe(batch) + " is smaller than the last seen epoch " +
                std::to_string(pending.producer_epoch)};
  }
  if (batch.producer_epoch != pending.producer_epoch) {
    // A new epoch (or a producer not seen before) starts over at sequence 0. A producer with
    // no state at all is accepted with any sequence (KIP-360: its records may have been
    // removed by retention, DeleteRecords or truncation).
    if (batch.base_sequence != 0 && pending.producer_epoch != kNoProducerEpoch) {
      return {ProducerCheck::kOutOfOrderSequence, Offset(-1), Offset(-1),
              "invalid sequence number for new epoch of " + Describe(batch) +
                  ": a new epoch must start at 0 (current epoch " +
                  std::to_string(pending.producer_epoch) + ")"};
    }
    return {ProducerCheck::kNew, Offset(-1), Offset(-1), ""};
  }
  int32_t last_sequence = LastSequenceOf(pending);
  if (known.producer_epoch != kNoProducerEpoch && !InSequence(last_sequence, batch.base_sequence)) {
    return {ProducerCheck::kOutOfOrderSequence, Offset(-1), Offset(-1),
            "out of order sequence number for " + Describe(batch) + ": expected " +
                std::to_string(IncrementSequence(last_sequence, 1)) +
                " after the last written sequence " + std::to_string(last_sequence)};
  }
  return {ProducerCheck::kNew, Offset(-1), Offset(-1), ""};
}

// ProducerStateEntry.addBatch (with maybeUpdateProducerEpoch).
void ApplyBatch(ProducerStateEntry& entry, const ProducerBatchInfo& batch) {
  if (entry.producer_epoch != batch.producer_epoch) {
    entry.batches.clear();
    entry.producer_epoch = batch.producer_epoch;
  }
  if (entry.batches.size() == kProducerBatchesToRetain) entry.batches.pop_front();
  entry.batches.push_back({batch.base_sequence, batch.last_sequence, batch.first_offset,
                           batch.last_offset, batch.max_timestamp});
  entry.last_timestamp = batch.max_timestamp;
}

// "<20 digits>.snapshot" -> its offset.
std::optional<Offset> ParseSnapshotFileName(std::string_view name) {
  if (name.size() != 20 + kProducerSnapshotFileSuffix.size() ||
      !name.ends_with(kProducerSnapshotFileSuffix)) {
    return std::nullopt;
  }
  int64_t offset = -1;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + 20, offset);
  if (ec != std::errc() || ptr != name.data() + 20 || offset < 0) return std::nullopt;
  return Offset(offset);
}

Status RemoveFile(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) return Status::IoError("delete " + path.string() + ": " + ec.message());
  return Status::Ok();
}

// Snapshot files in `dir` by offset; leftover "<name>.snapshot.tmp" files go to `tmp_files`.
Result<std::map<Offset, std::filesystem::path>> ListSnapshots(
    const std::filesystem::path& dir, std::vector<std::filesystem::path>* tmp_files) {
  std::map<Offset, std::filesystem::path> snapshots;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return Status::IoError("list " + dir.string() + ": " + ec.message());
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (auto offset = ParseSnapshotFileName(name)) {
      snapshots[*offset] = it->path();
    } else if (tmp_files != nullptr &&
               name.ends_with(std::string(kProducerSnapshotFileSuffix) + ".tmp")) {
      tmp_files->push_back(it->path());
    }
  }
  if (ec) return Status::IoError("list " + dir.string() + ": " + ec.message());
  return snapshots;
}

}  // namespace

// Sequences live in [0, INT32_MAX] and wrap, so arithmetic is modulo 2^31 (Kafka's
// DefaultRecordBatch.incrementSequence / decrementSequence for in-range arguments). Done in 64
// bits so that a malformed argument cannot overflow.
int32_t IncrementSequence(int32_t sequence, int32_t increment) {
  constexpr int64_t kModulus = int64_t{std::numeric_limits<int32_t>::max()} + 1;
  int64_t next = int64_t{sequence} + increment;
  if (next >= kModulus) next -= kModulus;
  return static_cast<int32_t>(next);
}

int32_t DecrementSequence(int32_t sequence, int32_t decrement) {
  constexpr int64_t kModulus = int64_t{std::numeric_limits<int32_t>::max()} + 1;
  int64_t previous = int64_t{sequence} - decrement;
  if (previous < 0 && sequence >= 0) previous += kModulus;
  return static_cast<int32_t>(previous);
}

std::filesystem::path ProducerSnapshotPath(const std::filesystem::path& dir, Offset offset) {
  return dir / (OffsetFileNamePrefix(offset) + std::string(kProducerSnapshotFileSuffix));
}

ProducerStateManager::ProducerStateManager(std::filesystem::path partition_dir)
    : dir_(std::move(partition_dir)) {}

ProducerCheckResult ProducerStateManager::Check(const ProducerBatchInfo& batch) const {
  return CheckAll(std::span<const ProducerBatchInfo>(&batch, 1));
}

ProducerCheckResult ProducerStateManager::CheckAll(
    std::span<const ProducerBatchInfo> batches) const {
  MutexLock lock(mu_);
  // Per producer id of this append: its state with the append's earlier batches applied.
  std::map<int64_t, ProducerStateEntry> pending;
  static const ProducerStateEntry kUnknown;
  for (const ProducerBatchInfo& batch : batches) {
    if (batch.producer_id < 0) continue;
    auto known_it = producers_.find(batch.producer_id);
    const ProducerStateEntry& known = known_it == producers_.end() ? kUnknown : known_it->second;
    // Duplicates are looked up in the state before the append, as Kafka does.
    if (const ProducerStateEntry::Batch* duplicate = FindDuplicate(known, batch)) {
      return {ProducerCheck::kDuplicate, duplicate->first_offset, duplicate->last_offset,
              "duplicate of the batch at offsets " +
                  std::to_string(duplicate->first_offset.value()) + ".." +
                  std::to_string(duplicate->last_offset.value()) + " (" + Describe(batch) + ")"};
    }
    auto [pending_it, inserted] = pending.try_emplace(batch.producer_id, known);
    ProducerCheckResult result = Validate(known, pending_it->second, batch);
    if (result.check != ProducerCheck::kNew) return result;
    ApplyBatch(pending_it->second, batch);
  }
  return {ProducerCheck::kNew, Offset(-1), Offset(-1), ""};
}

void ProducerStateManager::Update(const ProducerBatchInfo& batch) {
  if (batch.producer_id < 0) return;
  MutexLock lock(mu_);
  ProducerStateEntry& entry = producers_[batch.producer_id];
  if (batch.producer_epoch < entry.producer_epoch) {
    // Kafka logs this for replicated appends and applies the batch anyway: the leader accepted
    // it, so the follower must hold the same state.
    ServerLog().warning("Epoch of " + Describe(batch) + " at offset " +
                        std::to_string(batch.first_offset.value()) + " in " + dir_.string() +
                        " is smaller than the last seen epoch " +
                        std::to_string(entry.producer_epoch));
  }
  ApplyBatch(entry, batch);
}

Status ProducerStateManager::LoadSnapshot(Offset log_end_offset) {
  MutexLock files_lock(files_mu_);
  {
    MutexLock lock(mu_);
    producers_.clear();
    snapshot_offset_ = Offset(0);
  }

  std::vector<std::filesystem::path> tmp_files;
  auto snapshots = ListSnapshots(dir_, &tmp_files);
  if (!snapshots.ok()) return snapshots.status();
  for (const auto& tmp : tmp_files) SLUICE_RETURN_IF_ERROR(RemoveFile(tmp));

  // Snapshots above the log end describe batches the log no longer holds.
  for (auto it = snapshots->upper_bound(log_end_offset); it != snapshots->end();) {
    SLUICE_RETURN_IF_ERROR(RemoveFile(it->second));
    it = snapshots->erase(it);
  }

  while (!snapshots->empty()) {
    auto newest = std::prev(snapshots->end());
    auto text = ReadSmallFile(newest->second);
    Status problem;
    if (text.ok()) {
      auto parsed = ParseProducerSnapshot(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text->data()), text->size()));
      if (parsed.ok()) {
        ServerLog().information("Loaded producer state of %z producers from snapshot %s",
                                parsed->size(), newest->second.string());
        MutexLock lock(mu_);
        producers_ = std::move(*parsed);
        snapshot_offset_ = newest->first;
        return Status::Ok();
      }
      problem = parsed.status();
    } else {
      problem = text.status();
    }
    ServerLog().warning("Failed to load producer snapshot " + newest->second.string() + ": " +
                        problem.message() + "; deleting it and trying an older one");
    SLUICE_RETURN_IF_ERROR(RemoveFile(newest->second));
    snapshots->erase(newest);
  }
  return Status::Ok();
}

Offset ProducerStateManager::snapshot_offset() const {
  MutexLock lock(mu_);
  return snapshot_offset_;
}

Status ProducerStateManager::TakeSnapshot(Offset log_end_offset) {
  MutexLock files_lock(files_mu_);
  std::vector<uint8_t> bytes;
  {
    MutexLock lock(mu_);
    bytes = SerializeProducerSnapshot(producers_);
  }
  SLUICE_RETURN_IF_ERROR(WriteFileAtomically(ProducerSnapshotPath(dir_, log_end_offset), bytes));
  {
    MutexLock lock(mu_);
    snapshot_offset_ = log_end_offset;
  }

  // Keep the two newest: the one just written and one to fall back on if it is found corrupt.
  auto snapshots = ListSnapshots(dir_, nullptr);
  if (!snapshots.ok()) return snapshots.status();
  while (snapshots->size() > 2) {
    SLUICE_RETURN_IF_ERROR(RemoveFile(snapshots->begin()->second));
    snapshots->erase(snapshots->begin());
  }
  return Status::Ok();
}

void ProducerStateManager::Clear() {
  MutexLock lock(mu_);
  producers_.clear();
  snapshot_offset_ = Offset(0);
}

std::map<int64_t, ProducerStateEntry> ProducerStateManager::Producers() const {
  MutexLock lock(mu_);
  return producers_;
}

Result<std::vector<Offset>> ProducerStateManager::SnapshotOffsets() const {
  auto snapshots = ListSnapshots(dir_, nullptr);
  if (!snapshots.ok()) return snapshots.status();
  std::vector<Offset> offsets;
  for (const auto& [offset, path] : *snapshots) offsets.push_back(offset);
  return offsets;
}

std::vector<uint8_t> SerializeProducerSnapshot(
    const std::map<int64_t, ProducerStateEntry>& producers) {
  ByteWriter out;
  out.Put16(static_cast<uint16_t>(kProducerSnapshotVersion));
  out.Put32(0);  // the CRC, filled in below
  out.Put32(static_cast<uint32_t>(producers.size()));
  for (const auto& [producer_id, entry] : producers) {
    const ProducerStateEntry::Batch* last = entry.batches.empty() ? nullptr : &entry.batches.back();
    out.Put64(static_cast<uint64_t>(producer_id));
    out.Put16(static_cast<uint16_t>(entry.producer_epoch));
    out.Put32(static_cast<uint32_t>(last ? last->last_sequence : kNoSequence));
    out.Put64(static_cast<uint64_t>(last ? last->last_offset.value() : int64_t{-1}));
    out.Put32(static_cast<uint32_t>(last ? last->last_offset - last->first_offset : 0));
    out.Put64(static_cast<uint64_t>(entry.last_timestamp.value()));
    out.Put32(static_cast<uint32_t>(entry.coordinator_epoch));
    out.Put64(static_cast<uint64_t>(entry.current_txn_first_offset));
  }
  std::vector<uint8_t>& bytes = out.bytes();
  uint32_t crc = kafka::Crc32c(std::span<const uint8_t>(bytes).subspan(kSnapshotEntriesOffset));
  for (int i = 0; i < 4; ++i) {
    bytes[kSnapshotCrcOffset + static_cast<size_t>(i)] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  }
  return std::move(bytes);
}

Result<std::map<int64_t, ProducerStateEntry>> ParseProducerSnapshot(
    std::span<const uint8_t> bytes) {
  if (bytes.size() < kSnapshotEntriesOffset + 4) {
    return Status::Corruption("producer snapshot of " + std::to_string(bytes.size()) +
                              " bytes is shorter than its 10-byte header");
  }
  int16_t version = Load16(bytes, 0);
  if (version != kProducerSnapshotVersion) {
    return Status::Corruption("producer snapshot has unknown version " + std::to_string(version));
  }
  uint32_t stored_crc = static_cast<uint32_t>(Load32(bytes, kSnapshotCrcOffset));
  uint32_t computed_crc = kafka::Crc32c(bytes.subspan(kSnapshotEntriesOffset));
  if (stored_crc != computed_crc) {
    return Status::Corruption("producer snapshot CRC mismatch: stored " +
                              std::to_string(stored_crc) + ", computed " +
                              std::to_string(computed_crc));
  }
  int32_t count = Load32(bytes, kSnapshotEntriesOffset);
  size_t expected_size =
      kSnapshotEntriesOffset + 4 + static_cast<size_t>(std::max(count, 0)) * kSnapshotEntrySize;
  if (count < 0 || bytes.size() != expected_size) {
    return Status::Corruption("producer snapshot says " + std::to_string(count) +
                              " entries but has " + std::to_string(bytes.size()) + " bytes");
  }
  std::map<int64_t, ProducerStateEntry> producers;
  size_t at = kSnapshotEntriesOffset + 4;
  for (int32_t i = 0; i < count; ++i, at += kSnapshotEntrySize) {
    int64_t producer_id = Load64(bytes, at);
    ProducerStateEntry entry;
    entry.producer_epoch = Load16(bytes, at + 8);
    int32_t last_sequence = Load32(bytes, at + 10);
    int64_t last_offset = Load64(bytes, at + 14);
    int32_t offset_delta = Load32(bytes, at + 22);
    entry.last_timestamp = TimestampMs(Load64(bytes, at + 26));
    entry.coordinator_epoch = Load32(bytes, at + 34);
    entry.current_txn_first_offset = Load64(bytes, at + 38);
    if (producer_id < 0 || offset_delta < 0) {
      return Status::Corruption("producer snapshot entry " + std::to_string(i) +
                                " has producer id " + std::to_string(producer_id) +
                                " and offset delta " + std::to_string(offset_delta));
    }
    // As Kafka's readSnapshot: the entry's one batch exists only when it has an offset; its
    // first sequence is the last one minus the offset delta.
    if (last_offset >= 0) {
      entry.batches.push_back({DecrementSequence(last_sequence, offset_delta), last_sequence,
                               Offset(last_offset - offset_delta), Offset(last_offset),
                               entry.last_timestamp});
    }
    if (!producers.emplace(producer_id, std::move(entry)).second) {
      return Status::Corruption("producer snapshot lists producer id " +
                                std::to_string(producer_id) + " twice");
    }
  }
  return producers;
}

Result<std::vector<ProducerBatchInfo>> ProducerBatches(std::span<const uint8_t> records) {
  auto split = kafka::SplitRecordBatches(records);
  if (!split.ok()) return split.status();
  std::vector<ProducerBatchInfo> batches;
  batches.reserve(split->size());
  for (std::span<const uint8_t> bytes : *split) {
    auto header = kafka::ParseRecordBatchHeader(bytes);
    if (!header.ok()) return header.status();
    if (header->is_control()) continue;
    if (header->last_offset_delta < 0) {
      return Status::Corruption("record batch at offset " + std::to_string(header->base_offset) +
                                " has negative lastOffsetDelta " +
                                std::to_string(header->last_offset_delta));
    }
    ProducerBatchInfo info;
    info.producer_id = header->producer_id;
    info.producer_epoch = header->producer_epoch;
    info.base_sequence = header->base_sequence;
    info.last_sequence = header->base_sequence == kNoSequence
                             ? kNoSequence
                             : IncrementSequence(header->base_sequence, header->last_offset_delta);
    info.first_offset = Offset(header->base_offset);
    info.last_offset = Offset(header->last_offset());
    info.max_timestamp = TimestampMs(header->max_timestamp);
    batches.push_back(info);
  }
  return batches;
}

void AssignProducerBatchOffsets(std::vector<ProducerBatchInfo>& batches, Offset first_offset) {
  Offset next = first_offset;
  for (ProducerBatchInfo& batch : batches) {
    int64_t span = batch.last_offset - batch.first_offset;
    batch.first_offset = next;
    batch.last_offset = next + span;
    next = batch.last_offset + 1;
  }
}

}  // namespace sluice::storage
