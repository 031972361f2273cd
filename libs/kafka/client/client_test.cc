#include "libs/kafka/client/client.h"

#include <gtest/gtest.h>

namespace sluice::kafka::client {
namespace {

TEST(ParseBootstrapServers, OneOrMoreHostPorts) {
  auto one = ParseBootstrapServers("localhost:9092");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, (std::vector<HostPort>{{"localhost", 9092}}));
  auto many = ParseBootstrapServers("a:1, b:2 ,c:65535");
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(*many, (std::vector<HostPort>{{"a", 1}, {"b", 2}, {"c", 65535}}));
}

TEST(ParseBootstrapServers, BracketedIpv6) {
  auto v6 = ParseBootstrapServers("[::1]:9092");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(*v6, (std::vector<HostPort>{{"::1", 9092}}));
}

TEST(ParseBootstrapServers, EmptyEntriesAreSkippedButAnEmptyListFails) {
  auto skipped = ParseBootstrapServers("a:1,,");
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->size(), 1u);
  EXPECT_FALSE(ParseBootstrapServers("").ok());
  EXPECT_FALSE(ParseBootstrapServers(" , ").ok());
}

TEST(ParseBootstrapServers, BadEntriesAreNamed) {
  for (const char* bad : {"localhost", "localhost:", ":9092", "h:0", "h:65536", "h:12x",
                          "h:-1"}) {
    auto r = ParseBootstrapServers(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
}

TEST(Client, CreateFailsNamingEveryUnreachableBootstrapBroker) {
  ClientOptions options;
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  options.bootstrap_servers = "127.0.0.1:1,localhost:1";
  options.connection.connect_timeout = std::chrono::milliseconds(2000);
  auto client = Client::Create(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(client.status().message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_NE(client.status().message().find("localhost:1"), std::string::npos);
}

}  // namespace
}  // namespace sluice::kafka::client
