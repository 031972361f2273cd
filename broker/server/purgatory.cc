#include "broker/server/purgatory.h"

namespace sluice::server {

void Purgatory::TryCompleteElseWatch(const std::shared_ptr<DelayedOperation>& op,
                                     const std::vector<std::string>& keys,
                                     std::chrono::milliseconds timeout) {
  if (op->TryComplete()) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, timeout);
  op->timer_ = timer;
  {
    std::lock_guard lock(mu_);
    for (const auto& key : keys) watchers_[key].push_back(op);
  }
  // A change may have happened between TryComplete and the watch: check once more so that it
  // is not missed (the notifier saw no watcher yet).
  if (op->TryComplete()) return;
  timer->async_wait([op](const boost::system::error_code&) { op->ForceComplete(); });
}

void Purgatory::CheckAndComplete(const std::string& key) {
  std::vector<std::shared_ptr<DelayedOperation>> candidates;
  {
    std::lock_guard lock(mu_);
    auto it = watchers_.find(key);
    if (it == watchers_.end()) return;
    auto& list = it->second;
    for (auto w = list.begin(); w != list.end();) {
      auto op = w->lock();
      if (!op || op->completed()) {
        w = list.erase(w);
        continue;
      }
      candidates.push_back(std::move(op));
      ++w;
    }
    if (list.empty()) watchers_.erase(it);
  }
  for (auto& op : candidates) op->TryComplete();
}

size_t Purgatory::watching() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [key, list] : watchers_) {
    for (const auto& w : list) {
      auto op = w.lock();
      n += (op && !op->completed()) ? 1 : 0;
    }
  }
  return n;
}

}  // namespace sluice::server
