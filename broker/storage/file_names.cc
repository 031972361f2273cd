#include "broker/storage/file_names.h"

#include <charconv>
#include <cstdio>
#include <random>

namespace sluice::storage {
namespace {

bool ConsumeSuffix(std::string_view& name, std::string_view suffix) {
  if (name.size() < suffix.size() || name.substr(name.size() - suffix.size()) != suffix) {
    return false;
  }
  name.remove_suffix(suffix.size());
  return true;
}

std::string_view KindSuffix(SegmentFileKind kind) {
  switch (kind) {
    case SegmentFileKind::kLog:
      return kLogFileSuffix;
    case SegmentFileKind::kOffsetIndex:
      return kOffsetIndexFileSuffix;
    case SegmentFileKind::kTimeIndex:
      return kTimeIndexFileSuffix;
  }
  return kLogFileSuffix;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace


std::string OffsetFileNamePrefix(Offset base_offset) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(base_offset.value()));
  return buf;
}

std::filesystem::path SegmentFilePath(const std::filesystem::path& dir, Offset base_offset,
                                      SegmentFileKind kind) {
  return dir / (OffsetFileNamePrefix(base_offset) + std::string(KindSuffix(kind)));
}

std::optional<ParsedSegmentFileName> ParseSegmentFileName(std::string_view name) {
  ParsedSegmentFileName parsed{Offset(0), SegmentFileKind::kLog, ""};
  for (std::string_view transient : {kDeletedFileSuffix, kCleanedFileSuffix, kSwapFileSuffix}) {
    if (ConsumeSuffix(name, transient)) {
      parsed.transient_suffix = std::string(transient);
      break;
    }
  }
  if (ConsumeSuffix(name, kLogFileSuffix)) {
    parsed.kind = SegmentFileKind::kLog;
  } else if (ConsumeSuffix(name, kOffsetIndexFileSuffix)) {
    parsed.kind = SegmentFileKind::kOffsetIndex;
  } else if (ConsumeSuffix(name, kTimeIndexFileSuffix)) {
    parsed.kind = SegmentFileKind::kTimeIndex;
  } else {
    return std::nullopt;
  }
  if (name.size() != 20 || !AllDigits(name)) return std::nullopt;
  int64_t offset = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), offset);
  if (ec != std::errc() || ptr != name.data() + name.size()) return std::nullopt;
  parsed.base_offset = Offset(offset);
  return parsed;
}

std::string PartitionDirName(const TopicPartition& tp) {
  return tp.topic + "-" + std::to_string(tp.partition.value());
}

Result<TopicPartition> ParsePartitionDirName(std::string_view name) {
  if (IsDeletedPartitionDirName(name) || IsFuturePartitionDirName(name)) {
    return Status::InvalidArgument("\"" + std::string(name) + "\" is not a live partition dir");
  }
  size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0) {
    return Status::InvalidArgument("\"" + std::string(name) + "\" is not <topic>-<partition>");
  }
  std::string_view topic = name.substr(0, dash);
  std::string_view partition = name.substr(dash + 1);
  int32_t p = -1;
  auto [ptr, ec] = std::from_chars(partition.data(), partition.data() + partition.size(), p);
  if (!AllDigits(partition) || ec != std::errc() || ptr != partition.data() + partition.size()) {
    return Status::InvalidArgument("\"" + std::string(name) + "\" has no partition number");
  }
  SLUICE_RETURN_IF_ERROR(ValidateTopicName(topic));
  return TopicPartition{std::string(topic), PartitionId(p)};
}

std::string DeletedPartitionDirName(const TopicPartition& tp, std::string_view uuid_hex) {
  return PartitionDirName(tp) + "." + std::string(uuid_hex) + std::string(kDeleteDirSuffix);
}

bool IsDeletedPartitionDirName(std::string_view name) {
  return ConsumeSuffix(name, kDeleteDirSuffix) && name.find('.') != std::string_view::npos;
}

bool IsFuturePartitionDirName(std::string_view name) {
  return ConsumeSuffix(name, kFutureDirSuffix) && name.find('.') != std::string_view::npos;
}

std::string RandomUuidHex() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

}  // namespace sluice::storage
