// ProducerIdManager against a real ZooKeeper (tests/support): the block layout Kafka 2.8 writes
// to /latest_producer_id_block, block hand-over, and two brokers never sharing an id.
#include "broker/server/producer_id_manager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "broker/metadata/zk_test_fixture.h"

namespace sluice::server {
namespace {

using metadata::CreateMode;

// ---- the znode codec ---------------------------------------------------------------------

TEST(ProducerIdBlockZNodeTest, EncodesKafkasJson) {
  EXPECT_EQ(ProducerIdBlockZNode::Path(), "/latest_producer_id_block");
  EXPECT_EQ(ProducerIdBlockZNode::Encode({BrokerId(2), 1000, 1999}),
            R"({"version":1,"broker":2,"block_start":"1000","block_end":"1999"})");
}

TEST(ProducerIdBlockZNodeTest, DecodesAnyKeyOrder) {
  // Kafka writes a hash map: key order is not fixed.
  auto block = ProducerIdBlockZNode::Decode(
      R"({"block_end":"5999","broker":3,"version":1,"block_start":"5000"})");
  ASSERT_TRUE(block.ok()) << block.status().ToString();
  EXPECT_EQ(*block, (ProducerIdBlock{BrokerId(3), 5000, 5999}));
}

TEST(ProducerIdBlockZNodeTest, RoundTripsTheLargestIds) {
  const ProducerIdBlock block{BrokerId(7), std::numeric_limits<int64_t>::max() - 999,
                              std::numeric_limits<int64_t>::max()};
  auto decoded = ProducerIdBlockZNode::Decode(ProducerIdBlockZNode::Encode(block));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, block);
}

TEST(ProducerIdBlockZNodeTest, RejectsMalformedData) {
  const char* bad[] = {
      "",
      "not json",
      "[1,2]",
      R"({"version":1,"broker":1,"block_start":"0"})",                      // no block_end
      R"({"version":1,"block_start":"0","block_end":"999"})",               // no broker
      R"({"version":1,"broker":"1","block_start":"0","block_end":"999"})",  // broker a string
      R"({"version":1,"broker":1,"block_start":0,"block_end":999})",        // bounds numbers
      R"({"version":1,"broker":1,"block_start":"0x10","block_end":"999"})",
      R"({"version":1,"broker":1,"block_start":"12a","block_end":"999"})",
      R"({"version":1,"broker":1,"block_start":"0","block_end":"99999999999999999999"})",
      R"({"version":1,"broker":1,"block_start":"1000","block_end":"999"})",  // end < start
      R"({"version":1,"broker":1,"block_start":"-5","block_end":"999"})",
      R"({"version":1,"broker":4294967296,"block_start":"0","block_end":"999"})",
  };
  for (const char* text : bad) {
    auto block = ProducerIdBlockZNode::Decode(text);
    ASSERT_FALSE(block.ok()) << text;
    EXPECT_EQ(block.status().code(), Status::Code::kCorruption) << text;
    EXPECT_NE(block.status().message().find("/latest_producer_id_block"), std::string::npos)
        << block.status().message();
  }
}

// ---- the manager against ZooKeeper ---------------------------------------------------------

class ProducerIdManagerTest : public metadata::ZkTest {
 protected:
  void SetUp() override {
    metadata::ZkTest::SetUp();
    zk_ = Connect();
    ASSERT_NE(zk_, nullptr);
  }

  ProducerIdBlock ZNodeBlock() {
    auto node = zk_->Get(ProducerIdBlockZNode::Path());
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    if (!node.ok()) return {};
    auto block = ProducerIdBlockZNode::Decode(node->data);
    EXPECT_TRUE(block.ok()) << block.status().ToString();
    return block.ok() ? *block : ProducerIdBlock{};
  }

  std::unique_ptr<metadata::ZkClient> zk_;
};

TEST_F(ProducerIdManagerTest, ClaimsNothingBeforeTheFirstId) {
  ProducerIdManager manager(BrokerId(1), *zk_);
  EXPECT_FALSE(manager.current_block().has_value());
  auto exists = zk_->Exists(ProducerIdBlockZNode::Path());
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(exists->has_value());
}

TEST_F(ProducerIdManagerTest, FirstBlockWhenTheZNodeIsMissing) {
  ProducerIdManager manager(BrokerId(1), *zk_);
  for (int64_t expected = 0; expected < 5; ++expected) {
    auto id = manager.NextProducerId();
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_EQ(*id, expected);
  }
  EXPECT_EQ(ZNodeBlock(), (ProducerIdBlock{BrokerId(1), 0, 999}));
  EXPECT_EQ(manager.current_block(), (ProducerIdBlock{BrokerId(1), 0, 999}));
}

TEST_F(ProducerIdManagerTest, FirstBlockWhenStartUpCreatedTheZNodeEmpty) {
  ASSERT_TRUE(zk_->Create(ProducerIdBlockZNode::Path(), "", CreateMode::kPersistent).ok());
  ProducerIdManager manager(BrokerId(4), *zk_);
  auto id = manager.NextProducerId();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 0);
  auto node = zk_->Get(ProducerIdBlockZNode::Path());
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->data, R"({"version":1,"broker":4,"block_start":"0","block_end":"999"})");
  EXPECT_EQ(node->stat.version, 1);  // a conditional set on the empty znode, not a re-create
}

