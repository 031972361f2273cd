// ZkClient against a real ZooKeeper server.
#include "broker/metadata/zk_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "broker/metadata/zk_test_fixture.h"

namespace sluice::metadata {
namespace {

using Code = Status::Code;
using test::WaitUntil;

class ZkClientTest : public ZkTest {};

TEST_F(ZkClientTest, CreateGetSetDeleteWithVersions) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  auto created = zk->Create("/a", "one", CreateMode::kPersistent);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(*created, "/a");

  auto node = zk->Get("/a");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->data, "one");
  EXPECT_EQ(node->stat.version, 0);
  EXPECT_EQ(node->stat.ephemeral_owner, 0);
  EXPECT_GT(node->stat.czxid, 0);

  auto stat = zk->Set("/a", "two", 0);
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->version, 1);
  EXPECT_EQ(zk->Get("/a")->data, "two");

  auto stale = zk->Set("/a", "three", 0);
  EXPECT_EQ(stale.status().code(), Code::kConflict) << stale.status().ToString();
  EXPECT_EQ(zk->Delete("/a", 0).code(), Code::kConflict);
  EXPECT_TRUE(zk->Delete("/a", 1).ok());
  EXPECT_EQ(zk->Get("/a").status().code(), Code::kNotFound);
}

TEST_F(ZkClientTest, ErrorsMapToStatusCodes) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->Create("/x", "", CreateMode::kPersistent).ok());
  EXPECT_EQ(zk->Create("/x", "", CreateMode::kPersistent).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(zk->Create("/missing/child", "", CreateMode::kPersistent).status().code(),
            Code::kNotFound);
  EXPECT_EQ(zk->Get("/nope").status().code(), Code::kNotFound);
  EXPECT_EQ(zk->Set("/nope", "", kAnyVersion).status().code(), Code::kNotFound);
  EXPECT_EQ(zk->Delete("/nope").code(), Code::kNotFound);
  ASSERT_TRUE(zk->Create("/x/y", "", CreateMode::kPersistent).ok());
  EXPECT_EQ(zk->Delete("/x").code(), Code::kConflict);  // not empty
  EXPECT_NE(zk->Get("/nope").status().message().find("/nope"), std::string::npos);
}

TEST_F(ZkClientTest, LargeDataIsReadWhole) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  std::string big(200 * 1024, 'z');
  big.back() = '!';
  ASSERT_TRUE(zk->Create("/big", big, CreateMode::kPersistent).ok());
  EXPECT_EQ(zk->Get("/big")->data, big);
}

TEST_F(ZkClientTest, SequentialNodesGetIncreasingSuffixes) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->CreatePersistentRecursive("/seq").ok());
  auto first = zk->Create("/seq/item_", "", CreateMode::kPersistentSequential);
  auto second = zk->Create("/seq/item_", "", CreateMode::kPersistentSequential);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, "/seq/item_0000000000");
  EXPECT_EQ(*second, "/seq/item_0000000001");
}

TEST_F(ZkClientTest, RecursiveCreateAndDelete) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->CreatePersistentRecursive("/r/s/t", "leaf").ok());
  ASSERT_TRUE(zk->CreatePersistentRecursive("/r/s/t", "again").ok());  // idempotent
  EXPECT_EQ(zk->Get("/r/s/t")->data, "leaf");
  ASSERT_TRUE(zk->Create("/r/s/u", "", CreateMode::kPersistent).ok());
  auto children = zk->GetChildren("/r/s");
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, (std::vector<std::string>{"t", "u"}));
  ASSERT_TRUE(zk->DeleteRecursive("/r").ok());
  EXPECT_FALSE(zk->Exists("/r")->has_value());
  EXPECT_TRUE(zk->DeleteRecursive("/r").ok());  // absent is fine
}

