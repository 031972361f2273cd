#include "broker/storage/test_util.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sluice::storage::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/sluice-storage-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<uint8_t> MakeBatch(int count, int64_t first_timestamp, size_t value_bytes,
                               kafka::Compression compression) {
  std::vector<kafka::Record> records;
  for (int i = 0; i < count; ++i) {
    kafka::Record r;
    r.timestamp = first_timestamp + i;
    r.key = "k" + std::to_string(i);
    r.value = std::string(value_bytes, static_cast<char>('a' + i % 26));
    records.push_back(std::move(r));
  }
  kafka::RecordBatchBuilderOptions options;
  options.compression = compression;
  auto batch = kafka::BuildRecordBatch(records, options);
  if (!batch.ok()) throw std::runtime_error(batch.status().ToString());
  return std::move(*batch);
}

std::vector<uint8_t> MakeBatchWithTimestamps(const std::vector<int64_t>& timestamps) {
  std::vector<kafka::Record> records;
  for (int64_t ts : timestamps) {
    kafka::Record r;
    r.timestamp = ts;
    r.value = "v" + std::to_string(ts);
    records.push_back(std::move(r));
  }
  auto batch = kafka::BuildRecordBatch(records, kafka::RecordBatchBuilderOptions{});
  if (!batch.ok()) throw std::runtime_error(batch.status().ToString());
  return std::move(*batch);
}

LogConfig SmallConfig() {
  LogConfig config;
  config.segment_bytes = 4096;
  config.index_interval_bytes = 256;
  config.segment_index_bytes = 1024;
  config.file_delete_delay_ms = 0;
  return config;
}

std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFileBytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> ListDir(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sluice::storage::testing
