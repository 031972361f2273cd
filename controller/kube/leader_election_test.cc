// GoogleTest before cpprestsdk: cpprest defines a macro U() that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/kube/leader_election.h"

#include <atomic>
#include <thread>

#include "controller/kube/fake_client.h"

namespace sluice::kube {
namespace {

using namespace std::chrono_literals;
using web::json::value;

// Two candidates over one FakeClient with a shared hand-driven local clock.
class LeaseLogic : public ::testing::Test {
 protected:
  std::unique_ptr<LeaderElector> Make(const std::string& identity) {
    LeaderElectionConfig config;
    config.lease_namespace = "ops";
    config.lease_name = "sluice-operator";
    config.identity = identity;
    config.now = [this] { return now_; };
    config.wall = [this] { return wall_; };
    Result<std::unique_ptr<LeaderElector>> elector = LeaderElector::Create(client_, config);
    EXPECT_TRUE(elector.ok()) << elector.status().ToString();
    return std::move(*elector);
  }
  value Lease() { return client_.Get(types::kLease, "ops", "sluice-operator").value(); }
  std::string Spec(const char* field) { return Lease().at("spec").at(field).serialize(); }
  void Advance(std::chrono::milliseconds d) {
    now_ += d;
    wall_ += d;
  }

  FakeClient client_;
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point wall_ =
      std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
};

TEST_F(LeaseLogic, FirstCandidateCreatesTheLease) {
  auto a = Make("a");
  EXPECT_TRUE(a->TryAcquireOrRenew());
  EXPECT_EQ(Spec("holderIdentity"), "\"a\"");
  EXPECT_EQ(Spec("leaseDurationSeconds"), "15");
  EXPECT_EQ(Spec("leaseTransitions"), "0");
  EXPECT_EQ(Spec("acquireTime"), "\"2023-11-14T22:13:20.000000Z\"");
  EXPECT_EQ(Spec("renewTime"), Spec("acquireTime"));
}

TEST_F(LeaseLogic, OtherCandidateWaitsForExpiryByItsOwnClockThenTakesOver) {
  auto a = Make("a");
  auto b = Make("b");
  ASSERT_TRUE(a->TryAcquireOrRenew());
  EXPECT_FALSE(b->TryAcquireOrRenew());  // first sight of a's record starts b's clock
  EXPECT_EQ(b->ObservedLeader(), "a");
  Advance(10s);
  ASSERT_TRUE(a->TryAcquireOrRenew());  // renew: record changed
  const std::string acquired = Spec("acquireTime");
  EXPECT_NE(Spec("renewTime"), acquired);  // renew moves renewTime, keeps acquireTime
  Advance(14s);
  // b sees the renewed record for the first time now (t=24): its clock restarts here, whatever
  // renewTime says, because the two nodes' wall clocks need not agree.
  EXPECT_FALSE(b->TryAcquireOrRenew());
  Advance(14s);
  EXPECT_FALSE(b->TryAcquireOrRenew());  // 14 s of b's clock: not expired yet
  Advance(2s);                           // 16 s unchanged by b's clock
  EXPECT_TRUE(b->TryAcquireOrRenew());
  EXPECT_EQ(Spec("holderIdentity"), "\"b\"");
  EXPECT_EQ(Spec("leaseTransitions"), "1");
  EXPECT_NE(Spec("acquireTime"), acquired);
  EXPECT_FALSE(a->TryAcquireOrRenew());  // a sees b's fresh record and steps back
  EXPECT_EQ(a->ObservedLeader(), "b");
}

TEST_F(LeaseLogic, LosingTheWriteRaceIsNotLeadership) {
  auto a = Make("a");
  ASSERT_TRUE(a->TryAcquireOrRenew());
  client_.FailNext("UPDATE", Status::Conflict("HTTP 409 PUT ...: the object has been modified"));
  EXPECT_FALSE(a->TryAcquireOrRenew());
  EXPECT_TRUE(a->TryAcquireOrRenew());
  client_.FailNext("GET", Status::Unavailable("HTTP 503"));
  EXPECT_FALSE(a->TryAcquireOrRenew());
}

TEST_F(LeaseLogic, CreateRaceLostIsNotLeadership) {
  auto c = Make("c");
  client_.FailNext("CREATE", Status::AlreadyExists("HTTP 409 POST ...: already exists"));
  EXPECT_FALSE(c->TryAcquireOrRenew());
  EXPECT_TRUE(c->TryAcquireOrRenew());
}

TEST_F(LeaseLogic, ReleaseClearsTheHolderSoASuccessorNeedNotWait) {
  auto a = Make("a");
  auto b = Make("b");
  ASSERT_TRUE(a->TryAcquireOrRenew());
  EXPECT_FALSE(b->TryAcquireOrRenew());
  ASSERT_TRUE(a->Release().ok());
  EXPECT_EQ(Spec("holderIdentity"), "\"\"");
  EXPECT_TRUE(b->TryAcquireOrRenew());  // no 15 s wait
  EXPECT_EQ(Spec("leaseTransitions"), "1");
  EXPECT_TRUE(a->Release().ok());  // not the holder: nothing to do
  EXPECT_EQ(Spec("holderIdentity"), "\"b\"");
}

TEST(LeaderElectorConfig, RefusesInconsistentDurations) {
  FakeClient client;
  LeaderElectionConfig config;
  config.lease_namespace = "n";
  config.lease_name = "l";
  config.identity = "i";
  config.renew_deadline = 20s;
  EXPECT_EQ(LeaderElector::Create(client, config).status().code(), Status::Code::kInvalidArgument);
  config.renew_deadline = 2s;
  EXPECT_EQ(LeaderElector::Create(client, config).status().code(), Status::Code::kInvalidArgument);
  config.identity = "";
  config.renew_deadline = 10s;
  EXPECT_EQ(LeaderElector::Create(client, config).status().code(), Status::Code::kInvalidArgument);
}

LeaderElectionConfig Fast(const std::string& identity) {
  LeaderElectionConfig config;
  config.lease_namespace = "ops";
  config.lease_name = "lease";
  config.identity = identity;
  config.lease_duration = 900ms;
  config.renew_deadline = 600ms;
  config.retry_period = 100ms;
  return config;
}

TEST(LeaderElectorRun, RenewFailureBeyondTheDeadlineStopsLeading) {
  FakeClient client;
  std::atomic<int> started{0}, stopped{0};
  LeaderElectionConfig config = Fast("a");
  config.on_started_leading = [&] { ++started; };
  config.on_stopped_leading = [&] { ++stopped; };
  auto elector = LeaderElector::Create(client, config).value();
  std::thread runner([&] { elector->Run(); });
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!elector->IsLeader() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(elector->IsLeader());
  // The API server becomes unreachable for longer than the renew deadline.
  auto cut = std::chrono::steady_clock::now();
  client.FailNext("GET", Status::Unavailable("connection refused"), 1000);
  runner.join();
  auto lasted = std::chrono::steady_clock::now() - cut;
  EXPECT_FALSE(elector->IsLeader());
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(stopped.load(), 1);
  EXPECT_GE(lasted, 500ms);
  EXPECT_LT(lasted, 2s);
}

TEST(LeaderElectorRun, StopReleasesAndTheOtherTakesOverAtOnce) {
  FakeClient client;
  auto a = LeaderElector::Create(client, Fast("a")).value();
  auto b = LeaderElector::Create(client, Fast("b")).value();
  std::thread run_a([&] { a->Run(); });
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!a->IsLeader() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(a->IsLeader());
  std::thread run_b([&] { b->Run(); });
  std::this_thread::sleep_for(1200ms);  // longer than a lease: a keeps renewing, b waits
  EXPECT_TRUE(a->IsLeader());
  EXPECT_FALSE(b->IsLeader());
  auto released = std::chrono::steady_clock::now();
  a->Stop();
  run_a.join();
  while (!b->IsLeader() && std::chrono::steady_clock::now() < released + 3s) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(b->IsLeader());
  EXPECT_LT(std::chrono::steady_clock::now() - released, 500ms);  // no lease-duration wait
  b->Stop();
  run_b.join();
}

}  // namespace
}  // namespace sluice::kube