TEST_F(ZkClientTest, EphemeralNodeDisappearsWhenTheSessionCloses) {
  auto owner = Connect();
  auto observer = Connect();
  ASSERT_TRUE(owner && observer);
  ASSERT_TRUE(owner->Create("/eph", "x", CreateMode::kEphemeral).ok());
  auto stat = observer->Exists("/eph");
  ASSERT_TRUE(stat.ok() && stat->has_value());
  EXPECT_EQ((*stat)->ephemeral_owner, owner->session_id());
  owner.reset();  // closes the session
  EXPECT_FALSE(observer->Exists("/eph")->has_value());
}

TEST_F(ZkClientTest, ChildrenWatchFiresOnceAndCanBeReArmedFromTheCallback) {
  auto zk = Connect();
  auto writer = Connect();
  ASSERT_TRUE(zk && writer);
  ASSERT_TRUE(zk->CreatePersistentRecursive("/w").ok());

  std::mutex mu;
  std::vector<std::vector<std::string>> seen;
  std::function<void()> arm = [&] {
    auto children = zk->GetChildren("/w", [&](const WatchEvent& event) {
      EXPECT_EQ(event.type, WatchEvent::Type::kChildrenChanged);
      EXPECT_EQ(event.path, "/w");
      arm();  // a synchronous call from the callback: re-read and re-arm
    });
    ASSERT_TRUE(children.ok());
    std::lock_guard lock(mu);
    seen.push_back(*children);
  };
  arm();
  ASSERT_TRUE(writer->Create("/w/a", "", CreateMode::kPersistent).ok());
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return seen.size() >= 2;
  }));
  ASSERT_TRUE(writer->Create("/w/b", "", CreateMode::kPersistent).ok());
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return seen.size() >= 3;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(seen[0], std::vector<std::string>{});
  EXPECT_EQ(seen[1], std::vector<std::string>{"a"});
  EXPECT_EQ(seen[2], (std::vector<std::string>{"a", "b"}));
}

TEST_F(ZkClientTest, ExistsWatchFiresOnCreationAndDataWatchOnChange) {
  auto zk = Connect();
  auto writer = Connect();
  ASSERT_TRUE(zk && writer);
  std::atomic<int> created{0};
  std::atomic<int> changed{0};
  auto absent = zk->Exists("/later", [&](const WatchEvent& event) {
    if (event.type == WatchEvent::Type::kCreated) ++created;
  });
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  ASSERT_TRUE(writer->Create("/later", "1", CreateMode::kPersistent).ok());
  ASSERT_TRUE(WaitUntil([&] { return created == 1; }));

  ASSERT_TRUE(zk->Get("/later", [&](const WatchEvent& event) {
                  if (event.type == WatchEvent::Type::kDataChanged) ++changed;
                }).ok());
  ASSERT_TRUE(writer->Set("/later", "2", kAnyVersion).ok());
  ASSERT_TRUE(writer->Set("/later", "3", kAnyVersion).ok());  // the watch is spent: no 2nd event
  ASSERT_TRUE(WaitUntil([&] { return changed >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(created, 1);
}

TEST_F(ZkClientTest, FailedGetLeavesNoWatch) {
  auto zk = Connect();
  auto writer = Connect();
  ASSERT_TRUE(zk && writer);
  std::atomic<int> fired{0};
  EXPECT_EQ(zk->Get("/ghost", [&](const WatchEvent&) { ++fired; }).status().code(),
            Code::kNotFound);
  ASSERT_TRUE(writer->Create("/ghost", "", CreateMode::kPersistent).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(fired, 0);
}

TEST_F(ZkClientTest, MultiIsAllOrNothing) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->Create("/m", "v0", CreateMode::kPersistent).ok());
  Status failed = zk->Multi({ZkOp::Create("/m1", "x"), ZkOp::SetData("/m", "v1", 7)});
  EXPECT_EQ(failed.code(), Code::kConflict) << failed.ToString();
  EXPECT_NE(failed.message().find("/m"), std::string::npos);
  EXPECT_FALSE(zk->Exists("/m1")->has_value());  // rolled back

  ASSERT_TRUE(zk->Multi({ZkOp::CheckVersion("/m", 0), ZkOp::Create("/m1", "x"),
                         ZkOp::SetData("/m", "v1", 0), ZkOp::Delete("/m1")})
                  .ok());
  EXPECT_EQ(zk->Get("/m")->data, "v1");
  EXPECT_FALSE(zk->Exists("/m1")->has_value());
}

TEST_F(ZkClientTest, ChrootIsCreatedAndIsolatesPaths) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->Create("/inside", "", CreateMode::kPersistent).ok());

  ZkClientOptions root_options;
  root_options.connect_string = server_->connect_string();
  auto root = ZkClient::Connect(root_options);
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE((*root)->Exists(chroot_ + "/inside")->has_value());
  EXPECT_FALSE((*root)->Exists("/inside")->has_value());

  // A nested chroot is created with its parents.
  ZkClientOptions nested = root_options;
  nested.connect_string = server_->connect_string() + chroot_ + "/deeper/kafka";
  auto deep = ZkClient::Connect(nested);
  ASSERT_TRUE(deep.ok()) << deep.status().ToString();
  ASSERT_TRUE((*deep)->Create("/brokers", "", CreateMode::kPersistent).ok());
  EXPECT_TRUE((*root)->Exists(chroot_ + "/deeper/kafka/brokers")->has_value());
}

