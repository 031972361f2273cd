// Kafka's offset checkpoint files (recovery-point-offset-checkpoint, log-start-offset-checkpoint,
// and the same format for replication-offset-checkpoint later). Text, '\n' line ends:
//
//   0                      <- format version
//   2                      <- number of entries
//   sports 0 42            <- "<topic> <partition> <offset>", one per line
//   sports 1 17
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

#include "broker/storage/topic_partition.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

inline constexpr int kCheckpointVersion = 0;

using OffsetCheckpoint = std::map<TopicPartition, Offset>;

std::string FormatOffsetCheckpoint(const OffsetCheckpoint& entries);
// Corruption (naming the line) for: a version other than 0, a count that does not match the
// entries, a line that is not "<topic> <partition> <offset>", an invalid topic name, a
// negative partition, trailing content.
Result<OffsetCheckpoint> ParseOffsetCheckpoint(std::string_view text);

Status WriteOffsetCheckpointFile(const std::filesystem::path& path,
                                 const OffsetCheckpoint& entries);
// NotFound when the file does not exist; otherwise as ParseOffsetCheckpoint.
Result<OffsetCheckpoint> ReadOffsetCheckpointFile(const std::filesystem::path& path);

}  // namespace sluice::storage
