#include "broker/storage/meta_properties.h"

#include <gtest/gtest.h>

#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

TEST(MetaProperties, RoundTripsThroughTheFile) {
  testing::TempDir dir;
  MetaProperties meta{0, BrokerId(3), "7Qh2-3mGT3KxPVGwCqv0fw"};
  ASSERT_TRUE(WriteMetaPropertiesFile(dir.path() / "meta.properties", meta).ok());
  auto read = ReadMetaPropertiesFile(dir.path() / "meta.properties");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, meta);
}

TEST(MetaProperties, ParsesWhatKafkaWrites) {
  // Java's Properties.store output: a comment, a date comment, keys in hash order.
  auto meta = ParseMetaProperties(
      "#\n#Tue Nov 25 19:12:00 UTC 2025\ncluster.id=abc\nversion=0\nbroker.id=1001\n");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->broker_id, BrokerId(1001));
  EXPECT_EQ(meta->cluster_id, "abc");
}

TEST(MetaProperties, AcceptsJavaSeparatorsAndSpaces) {
  auto meta = ParseMetaProperties("! comment\n  version : 0\nbroker.id 7\ncluster.id = x\n");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->broker_id, BrokerId(7));
  EXPECT_EQ(meta->cluster_id, "x");
}

TEST(MetaProperties, ClusterIdIsOptional) {
  auto meta = ParseMetaProperties("version=0\nbroker.id=0\n");
  ASSERT_TRUE(meta.ok());
  EXPECT_FALSE(meta->cluster_id);
}

TEST(MetaProperties, RejectsMissingFieldsAndKraftVersion) {
  EXPECT_EQ(ParseMetaProperties("broker.id=0\n").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseMetaProperties("version=0\n").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseMetaProperties("version=0\nbroker.id=x\n").status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(ParseMetaProperties("version=1\nnode.id=1\n").status().code(),
            Status::Code::kInvalidArgument);
}

TEST(MetaProperties, MismatchedBrokerIdIsRefused) {
  MetaProperties stored{0, BrokerId(1), "c1"};
  Status s = CheckMetaProperties(stored, BrokerId(2), "c1", "/data");
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_NE(s.message().find("doesn't match stored broker.id 1"), std::string::npos);
}

TEST(MetaProperties, MismatchedClusterIdIsRefused) {
  MetaProperties stored{0, BrokerId(1), "c1"};
  Status s = CheckMetaProperties(stored, BrokerId(1), "c2", "/data");
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_NE(s.message().find("doesn't match stored clusterId c1"), std::string::npos);
}

TEST(MetaProperties, UnknownClusterIdOnEitherSideIsNotCompared) {
  EXPECT_TRUE(CheckMetaProperties({0, BrokerId(1), "c1"}, BrokerId(1), "", "/d").ok());
  EXPECT_TRUE(CheckMetaProperties({0, BrokerId(1), std::nullopt}, BrokerId(1), "c2", "/d").ok());
}

}  // namespace
}  // namespace sluice::storage
