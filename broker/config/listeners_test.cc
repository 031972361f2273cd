#include "broker/config/listeners.h"

#include <gtest/gtest.h>

namespace sluice::config {
namespace {

Result<std::vector<Endpoint>> Parse(const std::string& value) {
  return ParseListeners("listeners", value, DefaultSecurityProtocolMap());
}

TEST(ListenersTest, EmptyHostMeansAllInterfaces) {
  auto r = Parse("PLAINTEXT://:9092");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], (Endpoint{"PLAINTEXT", SecurityProtocol::kPlaintext, "", 9092}));
}

TEST(ListenersTest, SeveralProtocolsAndHosts) {
  auto r = Parse("PLAINTEXT://0.0.0.0:9092, SSL://host.example:9093,SASL_SSL://:9094");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].host, "0.0.0.0");
  EXPECT_EQ((*r)[1].security_protocol, SecurityProtocol::kSsl);
  EXPECT_EQ((*r)[1].host, "host.example");
  EXPECT_EQ((*r)[2].security_protocol, SecurityProtocol::kSaslSsl);
}

TEST(ListenersTest, Ipv6InBrackets) {
  auto r = Parse("PLAINTEXT://[::1]:9092");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].host, "::1");
  EXPECT_EQ((*r)[0].ConnectionString(), "PLAINTEXT://[::1]:9092");
  EXPECT_FALSE(Parse("PLAINTEXT://::1:9092").ok());
  EXPECT_FALSE(Parse("PLAINTEXT://[::1:9092").ok());
}

TEST(ListenersTest, MalformedEntriesNameTheEntry) {
  EXPECT_EQ(Parse("localhost:9092").status().message(),
            "Invalid value 'localhost:9092' for configuration listeners: expected "
            "NAME://host:port, e.g. PLAINTEXT://:9092");
  EXPECT_EQ(Parse("PLAINTEXT://host").status().message(),
            "Invalid value 'PLAINTEXT://host' for configuration listeners: missing ':port'");
  EXPECT_EQ(Parse("PLAINTEXT://:http").status().message(),
            "Invalid value 'PLAINTEXT://:http' for configuration listeners: port must be a "
            "number from 0 to 65535");
  EXPECT_FALSE(Parse("PLAINTEXT://:65536").ok());
  EXPECT_FALSE(Parse("PLAINTEXT://:-1").ok());
  EXPECT_FALSE(Parse("").ok());
}

TEST(ListenersTest, RepeatedNameIsRejected) {
  EXPECT_FALSE(Parse("PLAINTEXT://:9092,plaintext://:9093").ok());
}

TEST(SecurityProtocolMapTest, ParsesAndNormalisesNames) {
  auto r = ParseSecurityProtocolMap("m", "internal:PLAINTEXT,EXTERNAL:sasl_ssl");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("INTERNAL"), SecurityProtocol::kPlaintext);
  EXPECT_EQ(r->at("EXTERNAL"), SecurityProtocol::kSaslSsl);
  EXPECT_FALSE(ParseSecurityProtocolMap("m", "A:PLAINTEXT,A:SSL").ok());
  EXPECT_FALSE(ParseSecurityProtocolMap("m", "APLAINTEXT").ok());
  EXPECT_FALSE(ParseSecurityProtocolMap("m", "").ok());
}

TEST(SecurityProtocolTest, IdsAreKafkas) {
  EXPECT_EQ(static_cast<int>(SecurityProtocol::kPlaintext), 0);
  EXPECT_EQ(static_cast<int>(SecurityProtocol::kSsl), 1);
  EXPECT_EQ(static_cast<int>(SecurityProtocol::kSaslPlaintext), 2);
  EXPECT_EQ(static_cast<int>(SecurityProtocol::kSaslSsl), 3);
  EXPECT_EQ(DefaultSecurityProtocolMap().size(), 4u);
}

TEST(HostPortTest, Forms) {
  EXPECT_EQ(*ParseHostPort("k", "0.0.0.0:9644"), (HostPort{"0.0.0.0", 9644}));
  EXPECT_EQ(*ParseHostPort("k", ":9644"), (HostPort{"", 9644}));
  EXPECT_EQ(*ParseHostPort("k", "[::]:9644"), (HostPort{"::", 9644}));
  EXPECT_FALSE(ParseHostPort("k", "9644").ok());
}

TEST(CanonicalHostNameTest, IsNotEmpty) { EXPECT_FALSE(LocalCanonicalHostName().empty()); }

}  // namespace
}  // namespace sluice::config
