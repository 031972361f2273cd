// Every on-disk name storage uses, built and parsed in this one place (see FORMAT.md).
//
//   <log.dir>/meta.properties, .lock, .kafka_cleanshutdown,
//            recovery-point-offset-checkpoint, log-start-offset-checkpoint,
//            cleaner-offset-checkpoint, replication-offset-checkpoint
//   <log.dir>/<topic>-<partition>/                         a partition's log
//   <partition dir>/leader-epoch-checkpoint
//   <log.dir>/<topic>-<partition>.<uuid-hex32>-delete/     a log being deleted
//   <partition dir>/<base offset, 20 digits>.log|.index|.timeindex
//   ... plus the transient suffixes .deleted, .cleaned, .swap after any of those.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "broker/storage/topic_partition.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/base/topic_name.h"

namespace sluice::storage {

inline constexpr std::string_view kLogFileSuffix = ".log";
inline constexpr std::string_view kOffsetIndexFileSuffix = ".index";
inline constexpr std::string_view kTimeIndexFileSuffix = ".timeindex";
// Transient suffixes, appended after one of the three above.
inline constexpr std::string_view kDeletedFileSuffix = ".deleted";  // awaiting file.delete.delay.ms
inline constexpr std::string_view kCleanedFileSuffix = ".cleaned";  // compaction output in progress
inline constexpr std::string_view kSwapFileSuffix = ".swap";  // compaction output being swapped in
inline constexpr std::string_view kDeleteDirSuffix = "-delete";
inline constexpr std::string_view kFutureDirSuffix = "-future";

inline constexpr std::string_view kRecoveryPointCheckpointFile = "recovery-point-offset-checkpoint";
inline constexpr std::string_view kLogStartOffsetCheckpointFile = "log-start-offset-checkpoint";
// Where compaction stopped per partition: the first dirty offset (log_cleaner.h).
inline constexpr std::string_view kCleanerOffsetCheckpointFile = "cleaner-offset-checkpoint";
// Each partition's high watermark (LogManager; read back at startup).
inline constexpr std::string_view kReplicationOffsetCheckpointFile =
    "replication-offset-checkpoint";
// In a partition directory: the first offset of each leader epoch (leader_epoch_cache.h).
inline constexpr std::string_view kLeaderEpochCheckpointFile = "leader-epoch-checkpoint";
inline constexpr std::string_view kMetaPropertiesFile = "meta.properties";
inline constexpr std::string_view kCleanShutdownFile = ".kafka_cleanshutdown";
inline constexpr std::string_view kLockFile = ".lock";

// Kafka's topic name rules: [a-zA-Z0-9._-], 1..249 characters, not "." or "..".
using ::sluice::kMaxTopicNameLength;  // libs/base/topic_name.h
using ::sluice::ValidateTopicName;

enum class SegmentFileKind { kLog, kOffsetIndex, kTimeIndex };

// "00000000000000000042" (Kafka's filenamePrefixFromOffset: 20 digits, zero padded).
std::string OffsetFileNamePrefix(Offset base_offset);

// "<dir>/00000000000000000042.log" and friends.
std::filesystem::path SegmentFilePath(const std::filesystem::path& dir, Offset base_offset,
                                      SegmentFileKind kind);

// What a name found in a partition directory means.
struct ParsedSegmentFileName {
  Offset base_offset;
  SegmentFileKind kind;
  std::string transient_suffix;  // "", ".deleted", ".cleaned" or ".swap"
};
// nullopt when the name is not a segment file (e.g. leader-epoch-checkpoint).
std::optional<ParsedSegmentFileName> ParseSegmentFileName(std::string_view name);

// "<topic>-<partition>".
std::string PartitionDirName(const TopicPartition& tp);
// Parses "<topic>-<partition>"; the topic may itself contain '-', the partition follows the last
// one. Fails with InvalidArgument for "-delete"/"-future" directories and anything malformed.
Result<TopicPartition> ParsePartitionDirName(std::string_view name);
// "<topic>-<partition>.<uuid without dashes>-delete".
std::string DeletedPartitionDirName(const TopicPartition& tp, std::string_view uuid_hex);
bool IsDeletedPartitionDirName(std::string_view name);
bool IsFuturePartitionDirName(std::string_view name);

// 32 random lowercase hex digits (a version-4 UUID without dashes).
std::string RandomUuidHex();

}  // namespace sluice::storage
