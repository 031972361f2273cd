// ZkIsrWriter against a real ZooKeeper (tests/support): the conditional state write and the
// ISR change notification the controller watches.
#include "broker/replication/zk_isr_writer.h"

#include <gtest/gtest.h>

#include "broker/metadata/kafka_zk_client.h"
#include "broker/metadata/zk_test_fixture.h"

namespace sluice::replication {
namespace {

class ZkIsrWriterTest : public metadata::ZkTest {};

TEST_F(ZkIsrWriterTest, WritesTheStateConditionallyAndNotifiesTheController) {
  auto zk = Connect();
  ASSERT_NE(zk, nullptr);
  metadata::KafkaZkClient client(*zk);
  ASSERT_TRUE(client.EnsurePersistentPaths().ok());
  metadata::PartitionAssignment assignment;
  for (int32_t p = 0; p < 4; ++p) assignment[PartitionId(p)] = {BrokerId(1), BrokerId(2)};
  ASSERT_TRUE(client.CreateTopic("orders", assignment, {}).ok());
  metadata::PartitionState initial;
  initial.leader = BrokerId(1);
  initial.leader_epoch = LeaderEpoch(4);
  initial.isr = {BrokerId(1), BrokerId(2)};
  initial.controller_epoch = ControllerEpoch(2);
  ASSERT_TRUE(client.CreatePartitionState("orders", PartitionId(3), initial).ok());

  ZkIsrWriter writer(client);
  const storage::TopicPartition tp{"orders", PartitionId(3)};
  auto written = writer.WriteIsr(tp, 1, 4, 2, {1}, /*zk_version=*/0);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(*written, 1);
  auto state = client.GetPartitionState("orders", PartitionId(3));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->isr, (std::vector<BrokerId>{BrokerId(1)}));
  EXPECT_EQ(state->leader_epoch, LeaderEpoch(4));
  EXPECT_EQ(state->zk_version, 1);

  auto notifications = client.GetIsrChangeNotifications();
  ASSERT_TRUE(notifications.ok());
  ASSERT_EQ(notifications->size(), 1u);
  auto named = client.GetIsrChangeNotification(notifications->front());
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(*named, (std::vector<metadata::TopicPartitionName>{{"orders", PartitionId(3)}}));

  // A stale zkVersion (the controller rewrote the znode) is a Conflict and changes nothing.
  auto stale = writer.WriteIsr(tp, 1, 4, 2, {1, 2}, /*zk_version=*/0);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Status::Code::kConflict);
  EXPECT_EQ(client.GetPartitionState("orders", PartitionId(3))->isr,
            (std::vector<BrokerId>{BrokerId(1)}));
}

}  // namespace
}  // namespace sluice::replication