TEST_F(ZkClientTest, ConnectFailsWithUnavailableNamingTheConnectString) {
  ZkClientOptions options;
  options.connect_string = "127.0.0.1:1";  // nothing listens on port 1
  options.connection_timeout_ms = 1000;
  auto client = ZkClient::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), Code::kUnavailable);
  EXPECT_NE(client.status().message().find("127.0.0.1:1"), std::string::npos)
      << client.status().ToString();
}

TEST_F(ZkClientTest, SessionExpiryNotifiesAndOpensANewSession) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  std::mutex mu;
  std::vector<SessionEvent> events;
  zk->AddSessionListener([&](SessionEvent event) {
    std::lock_guard lock(mu);
    events.push_back(event);
  });
  ASSERT_TRUE(zk->Create("/mine", "", CreateMode::kEphemeral).ok());
  int64_t old_session = zk->session_id();
  std::atomic<int> stale_watch_fired{0};
  ASSERT_TRUE(zk->Exists("/later", [&](const WatchEvent&) { ++stale_watch_fired; }).ok());

  Expire(*zk);
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return events.size() == 2;
  }));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(events[0], SessionEvent::kExpired);
    EXPECT_EQ(events[1], SessionEvent::kNewSession);
  }
  EXPECT_NE(zk->session_id(), old_session);
  EXPECT_FALSE(zk->Exists("/mine")->has_value());  // the old session's ephemeral is gone
  ASSERT_TRUE(zk->Create("/mine", "", CreateMode::kEphemeral).ok());  // the owner re-creates it
  ASSERT_TRUE(zk->Create("/later", "", CreateMode::kPersistent).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(stale_watch_fired, 0);  // watches of the dead session never fire
}

TEST_F(ZkClientTest, CallsFailWithUnavailableWhileTheServerIsDownAndRecoverAfter) {
  // Uses a private server: stopping the shared one would disturb other tests.
  auto server = test::ZooKeeperServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ZkClientOptions options;
  options.connect_string = (*server)->connect_string();
  options.session_timeout_ms = 10000;
  auto zk = ZkClient::Connect(options);
  ASSERT_TRUE(zk.ok());
  ASSERT_TRUE((*zk)->Create("/p", "", CreateMode::kPersistent).ok());

  ASSERT_TRUE((*server)->Stop().ok());
  auto down = (*zk)->Get("/p");
  EXPECT_EQ(down.status().code(), Code::kUnavailable) << down.status().ToString();

  ASSERT_TRUE((*server)->Restart().ok()) << (*server)->LogTail();
  EXPECT_TRUE(WaitUntil([&] { return (*zk)->Get("/p").ok(); }));
}

}  // namespace
}  // namespace sluice::metadata
