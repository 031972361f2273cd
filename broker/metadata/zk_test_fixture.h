// ZkTest: a gtest fixture giving each test its own chroot on the binary's shared ZooKeeper
// server (tests/support), so tests never see each other's znodes.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "broker/metadata/zk_client.h"
#include "tests/support/wait.h"
#include "tests/support/zookeeper_server.h"

namespace sluice::metadata {

class ZkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = test::SharedZooKeeperServer();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *server;
    chroot_ = test::UniqueChroot(::testing::UnitTest::GetInstance()->current_test_info()->name());
    connect_string_ = server_->connect_string() + chroot_;
  }

  // A new session under this test's chroot; fails the test if it cannot connect.
  std::unique_ptr<ZkClient> Connect() {
    ZkClientOptions options;
    options.connect_string = connect_string_;
    options.session_timeout_ms = 6000;
    options.connection_timeout_ms = 10000;
    auto client = ZkClient::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  // Expires `client`'s session from the server side (as a long partition would) and waits until
  // the client runs on a new session. The two-handle trick can lose a race (the owner re-attaches
  // before the second handle closes, and the close is then refused as "session moved"), so it
  // is repeated until the owner sees the expiry.
  void Expire(ZkClient& client) {
    int64_t old_session = client.session_id();
    for (int attempt = 0; attempt < 5; ++attempt) {
      Status status =
          test::ExpireZooKeeperSession(connect_string_, old_session, client.session_password());
      ASSERT_TRUE(status.ok()) << status.ToString();
      if (test::WaitUntil([&] { return client.session_id() != old_session; },
                          std::chrono::seconds(8))) {
        return;
      }
    }
    FAIL() << "the session was not expired after 5 attempts";
  }

  test::ZooKeeperServer* server_ = nullptr;
  std::string chroot_;
  std::string connect_string_;
};

}  // namespace sluice::metadata
