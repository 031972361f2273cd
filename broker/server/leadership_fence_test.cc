#include "broker/server/leadership_fence.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::server {
namespace {

using namespace std::chrono_literals;
using Clock = LeadershipFence::Clock;

TEST(LeadershipFenceTest, ConnectedAndTickingBrokerMayLead) {
  LeadershipFence fence(
      6000ms, [] { return std::optional<Clock::time_point>(); }, 10ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(fence.Reason(), std::nullopt);
}

TEST(LeadershipFenceTest, StalledProcessIsFencedBeforeItsTickerRuns) {
  LeadershipFence fence(
      6000ms, [] { return std::optional<Clock::time_point>(); }, 10ms);
  // As a handler sees it the moment a frozen process thaws: the last tick is seconds old.
  auto reason = fence.Reason(Clock::now() + 4s);
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("stalled"), std::string::npos) << *reason;
  EXPECT_EQ(fence.Reason(Clock::now() + 2s), std::nullopt);  // under half the session timeout
}

TEST(LeadershipFenceTest, LongZooKeeperDisconnectFences) {
  std::optional<Clock::time_point> since;
  LeadershipFence fence(
      6000ms, [&] { return since; }, 10ms);
  since = Clock::now() - 1s;
  EXPECT_EQ(fence.Reason(), std::nullopt);  // the session cannot have expired yet
  since = Clock::now() - 3s;
  auto reason = fence.Reason();
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("disconnected from ZooKeeper"), std::string::npos) << *reason;
  since.reset();
  EXPECT_EQ(fence.Reason(), std::nullopt);
}

TEST(LeadershipFenceTest, ExpiredSessionFencesUntilMetadataForTheNewRegistration) {
  LeadershipFence fence(
      6000ms, [] { return std::optional<Clock::time_point>(); }, 10ms);
  fence.OnSessionExpired(/*broker_epoch=*/48);
  EXPECT_TRUE(fence.Reason().has_value());
  // Not re-registered yet: metadata for the old registration does not lift the fence.
  fence.OnControllerMetadata(48, 48);
  EXPECT_TRUE(fence.Reason().has_value());
  // Re-registered (epoch 237), but the request was for the old registration.
  fence.OnControllerMetadata(48, 237);
  EXPECT_TRUE(fence.Reason().has_value());
  fence.OnControllerMetadata(237, 237);
  EXPECT_EQ(fence.Reason(), std::nullopt);
}

}  // namespace
}  // namespace sluice::server
