// What `sluice leader-election` prints for an ElectLeaders answer, in Kafka 2.8's
// LeaderElectionCommand words:
//   Successfully completed leader election (PREFERRED) for partitions t-0, t-1
//   Valid replica already elected for partitions t-2                 (ELECTION_NOT_NEEDED)
//   Error completing leader election (PREFERRED) for partition: t-3: <exception>
// where <exception> is what Java's Throwable.toString gives for the error's exception
// ("org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: <message>").
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "broker/tools/leader_election_options.h"

namespace sluice::tools {

struct ElectionResult {
  std::string topic;
  int32_t partition = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
};

// "org.apache.kafka.common.errors.<Name>Exception: <message>" for a Kafka error code; the message
// is the broker's when it sent one, else the error's default text.
std::string KafkaExceptionText(int16_t code, const std::optional<std::string>& message);

// Prints the lines for `results` (sorted by topic, then partition) to `out` and returns how many
// partitions failed (neither elected nor ELECTION_NOT_NEEDED).
int PrintElectionResults(ElectionType type, std::vector<ElectionResult> results, std::ostream& out);

}  // namespace sluice::tools
