#include "broker/server/handlers/create_partitions.h"

#include <chrono>
#include <memory>

#include "libs/kafka/messages/create_partitions.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::CreatePartitionsRequest;
using Response = kafka::CreatePartitionsResponse;

namespace {

// How often the wait re-checks the metadata cache; the controller broker acts within
// milliseconds on one machine (as TopicManager's waits).
constexpr auto kPollInterval = std::chrono::milliseconds(20);

struct GrownTopic {
  size_t result_index;  // into Response::results
  std::string name;
  int32_t count;
};

bool HasLeaders(const MetadataCache& metadata, const GrownTopic& grown) {
  auto topic = metadata.topic(grown.name);
  if (!topic) return false;
  for (int32_t p = 0; p < grown.count; ++p) {
    auto it = topic->partitions.find(p);
    if (it == topic->partitions.end() || it->second.leader < 0) return false;
  }
  return true;
}

// Waits, on the purgatory's timers (no thread blocks), until every grown topic has leaders for
// all its partitions or the deadline passes; then answers. TopicManager::WhenTopicsReady does
// not fit: it is satisfied by the old partitions before the new ones reach the metadata cache.
class LeadersWait : public DelayedOperation {
 public:
  LeadersWait(BrokerServices& services, std::shared_ptr<Response> response,
              std::vector<GrownTopic> grown, std::chrono::steady_clock::time_point deadline,
              std::function<void(Response)> respond)
      : services_(services),
        response_(std::move(response)),
        grown_(std::move(grown)),
        deadline_(deadline),
        respond_(std::move(respond)) {}

  // Starts (or continues) the wait: one purgatory operation per poll interval, none watching a
  // key, so each completes on its timer.
  static void Poll(std::shared_ptr<LeadersWait> wait) {
    if (wait->AllReady() || std::chrono::steady_clock::now() >= wait->deadline_) {
      return wait->Answer();
    }
    auto next =
        std::make_shared<LeadersWait>(wait->services_, wait->response_, std::move(wait->grown_),
                                      wait->deadline_, std::move(wait->respond_));
    wait->services_.purgatory.TryCompleteElseWatch(next, {}, kPollInterval);
  }

  bool TryComplete() override { return false; }  // only the timer completes it
  void OnComplete() override { Poll(std::static_pointer_cast<LeadersWait>(shared_from_this())); }

 private:
  bool AllReady() const {
    for (const auto& g : grown_) {
      if (!HasLeaders(services_.metadata, g)) return false;
    }
    return true;
  }

  void Answer() {
    for (const auto& g : grown_) {
      if (HasLeaders(services_.metadata, g)) continue;
      auto& result = response_->results[g.result_index];
      result.error_code = kafka::Code(ErrorCode::kRequestTimedOut);
      result.error_message =
          "Timed out waiting for the new partitions of topic '" + g.name + "' to have leaders.";
    }
    respond_(std::move(*response_));
  }

  BrokerServices& services_;
  std::shared_ptr<Response> response_;
  std::vector<GrownTopic> grown_;
  std::chrono::steady_clock::time_point deadline_;
  std::function<void(Response)> respond_;
};

void Handle(BrokerServices& services, Request request, std::function<void(Response)> respond) {
  auto response = std::make_shared<Response>();
  std::map<std::string, int> occurrences;
  for (const auto& topic : request.topics) ++occurrences[topic.name];

  std::vector<GrownTopic> grown;
  for (const auto& topic : request.topics) {
    auto& result = response->results.emplace_back();
    result.name = topic.name;
    auto fail = [&result](ErrorCode code, std::string message) {
      result.error_code = kafka::Code(code);
      result.error_message = std::move(message);
    };
    if (occurrences[topic.name] > 1) {
      fail(ErrorCode::kInvalidRequest, "Duplicate topic in request.");
      continue;
    }
    std::vector<std::vector<int32_t>> assignment;
    if (topic.assignments) {
      for (const auto& a : *topic.assignments) assignment.push_back(a.broker_ids);
    }
    TopicError error = services.topics.CreatePartitions(topic.name, topic.count, assignment,
                                                        request.validate_only);
    if (!error.ok()) {
      fail(error.code, error.message);
      continue;
    }
    if (!request.validate_only)
      grown.push_back({response->results.size() - 1, topic.name, topic.count});
  }

  if (grown.empty()) return respond(std::move(*response));
  if (request.timeout_ms <= 0) {
    // As Kafka: the partitions are being added, but the client asked not to wait.
    for (const auto& g : grown) {
      response->results[g.result_index].error_code = kafka::Code(ErrorCode::kRequestTimedOut);
    }
    return respond(std::move(*response));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(request.timeout_ms);
  LeadersWait::Poll(std::make_shared<LeadersWait>(services, std::move(response), std::move(grown),
                                                  deadline, std::move(respond)));
}

}  // namespace

void RegisterCreatePartitions(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "CreatePartitions",
      [&services](const RequestContext&, Request request, std::function<void(Response)> respond) {
        Handle(services, std::move(request), std::move(respond));
      });
}

}  // namespace sluice::server
