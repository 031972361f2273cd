#include "broker/config/listeners.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "broker/config/config_values.h"

namespace sluice::config {

namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// Splits "host:port" / "[v6]:port" at the last colon. `why` explains a malformed entry.
struct SplitHostPort {
  std::string host;
  std::string port;
};
std::optional<SplitHostPort> SplitAtPort(const std::string& text, std::string* why) {
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      *why = "expected [ipv6-address]:port";
      return std::nullopt;
    }
    return SplitHostPort{text.substr(1, close - 1), text.substr(close + 2)};
  }
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    *why = "missing ':port'";
    return std::nullopt;
  }
  std::string host = text.substr(0, colon);
  if (host.find(':') != std::string::npos) {
    *why = "IPv6 addresses must be written in brackets, e.g. [::1]:9092";
    return std::nullopt;
  }
  return SplitHostPort{host, text.substr(colon + 1)};
}

Result<int32_t> ParsePort(const std::string& key, const std::string& entry,
                          const std::string& port) {
  bool digits = !port.empty() && std::all_of(port.begin(), port.end(),
                                             [](unsigned char c) { return std::isdigit(c); });
  if (!digits || port.size() > 5 || std::stoi(port) > 65535) {
    return InvalidValue(key, entry, "port must be a number from 0 to 65535");
  }
  return std::stoi(port);
}

}  // namespace

const char* SecurityProtocolName(SecurityProtocol p) {
  switch (p) {
    case SecurityProtocol::kPlaintext:
      return "PLAINTEXT";
    case SecurityProtocol::kSsl:
      return "SSL";
    case SecurityProtocol::kSaslPlaintext:
      return "SASL_PLAINTEXT";
    case SecurityProtocol::kSaslSsl:
      return "SASL_SSL";
  }
  return "PLAINTEXT";
}

std::optional<SecurityProtocol> SecurityProtocolFromName(const std::string& name) {
  for (auto p : {SecurityProtocol::kPlaintext, SecurityProtocol::kSsl,
                 SecurityProtocol::kSaslPlaintext, SecurityProtocol::kSaslSsl}) {
    if (Upper(name) == SecurityProtocolName(p)) return p;
  }
  return std::nullopt;
}

SecurityProtocolMap DefaultSecurityProtocolMap() {
  SecurityProtocolMap map;
  for (auto p : {SecurityProtocol::kPlaintext, SecurityProtocol::kSsl,
                 SecurityProtocol::kSaslPlaintext, SecurityProtocol::kSaslSsl}) {
    map[SecurityProtocolName(p)] = p;
  }
  return map;
}

std::string Endpoint::ConnectionString() const {
  bool v6 = host.find(':') != std::string::npos;
  return listener_name + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<SecurityProtocolMap> ParseSecurityProtocolMap(const std::string& key,
                                                     const std::string& value) {
  SecurityProtocolMap map;
  for (const std::string& entry : SplitList(value)) {
    size_t colon = entry.find(':');
    if (colon == std::string::npos) {
      return InvalidValue(key, value, "entry '" + entry + "' is not LISTENER_NAME:PROTOCOL");
    }
    std::string name = Upper(Trim(entry.substr(0, colon)));
    std::string protocol = Trim(entry.substr(colon + 1));
    auto parsed = SecurityProtocolFromName(protocol);
    if (name.empty() || !parsed) {
      return InvalidValue(key, value,
                          "unknown security protocol '" + protocol +
                              "' (expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)");
    }
    if (!map.emplace(name, *parsed).second) {
      return InvalidValue(key, value, "listener name " + name + " appears twice");
    }
  }
  if (map.empty()) return InvalidValue(key, value, "the map is empty");
  return map;
}

Result<std::vector<Endpoint>> ParseListeners(const std::string& key, const std::string& value,
                                             const SecurityProtocolMap& protocols) {
  std::vector<Endpoint> endpoints;
  for (const std::string& entry : SplitList(value)) {
    size_t sep = entry.find("://");
    if (sep == std::string::npos || sep == 0) {
      return InvalidValue(key, entry, "expected NAME://host:port, e.g. PLAINTEXT://:9092");
    }
    Endpoint ep;
    ep.listener_name = Upper(entry.substr(0, sep));
    std::string why;
    auto split = SplitAtPort(entry.substr(sep + 3), &why);
    if (!split) return InvalidValue(key, entry, why);
    ep.host = split->host;
    Result<int32_t> port = ParsePort(key, entry, split->port);
    if (!port.ok()) return port.status();
    ep.port = *port;
    auto protocol = protocols.find(ep.listener_name);
    if (protocol == protocols.end()) {
      return InvalidValue(key, entry,
                          "no security protocol is defined for listener " + ep.listener_name +
                              " (add it to listener.security.protocol.map)");
    }
    ep.security_protocol = protocol->second;
    for (const Endpoint& other : endpoints) {
      if (other.listener_name == ep.listener_name) {
        return InvalidValue(key, value, "listener name " + ep.listener_name + " appears twice");
      }
    }
    endpoints.push_back(std::move(ep));
  }
  if (endpoints.empty()) return InvalidValue(key, value, "no listener given");
  return endpoints;
}

Result<HostPort> ParseHostPort(const std::string& key, const std::string& value) {
  std::string text = Trim(value);
  std::string why;
  auto split = SplitAtPort(text, &why);
  if (!split) return InvalidValue(key, value, why + " (expected host:port)");
  Result<int32_t> port = ParsePort(key, value, split->port);
  if (!port.ok()) return port.status();
  return HostPort{split->host, *port};
}

std::string LocalCanonicalHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* info = nullptr;
  std::string canonical = name;
  if (::getaddrinfo(name, nullptr, &hints, &info) == 0 && info != nullptr) {
    if (info->ai_canonname != nullptr && *info->ai_canonname != '\0') {
      canonical = info->ai_canonname;
    }
    ::freeaddrinfo(info);
  }
  return canonical;
}

}  // namespace sluice::config
