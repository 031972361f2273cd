#include "broker/group/consumer_protocol.h"

#include <gtest/gtest.h>

namespace sluice::group {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(ConsumerProtocol, DecodesVersion0Subscription) {
  // version 0, 2 topics "ab" and "c", null user data
  const Bytes bytes = {0, 0, 0, 0, 0, 2, 0, 2, 'a', 'b', 0, 1, 'c', 0xff, 0xff, 0xff, 0xff};
  auto topics = DecodeSubscriptionTopics(bytes);
  ASSERT_TRUE(topics.ok()) << topics.status().ToString();
  EXPECT_EQ(*topics, (std::vector<std::string>{"ab", "c"}));
}

TEST(ConsumerProtocol, DecodesVersion1WithOwnedPartitions) {
  // version 1, topic "t", user data of 1 byte, owned partitions [("t", [0])]
  const Bytes bytes = {0, 1, 0, 0, 0, 1,   0, 1, 't', 0, 0, 0, 1, 7, 0,
                       0, 0, 1, 0, 1, 't', 0, 0, 0,   1, 0, 0, 0, 0};
  auto topics = DecodeSubscriptionTopics(bytes);
  ASSERT_TRUE(topics.ok());
  EXPECT_EQ(*topics, (std::vector<std::string>{"t"}));
}

TEST(ConsumerProtocol, RoundTripsItsOwnEncoding) {
  auto topics = DecodeSubscriptionTopics(EncodeSubscriptionV0({"orders", "payments"}));
  ASSERT_TRUE(topics.ok());
  EXPECT_EQ(*topics, (std::vector<std::string>{"orders", "payments"}));
}

TEST(ConsumerProtocol, RejectsTruncatedAndHostileInput) {
  EXPECT_FALSE(DecodeSubscriptionTopics(Bytes{}).ok());
  EXPECT_FALSE(DecodeSubscriptionTopics(Bytes{0, 0}).ok());
  EXPECT_FALSE(DecodeSubscriptionTopics(Bytes{0, 0, 0, 0, 0, 1, 0, 5, 'a'}).ok());
  // A huge topic count with no bytes behind it must not allocate.
  EXPECT_FALSE(DecodeSubscriptionTopics(Bytes{0, 0, 0x7f, 0xff, 0xff, 0xff}).ok());
  EXPECT_FALSE(DecodeSubscriptionTopics(Bytes{0, 0, 0xff, 0xff, 0xff, 0xff}).ok());  // -1
  EXPECT_FALSE(DecodeSubscriptionTopics(Bytes{0xff, 0xff, 0, 0, 0, 0}).ok());        // version -1
}

}  // namespace
}  // namespace sluice::group
