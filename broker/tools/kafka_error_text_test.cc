#include "broker/tools/kafka_error_text.h"

#include <gtest/gtest.h>

namespace sluice::tools {
namespace {

TEST(KafkaErrorTextTest, ServerMessageWins) {
  EXPECT_EQ(KafkaErrorText(36, std::string("Topic 'x' already exists.")), "Topic 'x' already exists.");
}

TEST(KafkaErrorTextTest, DefaultMessageOfTheExceptionWhenTheServerSentNone) {
  EXPECT_EQ(KafkaErrorText(73), "Topic deletion is disabled.");
  EXPECT_EQ(KafkaErrorText(73, std::string()), "Topic deletion is disabled.");
  EXPECT_EQ(KafkaErrorText(69, std::nullopt), "The group id does not exist.");
}

TEST(KafkaErrorTextTest, UnknownCodeIsNamedWithItsNumber) {
  EXPECT_NE(KafkaErrorText(9999).find("9999"), std::string::npos);
}

TEST(KafkaErrorToStatusTest, CategoriesFollowTheError) {
  EXPECT_TRUE(KafkaErrorToStatus(0).ok());
  EXPECT_EQ(KafkaErrorToStatus(3).code(), Status::Code::kNotFound);
  EXPECT_EQ(KafkaErrorToStatus(36).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(KafkaErrorToStatus(73).message(), "Topic deletion is disabled.");
}

}  // namespace
}  // namespace sluice::tools
