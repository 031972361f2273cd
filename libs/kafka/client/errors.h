// Kafka error codes as the client reports them. The client is a protocol edge: responses carry
// Kafka codes, and everything above the client (tools, operator, replication) sees a Status
// whose message names the code ("NOT_LEADER_OR_FOLLOWER (6)") and where it came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libs/base/status.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::kafka::client {

// Kafka's name for an error code ("UNKNOWN_TOPIC_OR_PARTITION"); "UNKNOWN_ERROR_CODE" for a code
// this build does not know.
std::string_view KafkaErrorName(int16_t code);

// "NAME (code)".
std::string DescribeKafkaError(int16_t code);

// OK for 0; otherwise a Status whose category follows the error's nature (Unavailable for
// retriable ones, NotFound for unknown topics/groups, AlreadyExists, InvalidArgument, ...) and
// whose message is "<context>: NAME (code)[: server message]".
Status KafkaErrorStatus(int16_t code, std::string_view context,
                        std::string_view server_message = {});

// Kafka's RetriableException family: worth retrying the same request after a backoff.
bool IsRetriableKafkaError(int16_t code);

// Errors after which the client's metadata is stale: the leader moved or is unknown.
bool InvalidatesMetadata(int16_t code);

// Errors that mean "ask FindCoordinator again" (coordinator moved or is loading).
bool IsCoordinatorError(int16_t code);

}  // namespace sluice::kafka::client
