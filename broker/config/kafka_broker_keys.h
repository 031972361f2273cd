// Kafka 2.8 broker settings that Sluice accepts but does not act on (SSL and SASL details,
// quotas, transactions, KRaft, metrics reporters, ...). A server.properties written for Kafka
// keeps working: these keys land in BrokerConfig::ignored_keys, not in its warnings.
#pragma once

#include <string>

namespace sluice::config {

// True for a Kafka 2.8 broker key that BrokerConfig does not model, including the per-listener
// prefix "listener.name.<name>.<key>".
bool IsIgnoredKafkaBrokerKey(const std::string& key);

}  // namespace sluice::config
