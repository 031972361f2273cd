// Kafka's checkpoint files. Text, '\n' line ends, a version line, a count line, then entries.
//
// Offset checkpoints, one per log.dir (recovery-point-offset-checkpoint,
// log-start-offset-checkpoint, replication-offset-checkpoint, cleaner-offset-checkpoint):
//
//   0                      <- format version
//   2                      <- number of entries
//   sports 0 42            <- "<topic> <partition> <offset>", one per line
//   sports 1 17
//
// The leader epoch checkpoint, one per partition directory (leader-epoch-checkpoint), lists the
// first offset of every leader epoch the log holds [LeaderEpochCheckpointFile]:
//
//   0                      <- format version
//   2                      <- number of entries
//   0 0                    <- "<epoch> <start offset>", epochs and offsets increasing
//   3 150
//
// Written as Kafka's CheckpointFile does: to <file>.tmp, fsync, rename over <file>, fsync the
// directory, so a crash leaves the old or the new checkpoint and never a torn one.
//
// Thread safety: the functions are stateless; concurrent writers of one path must be serialised
// by the caller (the LogManager holds its checkpoint lock).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "broker/storage/topic_partition.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

inline constexpr int kCheckpointVersion = 0;

using OffsetCheckpoint = std::map<TopicPartition, Offset>;

// One line of leader-epoch-checkpoint: leader `epoch` wrote its first record at `start_offset`.
struct EpochEntry {
  int32_t epoch = 0;
  Offset start_offset{0};
  bool operator==(const EpochEntry&) const = default;
};

std::string FormatOffsetCheckpoint(const OffsetCheckpoint& entries);
// Corruption (naming the line) for: a version other than 0, a count that does not match the
// entries, a line that is not "<topic> <partition> <offset>", an invalid topic name, a
// negative partition, trailing content.
Result<OffsetCheckpoint> ParseOffsetCheckpoint(std::string_view text);

Status WriteOffsetCheckpointFile(const std::filesystem::path& path,
                                 const OffsetCheckpoint& entries);
// NotFound when the file does not exist; otherwise as ParseOffsetCheckpoint.
Result<OffsetCheckpoint> ReadOffsetCheckpointFile(const std::filesystem::path& path);

std::string FormatLeaderEpochCheckpoint(const std::vector<EpochEntry>& entries);
// Corruption (naming the line) for: a version other than 0, a count that does not match the
// entries, a line that is not "<epoch> <start offset>", a negative epoch or offset, trailing
// content. Order is not checked here: LeaderEpochCache applies its own rules when loading.
Result<std::vector<EpochEntry>> ParseLeaderEpochCheckpoint(std::string_view text);

Status WriteLeaderEpochCheckpointFile(const std::filesystem::path& path,
                                      const std::vector<EpochEntry>& entries);
// NotFound when the file does not exist; otherwise as ParseLeaderEpochCheckpoint.
Result<std::vector<EpochEntry>> ReadLeaderEpochCheckpointFile(const std::filesystem::path& path);

}  // namespace sluice::storage
