#include "broker/tools/kafka_error_text.h"

#include "libs/kafka/client/errors.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::tools {

namespace {

using kafka::ErrorCode;

// The default messages of the exceptions the tools can meet (Kafka's Errors enum).
const char* DefaultMessage(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnknownTopicOrPartition:
      return "This server does not host this topic-partition.";
    case ErrorCode::kLeaderNotAvailable:
      return "There is no leader for this topic-partition as we are in the middle of a "
             "leadership election.";
    case ErrorCode::kRequestTimedOut:
      return "The request timed out.";
    case ErrorCode::kCoordinatorLoadInProgress:
      return "The coordinator is loading and hence can't process requests.";
    case ErrorCode::kCoordinatorNotAvailable:
      return "The coordinator is not available.";
    case ErrorCode::kNotCoordinator:
      return "This is not the correct coordinator.";
    case ErrorCode::kInvalidTopicException:
      return "The request attempted to perform an operation on an invalid topic.";
    case ErrorCode::kInvalidGroupId:
      return "The configured groupId is invalid.";
    case ErrorCode::kUnknownMemberId:
      return "The coordinator is not aware of this member.";
    case ErrorCode::kRebalanceInProgress:
      return "The group is rebalancing, so a rejoin is needed.";
    case ErrorCode::kTopicAuthorizationFailed:
      return "Topic authorization failed.";
    case ErrorCode::kGroupAuthorizationFailed:
      return "Group authorization failed.";
    case ErrorCode::kClusterAuthorizationFailed:
      return "Cluster authorization failed.";
    case ErrorCode::kTopicAlreadyExists:
      return "Topic with this name already exists.";
    case ErrorCode::kInvalidPartitions:
      return "Number of partitions is below 1.";
    case ErrorCode::kInvalidReplicationFactor:
      return "Replication factor is below 1 or larger than the number of available brokers.";
    case ErrorCode::kInvalidReplicaAssignment:
      return "Replica assignment is invalid.";
    case ErrorCode::kInvalidConfig:
      return "Configuration is invalid.";
    case ErrorCode::kNotController:
      return "This is not the correct controller for this cluster.";
    case ErrorCode::kPolicyViolation:
      return "Request parameters do not satisfy the configured policy.";
    case ErrorCode::kNonEmptyGroup:
      return "The group is not empty.";
    case ErrorCode::kGroupIdNotFound:
      return "The group id does not exist.";
    case ErrorCode::kTopicDeletionDisabled:
      return "Topic deletion is disabled.";
    default:
      return nullptr;
  }
}

}  // namespace

std::string KafkaErrorText(int16_t code, const std::optional<std::string>& server_message) {
  if (server_message && !server_message->empty()) return *server_message;
  if (const char* message = DefaultMessage(static_cast<ErrorCode>(code))) return message;
  return kafka::client::DescribeKafkaError(code);
}

Status KafkaErrorToStatus(int16_t code, const std::optional<std::string>& server_message) {
  if (code == 0) return Status::Ok();
  const Status::Code category = kafka::client::KafkaErrorStatus(code, "").code();
  std::string text = KafkaErrorText(code, server_message);
  switch (category) {
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(text));
    case Status::Code::kAlreadyExists:
      return Status::AlreadyExists(std::move(text));
    case Status::Code::kConflict:
      return Status::Conflict(std::move(text));
    case Status::Code::kUnavailable:
      return Status::Unavailable(std::move(text));
    case Status::Code::kTimeout:
      return Status::Timeout(std::move(text));
    default:
      return Status::InvalidArgument(std::move(text));
  }
}

}  // namespace sluice::tools
