// What `sluice consumer-groups` asks of a cluster, over the client library (the calls Kafka's
// AdminClient makes for ConsumerGroupCommand): ListGroups on every broker, DescribeGroups /
// OffsetFetch / OffsetCommit / DeleteGroups at the group's coordinator, ListOffsets at the
// partitions' leaders.
//
// Thread safety: one thread (a tool's main).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/tools/consumer_group_report.h"
#include "libs/base/status.h"
#include "libs/kafka/client/client.h"

namespace sluice::tools {

struct ListedGroup {
  std::string group_id;
  std::string state;  // empty when the broker's ListGroups is older than v4
};

class ConsumerGroupClient {
 public:
  // Connects through the bootstrap list; `timeout` bounds each request (--timeout).
  static Result<std::unique_ptr<ConsumerGroupClient>> Connect(const std::string& bootstrap,
                                                              std::chrono::milliseconds timeout);

  // Consumer groups (protocol type "consumer" or none) known to any broker, sorted by id.
  Result<std::vector<ListedGroup>> ListGroups();
  // DescribeGroups at the coordinator; an unknown group is reported as state "Dead" with no
  // members, as Kafka's coordinator answers.
  Result<GroupInfo> DescribeGroup(const std::string& group);
  // Every partition the group has a committed offset for.
  Result<std::map<TopicPartition, int64_t>> CommittedOffsets(const std::string& group);
  // Log start (earliest) or log end (latest) offsets.
  Result<std::map<TopicPartition, int64_t>> Offsets(const std::vector<TopicPartition>& partitions,
                                                    bool latest);
  // Every partition of `topic`; NotFound when it does not exist.
  Result<std::vector<TopicPartition>> PartitionsOf(const std::string& topic);
  // OffsetCommit outside any generation (what admin tools send); refused while the group has
  // active members.
  Status Commit(const std::string& group, const std::map<TopicPartition, int64_t>& offsets);
  // DeleteGroups at each group's coordinator: group -> Kafka error code (0 on success).
  Result<std::map<std::string, int16_t>> DeleteGroups(const std::vector<std::string>& groups);

 private:
  explicit ConsumerGroupClient(std::unique_ptr<kafka::client::Client> client)
      : client_(std::move(client)) {}

  std::unique_ptr<kafka::client::Client> client_;
};

}  // namespace sluice::tools
