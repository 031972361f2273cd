#include "broker/storage/checkpoint_file.h"

#include <charconv>
#include <vector>

#include "broker/storage/file_names.h"
#include "broker/storage/posix_file.h"

namespace sluice::storage {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

template <typename Int>
bool ParseInt(std::string_view s, Int& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string_view> SplitSpaces(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

Status Malformed(size_t line_number, std::string_view line, std::string_view why) {
  return Status::Corruption("malformed checkpoint line " + std::to_string(line_number) + " \"" +
                            std::string(line) + "\": " + std::string(why));
}

// The version and count lines shared by every checkpoint file; returns the entry lines.
Result<std::vector<std::string_view>> ParseHeader(std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.size() < 2) return Status::Corruption("checkpoint has no version and count lines");
  int version = -1;
  if (!ParseInt(lines[0], version)) return Malformed(1, lines[0], "version is not a number");
  if (version != kCheckpointVersion) {
    return Status::Corruption("unrecognised checkpoint version " + std::string(lines[0]));
  }
  int64_t count = -1;
  if (!ParseInt(lines[1], count) || count < 0) {
    return Malformed(2, lines[1], "entry count is not a non-negative number");
  }
  if (static_cast<int64_t>(lines.size()) - 2 != count) {
    return Status::Corruption("checkpoint says " + std::to_string(count) + " entries but has " +
                              std::to_string(lines.size() - 2));
  }
  lines.erase(lines.begin(), lines.begin() + 2);
  return lines;
}

Status WriteText(const std::filesystem::path& path, const std::string& text) {
  return WriteFileAtomically(
      path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace

std::string FormatOffsetCheckpoint(const OffsetCheckpoint& entries) {
  std::string out =
      std::to_string(kCheckpointVersion) + "\n" + std::to_string(entries.size()) + "\n";
  for (const auto& [tp, offset] : entries) {
    out += tp.topic + " " + std::to_string(tp.partition.value()) + " " +
           std::to_string(offset.value()) + "\n";
  }
  return out;
}

Result<OffsetCheckpoint> ParseOffsetCheckpoint(std::string_view text) {
  auto lines = ParseHeader(text);
  if (!lines.ok()) return lines.status();
  OffsetCheckpoint entries;
  for (size_t i = 0; i < lines->size(); ++i) {
    std::string_view line = (*lines)[i];
    const size_t line_number = i + 3;
    std::vector<std::string_view> fields = SplitSpaces(line);
    if (fields.size() != 3) return Malformed(line_number, line, "expected 3 fields");
    if (!ValidateTopicName(fields[0]).ok()) return Malformed(line_number, line, "invalid topic");
    int32_t partition = -1;
    int64_t offset = 0;
    if (!ParseInt(fields[1], partition) || partition < 0) {
      return Malformed(line_number, line, "invalid partition");
    }
    if (!ParseInt(fields[2], offset)) return Malformed(line_number, line, "invalid offset");
    entries[TopicPartition{std::string(fields[0]), PartitionId(partition)}] = Offset(offset);
  }
  return entries;
}

Status WriteOffsetCheckpointFile(const std::filesystem::path& path,
                                 const OffsetCheckpoint& entries) {
  return WriteText(path, FormatOffsetCheckpoint(entries));
}

Result<OffsetCheckpoint> ReadOffsetCheckpointFile(const std::filesystem::path& path) {
  auto text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  auto parsed = ParseOffsetCheckpoint(*text);
  if (!parsed.ok()) return Status::Corruption(path.string() + ": " + parsed.status().message());
  return parsed;
}

std::string FormatLeaderEpochCheckpoint(const std::vector<EpochEntry>& entries) {
  std::string out =
      std::to_string(kCheckpointVersion) + "\n" + std::to_string(entries.size()) + "\n";
  for (const EpochEntry& entry : entries) {
    out += std::to_string(entry.epoch) + " " + std::to_string(entry.start_offset.value()) + "\n";
  }
  return out;
}

Result<std::vector<EpochEntry>> ParseLeaderEpochCheckpoint(std::string_view text) {
  auto lines = ParseHeader(text);
  if (!lines.ok()) return lines.status();
  std::vector<EpochEntry> entries;
  for (size_t i = 0; i < lines->size(); ++i) {
    std::string_view line = (*lines)[i];
    const size_t line_number = i + 3;
    std::vector<std::string_view> fields = SplitSpaces(line);
    if (fields.size() != 2) return Malformed(line_number, line, "expected 2 fields");
    int32_t epoch = -1;
    int64_t offset = -1;
    if (!ParseInt(fields[0], epoch) || epoch < 0) {
      return Malformed(line_number, line, "invalid leader epoch");
    }
    if (!ParseInt(fields[1], offset) || offset < 0) {
      return Malformed(line_number, line, "invalid start offset");
    }
    entries.push_back({epoch, Offset(offset)});
  }
  return entries;
}

Status WriteLeaderEpochCheckpointFile(const std::filesystem::path& path,
                                      const std::vector<EpochEntry>& entries) {
  return WriteText(path, FormatLeaderEpochCheckpoint(entries));
}

Result<std::vector<EpochEntry>> ReadLeaderEpochCheckpointFile(const std::filesystem::path& path) {
  auto text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  auto parsed = ParseLeaderEpochCheckpoint(*text);
  if (!parsed.ok()) return Status::Corruption(path.string() + ": " + parsed.status().message());
  return parsed;
}

}  // namespace sluice::storage
