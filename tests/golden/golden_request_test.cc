// Every captured request frame in data/ decodes (header, then the body for its key and
// version) with nothing left over, and re-encodes to exactly the captured bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "libs/kafka/messages/api_table.h"
#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/messages/dispatch.h"
#include "libs/kafka/protocol/request_header_io.h"

namespace sluice::kafka {
namespace {

using Buffer = std::vector<uint8_t>;

Buffer ReadHexFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string hex, line;
  while (std::getline(in, line)) {
    for (char c : line) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex.push_back(c);
    }
  }
  Buffer out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<std::string> GoldenFiles() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(SLUICE_GOLDEN_DATA_DIR)) {
    if (entry.path().extension() == ".hex") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenRequestTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenRequestTest, DecodesAndReencodesByteForByte) {
  const Buffer frame = ReadHexFile(std::filesystem::path(SLUICE_GOLDEN_DATA_DIR) / GetParam());
  ASSERT_FALSE(frame.empty());
  Reader reader(frame);
  auto header = ReadRequestHeader(reader);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  const int16_t key = header->request_api_key;
  const int16_t version = header->request_api_version;
  ASSERT_NE(FindApi(key), nullptr) << "no schema for api key " << key;

  Buffer reencoded;
  Writer writer(reencoded);
  WriteRequestHeader(writer, *header);
  EXPECT_EQ(reencoded.size(), reader.position());

  bool visited = VisitRequestType(key, [&](auto type) {
    using Request = typename decltype(type)::type;
    Request request;
    Status s = request.Decode(reader, version);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(reader.empty()) << reader.remaining() << " bytes after the body";
    EXPECT_EQ(request.Size(version), reader.position() - reencoded.size());
    request.Encode(writer, version);
  });
  ASSERT_TRUE(visited);
  EXPECT_EQ(reencoded, frame);
}

INSTANTIATE_TEST_SUITE_P(Captured, GoldenRequestTest, ::testing::ValuesIn(GoldenFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Spot checks that the fields land where Kafka puts them, not only that bytes round-trip.
TEST(GoldenRequestFieldsTest, LibrdkafkaApiVersionsV3) {
  const Buffer frame =
      ReadHexFile(std::filesystem::path(SLUICE_GOLDEN_DATA_DIR) / "kcat_api_versions_v3.hex");
  Reader reader(frame);
  auto header = ReadRequestHeader(reader);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->client_id, "rdkafka");
  ApiVersionsRequest request;
  ASSERT_TRUE(request.Decode(reader, 3).ok());
  EXPECT_EQ(request.client_software_name, "librdkafka");
  EXPECT_EQ(request.client_software_version, "2.0.2");
}

TEST(GoldenRequestFieldsTest, KafkajsApiVersionsV2HasClientIdAndEmptyBody) {
  const Buffer frame =
      ReadHexFile(std::filesystem::path(SLUICE_GOLDEN_DATA_DIR) / "kafkajs_api_versions_v2.hex");
  Reader reader(frame);
  auto header = ReadRequestHeader(reader);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->client_id, "golden-kafkajs");
  EXPECT_TRUE(reader.empty());
}

}  // namespace
}  // namespace sluice::kafka
