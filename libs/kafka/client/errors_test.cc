#include "libs/kafka/client/errors.h"

#include <gtest/gtest.h>

namespace sluice::kafka::client {
namespace {

TEST(KafkaErrors, NamesAreKafkas) {
  EXPECT_EQ(KafkaErrorName(6), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(KafkaErrorName(79), "MEMBER_ID_REQUIRED");
  EXPECT_EQ(KafkaErrorName(-1), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(KafkaErrorName(999), "UNKNOWN_ERROR_CODE");
  EXPECT_EQ(DescribeKafkaError(3), "UNKNOWN_TOPIC_OR_PARTITION (3)");
}

TEST(KafkaErrors, StatusNamesContextErrorAndServerMessage) {
  Status s = KafkaErrorStatus(36, "creating 'x'", "Topic 'x' already exists.");
  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(s.message(), "creating 'x': TOPIC_ALREADY_EXISTS (36): Topic 'x' already exists.");
}

TEST(KafkaErrors, NoneIsOk) { EXPECT_TRUE(KafkaErrorStatus(0, "x").ok()); }

TEST(KafkaErrors, CategoriesFollowTheErrorsNature) {
  EXPECT_EQ(KafkaErrorStatus(3, "x").code(), Status::Code::kNotFound);
  EXPECT_EQ(KafkaErrorStatus(6, "x").code(), Status::Code::kUnavailable);
  EXPECT_EQ(KafkaErrorStatus(1, "x").code(), Status::Code::kOutOfRange);
  EXPECT_EQ(KafkaErrorStatus(22, "x").code(), Status::Code::kConflict);  // ILLEGAL_GENERATION
  EXPECT_EQ(KafkaErrorStatus(7, "x").code(), Status::Code::kTimeout);
  EXPECT_EQ(KafkaErrorStatus(42, "x").code(), Status::Code::kInvalidArgument);
}

TEST(KafkaErrors, RetriableAndMetadataAndCoordinatorFamilies) {
  EXPECT_TRUE(IsRetriableKafkaError(6));
  EXPECT_TRUE(IsRetriableKafkaError(5));
  EXPECT_FALSE(IsRetriableKafkaError(10));  // MESSAGE_TOO_LARGE
  EXPECT_TRUE(InvalidatesMetadata(6));
  EXPECT_FALSE(InvalidatesMetadata(7));
  EXPECT_TRUE(IsCoordinatorError(16));
  EXPECT_FALSE(IsCoordinatorError(6));
}

}  // namespace
}  // namespace sluice::kafka::client
