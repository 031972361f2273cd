// What Kafka's tools print for an error a broker returned: the broker's error message when it
// sent one, else the default message of the error's exception class (Kafka's Errors enum, e.g.
// TOPIC_DELETION_DISABLED -> "Topic deletion is disabled."). Tools print these after their
// prefix ("Error while executing topic command : ...").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "libs/base/status.h"

namespace sluice::tools {

std::string KafkaErrorText(int16_t code, const std::optional<std::string>& server_message = {});

// OK for code 0, else a Status with KafkaErrorText as its message; the category follows the
// client library's mapping (NotFound for unknown topics/groups, AlreadyExists, ...).
Status KafkaErrorToStatus(int16_t code, const std::optional<std::string>& server_message = {});

}  // namespace sluice::tools
