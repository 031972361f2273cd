#include "broker/tools/leader_election_report.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "broker/tools/kafka_error_text.h"
#include "libs/kafka/client/errors.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::tools {

namespace {

using kafka::ErrorCode;

// Kafka's Errors enum names most exception classes after the error (NOT_CONTROLLER ->
// NotControllerException); these are the ones the tool can meet that do not follow the rule.
std::string ExceptionClass(int16_t code) {
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::kRequestTimedOut:
      return "TimeoutException";
    case ErrorCode::kUnknownServerError:
      return "UnknownServerException";
    case ErrorCode::kClusterAuthorizationFailed:
      return "ClusterAuthorizationException";
    case ErrorCode::kTopicAuthorizationFailed:
      return "TopicAuthorizationException";
    case ErrorCode::kInvalidTopicException:
      return "InvalidTopicException";
    default:
      break;
  }
  const std::string_view name = kafka::client::KafkaErrorName(code);
  if (name == "UNKNOWN_ERROR_CODE") return "UnknownServerException";
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = false;
  }
  return out + "Exception";
}

std::string JoinPartitions(const std::vector<const ElectionResult*>& results) {
  std::string out;
  for (const ElectionResult* r : results) {
    if (!out.empty()) out += ", ";
    out += r->topic + "-" + std::to_string(r->partition);
  }
  return out;
}

}  // namespace

std::string KafkaExceptionText(int16_t code, const std::optional<std::string>& message) {
  return "org.apache.kafka.common.errors." + ExceptionClass(code) + ": " +
         KafkaErrorText(code, message);
}

int PrintElectionResults(ElectionType type, std::vector<ElectionResult> results,
                         std::ostream& out) {
  std::sort(results.begin(), results.end(), [](const ElectionResult& a, const ElectionResult& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  std::vector<const ElectionResult*> succeeded;
  std::vector<const ElectionResult*> not_needed;
  std::vector<const ElectionResult*> failed;
  for (const ElectionResult& r : results) {
    if (r.error_code == 0) {
      succeeded.push_back(&r);
    } else if (r.error_code == static_cast<int16_t>(ErrorCode::kElectionNotNeeded)) {
      not_needed.push_back(&r);
    } else {
      failed.push_back(&r);
    }
  }
  const std::string_view name = ElectionTypeName(type);
  if (!succeeded.empty()) {
    out << "Successfully completed leader election (" << name << ") for partitions "
        << JoinPartitions(succeeded) << "\n";
  }
  if (!not_needed.empty()) {
    out << "Valid replica already elected for partitions " << JoinPartitions(not_needed) << "\n";
  }
  for (const ElectionResult* r : failed) {
    out << "Error completing leader election (" << name << ") for partition: " << r->topic << "-"
        << r->partition << ": " << KafkaExceptionText(r->error_code, r->error_message) << "\n";
  }
  return static_cast<int>(failed.size());
}

}  // namespace sluice::tools
