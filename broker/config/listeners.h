// Listener endpoints: `listeners`, `advertised.listeners` and `listener.security.protocol.map`.
//
// A listener is "NAME://host:port". NAME is a security protocol (PLAINTEXT, SSL,
// SASL_PLAINTEXT, SASL_SSL) or any name mapped to one in listener.security.protocol.map
// ("CLIENT:SSL,REPLICATION:PLAINTEXT"). Names are case-insensitive and kept upper-cased, as
// Kafka normalises them. The host may be empty (bind all interfaces; advertise this machine's
// canonical host name), a name, an IPv4 address, or an IPv6 address in brackets ("[::1]").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/base/status.h"

namespace sluice::config {

// Values are Kafka's SecurityProtocol ids, sent on the wire in UpdateMetadata v0 and
// registered in /brokers/ids/<id>.
enum class SecurityProtocol : int16_t {
  kPlaintext = 0,
  kSsl = 1,
  kSaslPlaintext = 2,
  kSaslSsl = 3,
};

// "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL".
const char* SecurityProtocolName(SecurityProtocol p);
std::optional<SecurityProtocol> SecurityProtocolFromName(const std::string& name);

using SecurityProtocolMap = std::map<std::string, SecurityProtocol>;  // listener name -> protocol

// Kafka's default map: each protocol name maps to itself.
SecurityProtocolMap DefaultSecurityProtocolMap();

struct Endpoint {
  std::string listener_name;  // upper-cased
  SecurityProtocol security_protocol = SecurityProtocol::kPlaintext;
  std::string host;  // empty = all interfaces; IPv6 without brackets
  int32_t port = 0;  // 0 = pick an ephemeral port (tests)

  // "NAME://host:port", brackets around IPv6 hosts; what ZooKeeper's endpoints list holds.
  std::string ConnectionString() const;
  bool operator==(const Endpoint&) const = default;
};

// Parses "A:B,C:D" (`key` names the setting in errors). Protocol names must be known.
Result<SecurityProtocolMap> ParseSecurityProtocolMap(const std::string& key,
                                                     const std::string& value);

// Parses a comma-separated listener list. Every name must be in `protocols`. Errors name `key`
// and the offending entry.
Result<std::vector<Endpoint>> ParseListeners(const std::string& key, const std::string& value,
                                             const SecurityProtocolMap& protocols);

// A "host:port" pair such as sluice.admin.listener ("0.0.0.0:9644", ":9644", "[::1]:9644").
struct HostPort {
  std::string host;  // empty = all interfaces
  int32_t port = 0;
  bool operator==(const HostPort&) const = default;
};
Result<HostPort> ParseHostPort(const std::string& key, const std::string& value);

// This machine's canonical host name (getaddrinfo AI_CANONNAME of gethostname()), which Kafka
// advertises for listeners with an empty host; falls back to the plain host name.
std::string LocalCanonicalHostName();

}  // namespace sluice::config
