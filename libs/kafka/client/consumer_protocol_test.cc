#include "libs/kafka/client/consumer_protocol.h"

#include <gtest/gtest.h>

namespace sluice::kafka::client {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(ConsumerProtocol, SubscriptionV0BytesAreKafkas) {
  const Bytes expected = {
      0x00, 0x00,                          // version 0
      0x00, 0x00, 0x00, 0x02,              // 2 topics
      0x00, 0x01, 'a',                     // "a"
      0x00, 0x02, 'b', 'c',                // "bc"
      0xff, 0xff, 0xff, 0xff,              // user data: null
  };
  EXPECT_EQ(EncodeSubscription(Subscription{{"a", "bc"}, std::nullopt, {}}), expected);
}

TEST(ConsumerProtocol, SubscriptionWithOwnedPartitionsIsV1) {
  Subscription s{{"t"}, Bytes{9}, {{"t", {0, 2}}}};
  const Bytes expected = {
      0x00, 0x01,                                      // version 1
      0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',         // topics ["t"]
      0x00, 0x00, 0x00, 0x01, 0x09,                    // user data [9]
      0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',         // owned: 1 topic "t"
      0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,  // partitions [0,
      0x00, 0x00, 0x00, 0x02,                          //   2]
  };
  EXPECT_EQ(EncodeSubscription(s), expected);
  Result<Subscription> back = DecodeSubscription(expected);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(ConsumerProtocol, SubscriptionOfANewerVersionIgnoresTrailingFields) {
  Bytes bytes = EncodeSubscription(Subscription{{"t"}, std::nullopt, {{"t", {1}}}});
  bytes[1] = 3;                                     // version 3
  bytes.insert(bytes.end(), {0x00, 0x00, 0x00, 7});  // v2's generation id, say
  Result<Subscription> s = DecodeSubscription(bytes);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->topics, std::vector<std::string>{"t"});
  EXPECT_EQ(s->owned_partitions.at("t"), std::vector<int32_t>{1});
}

TEST(ConsumerProtocol, TruncatedSubscriptionIsCorruption) {
  Bytes bytes = EncodeSubscription(Subscription{{"topic"}, std::nullopt, {}});
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Result<Subscription> s = DecodeSubscription(std::span(bytes.data(), cut));
    ASSERT_FALSE(s.ok()) << "cut at " << cut;
    EXPECT_EQ(s.status().code(), Status::Code::kCorruption);
  }
}

TEST(ConsumerProtocol, NegativeVersionIsCorruption) {
  const Bytes bytes = {0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(DecodeSubscription(bytes).ok());
  EXPECT_FALSE(DecodeAssignment(bytes).ok());
}

TEST(ConsumerProtocol, AssignmentBytesAreKafkas) {
  Assignment a{{{"t", {0, 1}}}, std::nullopt};
  const Bytes expected = {
      0x00, 0x00,                                // version 0
      0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',   // 1 topic "t"
      0x00, 0x00, 0x00, 0x02,                    // 2 partitions
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
      0xff, 0xff, 0xff, 0xff,                    // user data: null
  };
  EXPECT_EQ(EncodeAssignment(a), expected);
  Result<Assignment> back = DecodeAssignment(expected);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, a);
}

TEST(ConsumerProtocol, EmptyAssignmentBytesMeanNoPartitions) {
  Result<Assignment> a = DecodeAssignment(Bytes{});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->partitions.empty());
}

TEST(ConsumerProtocol, AssignmentWithUserDataRoundTrips) {
  Assignment a{{{"x", {3}}, {"y", {}}}, Bytes{1, 2, 3}};
  Result<Assignment> back = DecodeAssignment(EncodeAssignment(a));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, a);
}

TEST(ConsumerProtocol, HostileArrayCountDoesNotAllocate) {
  const Bytes bytes = {0x00, 0x00, 0x7f, 0xff, 0xff, 0xff};  // 2^31-1 topics, no bytes
  EXPECT_FALSE(DecodeSubscription(bytes).ok());
  EXPECT_FALSE(DecodeAssignment(bytes).ok());
}

}  // namespace
}  // namespace sluice::kafka::client
