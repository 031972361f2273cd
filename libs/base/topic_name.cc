#include "libs/base/topic_name.h"

#include <string>

namespace sluice {

Status ValidateTopicName(std::string_view topic) {
  if (topic.empty()) return Status::InvalidArgument("topic name is empty");
  if (topic == "." || topic == "..") {
    return Status::InvalidArgument("topic name cannot be '.' or '..'");
  }
  if (topic.size() > kMaxTopicNameLength) {
    return Status::InvalidArgument("topic name is longer than 249 characters");
  }
  for (char c : topic) {
    const bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!legal) {
      return Status::InvalidArgument("topic name '" + std::string(topic) +
                                     "' is illegal: it contains a character other than ASCII "
                                     "alphanumerics, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

}  // namespace sluice
