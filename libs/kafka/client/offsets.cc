#include "libs/kafka/client/offsets.h"

#include "libs/kafka/client/errors.h"
#include "libs/kafka/messages/list_offsets.h"
#include "libs/kafka/messages/offset_commit.h"
#include "libs/kafka/messages/offset_fetch.h"

namespace sluice::kafka::client {

Result<std::map<TopicPartition, Offset>> ListOffsets(Client& client,
                                                     const std::vector<TopicPartition>& partitions,
                                                     OffsetSpec spec, IsolationLevel isolation) {
  std::map<TopicPartition, Offset> result;
  std::vector<TopicPartition> todo = partitions;
  Status last;
  for (int attempt = 0; !todo.empty(); ++attempt) {
    if (attempt > client.options().retries) return last;
    if (attempt > 0) client.Backoff();
    // Group by leader; a partition without a leader waits for the next round.
    std::map<BrokerId, std::map<std::string, std::vector<int32_t>>> by_leader;
    std::vector<TopicPartition> retry;
    for (const TopicPartition& tp : todo) {
      Result<BrokerId> leader = client.LeaderFor(tp, attempt > 0);
      if (!leader.ok()) {
        if (leader.status().code() != Status::Code::kUnavailable) return leader.status();
        last = leader.status();
        retry.push_back(tp);
        continue;
      }
      by_leader[*leader][tp.topic].push_back(tp.partition.value());
    }
    for (const auto& [leader, topics] : by_leader) {
      ListOffsetsRequest request;
      request.replica_id = -1;
      request.isolation_level = static_cast<int8_t>(isolation);
      for (const auto& [topic, indexes] : topics) {
        ListOffsetsRequest::ListOffsetsTopic t;
        t.name = topic;
        for (int32_t p : indexes) {
          ListOffsetsRequest::ListOffsetsPartition part;
          part.partition_index = p;
          part.timestamp = spec.wire_timestamp;
          t.partitions.push_back(part);
        }
        request.topics.push_back(std::move(t));
      }
      // v1+: one offset per partition (v0's OldStyleOffsets list is not needed by anyone here).
      Result<ListOffsetsResponse> response =
          client.Send<ListOffsetsResponse>(leader, request, {.min_version = 1});
      if (!response.ok()) return response.status();
      for (const auto& t : response->topics) {
        for (const auto& p : t.partitions) {
          TopicPartition tp{t.name, PartitionId(p.partition_index)};
          if (p.error_code == 0) {
            result[tp] = Offset(p.offset);
            continue;
          }
          last = KafkaErrorStatus(p.error_code, "ListOffsets for " + tp.ToString());
          if (!IsRetriableKafkaError(p.error_code)) return last;
          retry.push_back(tp);
        }
      }
    }
    todo = std::move(retry);
  }
  return result;
}

namespace {

// Runs `call(coordinator)` against the group's coordinator; `call` returns the response's
// coordinator-level error code (0 when fine) or a Status. Re-finds the coordinator and retries
// on NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS.
template <typename Call>
Status WithCoordinator(Client& client, const std::string& group_id, std::string_view what,
                       Call&& call) {
  Status last;
  for (int attempt = 0; attempt <= client.options().retries; ++attempt) {
    if (attempt > 0) client.Backoff();
    Result<BrokerId> coordinator = client.FindCoordinator(group_id);
    if (!coordinator.ok()) return coordinator.status();
    Result<int16_t> error = call(*coordinator);
    if (!error.ok()) return error.status();
    if (*error == 0) return Status::Ok();
    last = KafkaErrorStatus(*error, std::string(what) + " for group '" + group_id + "'");
    if (!IsCoordinatorError(*error)) return last;
  }
  return last;
}

}  // namespace

Result<std::map<TopicPartition, CommittedOffset>> FetchCommittedOffsets(
    Client& client, const std::string& group_id,
    const std::optional<std::vector<TopicPartition>>& partitions) {
  OffsetFetchRequest request;
  request.group_id = group_id;
  if (partitions.has_value()) {
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const TopicPartition& tp : *partitions) {
      by_topic[tp.topic].push_back(tp.partition.value());
    }
    request.topics.emplace();
    for (auto& [topic, indexes] : by_topic) {
      OffsetFetchRequest::OffsetFetchRequestTopic t;
      t.name = topic;
      t.partition_indexes = std::move(indexes);
      request.topics->push_back(std::move(t));
    }
  } else {
    request.topics.reset();
  }
  // v1+ reads __consumer_offsets (v0 meant ZooKeeper); v2+ for null topics and the group error.
  const SendOptions options{.min_version = static_cast<int16_t>(partitions.has_value() ? 1 : 2)};
  std::map<TopicPartition, CommittedOffset> result;
  Status status = WithCoordinator(
      client, group_id, "OffsetFetch", [&](BrokerId coordinator) -> Result<int16_t> {
        Result<OffsetFetchResponse> response =
            client.Send<OffsetFetchResponse>(coordinator, request, options);
        if (!response.ok()) return response.status();
        if (response->error_code != 0) return response->error_code;
        result.clear();
        for (const auto& t : response->topics) {
          for (const auto& p : t.partitions) {
            TopicPartition tp{t.name, PartitionId(p.partition_index)};
            if (p.error_code != 0) {
              // v0/v1 report coordinator errors per partition.
              if (IsCoordinatorError(p.error_code)) return p.error_code;
              return KafkaErrorStatus(p.error_code,
                                      "OffsetFetch for group '" + group_id + "', " +
                                          tp.ToString());
            }
            result[tp] = CommittedOffset{Offset(p.committed_offset),
                                         LeaderEpoch(p.committed_leader_epoch), p.metadata};
          }
        }
        return int16_t{0};
      });
  if (!status.ok()) return status;
  return result;
}

Status CommitOffsets(Client& client, const std::string& group_id,
                     const std::map<TopicPartition, Offset>& offsets,
                     const CommitIdentity& identity) {
  if (offsets.empty()) return Status::Ok();
  OffsetCommitRequest request;
  request.group_id = group_id;
  request.generation_id = identity.generation_id;
  request.member_id = identity.member_id;
  request.group_instance_id = identity.group_instance_id;
  std::map<std::string, std::vector<OffsetCommitRequest::OffsetCommitRequestPartition>> by_topic;
  for (const auto& [tp, offset] : offsets) {
    OffsetCommitRequest::OffsetCommitRequestPartition p;
    p.partition_index = tp.partition.value();
    p.committed_offset = offset.value();
    p.committed_metadata = std::string();
    by_topic[tp.topic].push_back(std::move(p));
  }
  for (auto& [topic, partitions] : by_topic) {
    OffsetCommitRequest::OffsetCommitRequestTopic t;
    t.name = topic;
    t.partitions = std::move(partitions);
    request.topics.push_back(std::move(t));
  }
  // v2+ so that the commit goes to __consumer_offsets with the broker's retention.
  return WithCoordinator(
      client, group_id, "OffsetCommit", [&](BrokerId coordinator) -> Result<int16_t> {
        Result<OffsetCommitResponse> response =
            client.Send<OffsetCommitResponse>(coordinator, request, {.min_version = 2});
        if (!response.ok()) return response.status();
        for (const auto& t : response->topics) {
          for (const auto& p : t.partitions) {
            if (p.error_code == 0) continue;
            if (IsCoordinatorError(p.error_code)) return p.error_code;
            return KafkaErrorStatus(p.error_code,
                                    "OffsetCommit for group '" + group_id + "', " + t.name + "-" +
                                        std::to_string(p.partition_index));
          }
        }
        return int16_t{0};
      });
}

}  // namespace sluice::kafka::client
