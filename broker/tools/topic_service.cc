#include "broker/tools/topic_service.h"

namespace sluice::tools {

Status RunTopicAction(TopicService& service, const TopicCommandOptions& options,
                      std::ostream& out) {
  switch (options.action) {
    case TopicAction::kCreate:
      return service.Create(options, out);
    case TopicAction::kList:
      return service.List(options, out);
    case TopicAction::kDescribe:
      return service.Describe(options, out);
    case TopicAction::kAlter:
      return service.Alter(options, out);
    case TopicAction::kDelete:
      return service.Delete(options, out);
  }
  return Status::Internal("unknown topic action");
}

Status EnsureTopicsFound(const std::vector<std::string>& found,
                         const TopicCommandOptions& options) {
  if (options.topic && !options.if_exists && found.empty()) {
    return Status::NotFound("Topic '" + *options.topic + "' does not exist as expected");
  }
  return Status::Ok();
}

}  // namespace sluice::tools
