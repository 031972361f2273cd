// Shared helpers for the storage tests: temporary directories and record batches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "broker/storage/log_config.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage::testing {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A batch of `count` records with values of `value_bytes` bytes; record i has timestamp
// `first_timestamp + i`. Offsets start at 0 (the log assigns real ones).
std::vector<uint8_t> MakeBatch(int count, int64_t first_timestamp, size_t value_bytes = 10,
                               kafka::Compression compression = kafka::Compression::kNone);
// One batch whose records carry exactly `timestamps`.
std::vector<uint8_t> MakeBatchWithTimestamps(const std::vector<int64_t>& timestamps);

// Small segments and indexes so that tests roll and index without writing megabytes.
LogConfig SmallConfig();

// File helpers.
std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path);
void WriteFileBytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);
// Names in `dir`, sorted.
std::vector<std::string> ListDir(const std::filesystem::path& dir);

}  // namespace sluice::storage::testing