TEST_F(ProducerIdManagerTest, ContinuesAfterABlockKafkaWrote) {
  ASSERT_TRUE(zk_->Create(ProducerIdBlockZNode::Path(),
                          R"({"block_end":"5999","broker":3,"version":1,"block_start":"5000"})",
                          CreateMode::kPersistent)
                  .ok());
  ProducerIdManager manager(BrokerId(1), *zk_);
  auto id = manager.NextProducerId();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 6000);
  EXPECT_EQ(ZNodeBlock(), (ProducerIdBlock{BrokerId(1), 6000, 6999}));
}

TEST_F(ProducerIdManagerTest, ClaimsTheNextBlockWhenOneIsUsedUp) {
  ProducerIdManager manager(BrokerId(1), *zk_);
  for (int64_t expected = 0; expected < ProducerIdManager::kBlockSize; ++expected) {
    auto id = manager.NextProducerId();
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ASSERT_EQ(*id, expected);
  }
  EXPECT_EQ(ZNodeBlock(), (ProducerIdBlock{BrokerId(1), 0, 999}));  // not claimed early
  auto id = manager.NextProducerId();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 1000);
  EXPECT_EQ(ZNodeBlock(), (ProducerIdBlock{BrokerId(1), 1000, 1999}));
}

TEST_F(ProducerIdManagerTest, ARestartedBrokerNeverReusesItsIds) {
  int64_t last = -1;
  {
    ProducerIdManager before(BrokerId(1), *zk_);
    for (int i = 0; i < 3; ++i) last = *before.NextProducerId();
  }
  ProducerIdManager after(BrokerId(1), *zk_);
  auto id = after.NextProducerId();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_GT(*id, last);
  EXPECT_EQ(*id, 1000);  // the rest of the old block is skipped, never handed out again
}

TEST_F(ProducerIdManagerTest, TwoBrokersTakeAlternateBlocks) {
  auto zk2 = Connect();
  ASSERT_NE(zk2, nullptr);
  ProducerIdManager broker1(BrokerId(1), *zk_);
  ProducerIdManager broker2(BrokerId(2), *zk2);
  EXPECT_EQ(*broker1.NextProducerId(), 0);
  EXPECT_EQ(*broker2.NextProducerId(), 1000);
  EXPECT_EQ(*broker1.NextProducerId(), 1);
  EXPECT_EQ(*broker2.NextProducerId(), 1001);
  EXPECT_EQ(broker1.current_block(), (ProducerIdBlock{BrokerId(1), 0, 999}));
  EXPECT_EQ(broker2.current_block(), (ProducerIdBlock{BrokerId(2), 1000, 1999}));
  EXPECT_EQ(ZNodeBlock(), (ProducerIdBlock{BrokerId(2), 1000, 1999}));
}

// Two brokers (separate sessions), several request threads each, enough ids for several block
// claims each that race on the znode version: every id is handed out once.
TEST_F(ProducerIdManagerTest, ConcurrentBrokersNeverShareAnId) {
  constexpr int kThreadsPerBroker = 3;
  constexpr int kIdsPerThread = 1200;
  auto zk2 = Connect();
  ASSERT_NE(zk2, nullptr);
  ProducerIdManager broker1(BrokerId(1), *zk_);
  ProducerIdManager broker2(BrokerId(2), *zk2);

  std::vector<std::vector<int64_t>> ids(2 * kThreadsPerBroker);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerBroker; ++t) {
    ProducerIdManager& manager = t % 2 == 0 ? broker1 : broker2;
    threads.emplace_back([&manager, &out = ids[t]] {
      for (int i = 0; i < kIdsPerThread; ++i) {
        auto id = manager.NextProducerId();
        if (!id.ok()) {
          ADD_FAILURE() << id.status().ToString();
          return;
        }
        out.push_back(*id);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<int64_t> unique;
  size_t total = 0;
  for (const auto& list : ids) {
    ASSERT_EQ(list.size(), static_cast<size_t>(kIdsPerThread));
    // One thread sees its broker's ids in increasing order.
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    unique.insert(list.begin(), list.end());
    total += list.size();
  }
  EXPECT_EQ(unique.size(), total) << "an id was handed out twice";
  EXPECT_GE(*unique.begin(), 0);
  // Every claimed block was claimed by one broker only: blocks are 1000 ids, so no block's ids
  // appear in both brokers' lists.
  std::set<int64_t> blocks1, blocks2;
  for (int t = 0; t < 2 * kThreadsPerBroker; ++t) {
    for (int64_t id : ids[t]) (t % 2 == 0 ? blocks1 : blocks2).insert(id / 1000);
  }
  for (int64_t block : blocks1) EXPECT_EQ(blocks2.count(block), 0u) << "block " << block;
}

TEST_F(ProducerIdManagerTest, CorruptZNodeIsAnErrorAndIsLeftAlone) {
  ASSERT_TRUE(zk_->Create(ProducerIdBlockZNode::Path(), "{garbage", CreateMode::kPersistent).ok());
  ProducerIdManager manager(BrokerId(1), *zk_);
  auto id = manager.NextProducerId();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), Status::Code::kCorruption);
  auto node = zk_->Get(ProducerIdBlockZNode::Path());
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->data, "{garbage");
}

TEST_F(ProducerIdManagerTest, ExhaustedIdsAreAnError) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  ASSERT_TRUE(zk_->Create(ProducerIdBlockZNode::Path(),
                          ProducerIdBlockZNode::Encode({BrokerId(1), max - 1009, max - 10}),
                          CreateMode::kPersistent)
                  .ok());
  ProducerIdManager manager(BrokerId(2), *zk_);
  auto id = manager.NextProducerId();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), Status::Code::kOutOfRange) << id.status().ToString();
}

}  // namespace
}  // namespace sluice::server
