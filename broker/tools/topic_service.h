// The five actions of `sluice topics`, behind one interface with two implementations, as in
// Kafka 2.8's TopicCommand:
//   ZookeeperTopicService (--zookeeper)       reads and writes Kafka's znodes directly, like
//                                             Kafka 2.1's tool; deletion only writes the request
//                                             /admin/delete_topics/<t> for the controller broker.
//   AdminClientTopicService (--bootstrap-server)  CreateTopics, DeleteTopics, CreatePartitions,
//                                             Metadata and DescribeConfigs through a broker.
// Results go to `out` in Kafka's wording; a failure is a Status whose message is what Kafka
// prints after "Error while executing topic command : ".
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "broker/tools/topic_command_options.h"
#include "libs/base/status.h"

namespace sluice::tools {

class TopicService {
 public:
  virtual ~TopicService() = default;
  virtual Status Create(const TopicCommandOptions& options, std::ostream& out) = 0;
  virtual Status List(const TopicCommandOptions& options, std::ostream& out) = 0;
  virtual Status Describe(const TopicCommandOptions& options, std::ostream& out) = 0;
  virtual Status Alter(const TopicCommandOptions& options, std::ostream& out) = 0;
  virtual Status Delete(const TopicCommandOptions& options, std::ostream& out) = 0;
};

// Connects to ZooKeeper (Unavailable naming the connect string when it cannot).
Result<std::unique_ptr<TopicService>> ConnectZookeeperTopicService(const std::string& connect);
// Connects to the cluster through the bootstrap list.
Result<std::unique_ptr<TopicService>> ConnectAdminTopicService(const std::string& bootstrap);

// Dispatches options.action.
Status RunTopicAction(TopicService& service, const TopicCommandOptions& options,
                      std::ostream& out);

// Kafka's ensureTopicExists: when --topic named something, nothing matched, and --if-exists was
// not given: NotFound "Topic '<t>' does not exist as expected".
Status EnsureTopicsFound(const std::vector<std::string>& found, const TopicCommandOptions& options);

// The warnings Kafka prints before altering (same text in both modes).
inline constexpr const char* kAlterConfigWarning =
    "WARNING: Altering topic configuration from this script has been deprecated and may be "
    "removed in future releases.\n"
    "         Going forward, please use kafka-configs.sh for this functionality";
inline constexpr const char* kAddPartitionsWarning =
    "WARNING: If partitions are increased for a topic that has a key, the partition logic or "
    "ordering of the messages will be affected";

}  // namespace sluice::tools
