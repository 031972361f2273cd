// Kafka's topic name rule, in one place (org.apache.kafka.common.internals.Topic.validate):
// 1 to 249 characters of [a-zA-Z0-9._-], and not "." or "..". 249 leaves room in a 255-byte
// file name for the partition suffix and the "-delete"/"-future" markers of partition dirs.
#pragma once

#include <cstddef>
#include <string_view>

#include "libs/base/status.h"

namespace sluice {

inline constexpr size_t kMaxTopicNameLength = 249;

// OK, or InvalidArgument saying which rule the name breaks.
Status ValidateTopicName(std::string_view topic);

}  // namespace sluice
