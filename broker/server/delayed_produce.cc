#include "broker/server/delayed_produce.h"

namespace sluice::server {

DelayedProduce::DelayedProduce(kafka::ProduceResponse response, std::vector<Waiting> waiting,
                               CheckAcks check, std::function<void(kafka::ProduceResponse)> respond)
    : check_(std::move(check)),
      respond_(std::move(respond)),
      response_(std::move(response)),
      waiting_(std::move(waiting)) {}

bool DelayedProduce::CheckWaitingLocked() {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    auto& topic = response_.responses[it->topic_index];
    auto& partition = topic.partition_responses[it->partition_index];
    std::optional<kafka::ErrorCode> decided = check_(topic.name, partition.index, it->last_offset);
    if (!decided) {
      ++it;
      continue;
    }
    partition.error_code = kafka::Code(*decided);
    it = waiting_.erase(it);
  }
  return waiting_.empty();
}

bool DelayedProduce::TryComplete() {
  {
    std::lock_guard lock(mu_);
    if (!CheckWaitingLocked()) return false;
  }
  // Outside mu_: ForceComplete runs OnComplete, which takes it.
  return ForceComplete();
}

void DelayedProduce::OnComplete() {
  kafka::ProduceResponse response;
  {
    std::lock_guard lock(mu_);
    // Reached at the timeout too: a last look, then whatever still waits has timed out.
    CheckWaitingLocked();
    for (const Waiting& w : waiting_) {
      response_.responses[w.topic_index].partition_responses[w.partition_index].error_code =
          kafka::Code(kafka::ErrorCode::kRequestTimedOut);
    }
    waiting_.clear();
    response = std::move(response_);
  }
  respond_(std::move(response));
}

}  // namespace sluice::server
