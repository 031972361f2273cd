// Test doubles for the coordinator: a manual clock with timers, and an in-memory
// __consumer_offsets. Test-only.
#pragma once

#include <chrono>
#include <map>
#include <vector>

#include "broker/group/offsets_log.h"
#include "broker/group/scheduler.h"

namespace sluice::group::testing {

// Time stands still until Advance(); due tasks then run in deadline order (a task scheduled
// by a task runs in the same Advance when it is due by then).
class ManualScheduler : public Scheduler {
 public:
  int64_t NowMs() override { return now_; }
  void RunAfter(std::chrono::milliseconds delay, std::function<void()> task) override {
    tasks_.emplace(now_ + delay.count(), std::move(task));
  }
  void Advance(int64_t ms) {
    const int64_t target = now_ + ms;
    while (!tasks_.empty() && tasks_.begin()->first <= target) {
      auto node = tasks_.extract(tasks_.begin());
      now_ = node.key();
      node.mapped()();
    }
    now_ = target;
  }
  // Runs the tasks due now (those scheduled with no delay).
  void RunDue() { Advance(0); }

 private:
  int64_t now_ = 1'000'000;
  std::multimap<int64_t, std::function<void()>> tasks_;
};

// Appends land in memory at once (the leader append); the verdict is posted to the scheduler
// (due at once: RunDue delivers it), or, with hold_commits, kept until CompleteHeld().
class MemoryOffsetsLog : public OffsetsLog {
 public:
  explicit MemoryOffsetsLog(Scheduler& scheduler) : scheduler_(scheduler) {}

  void Append(int32_t partition, std::vector<OffsetsRecord> records, int64_t,
              AppendCallback done) override {
    if (fail_appends) {
      scheduler_.RunAfter(std::chrono::milliseconds(0),
                          [done = std::move(done)] { done(Status::IoError("disk on fire")); });
      return;
    }
    auto& log = partitions[partition];
    log.insert(log.end(), records.begin(), records.end());
    if (hold_commits) {
      held.push_back(std::move(done));
      return;
    }
    scheduler_.RunAfter(std::chrono::milliseconds(0),
                        [done = std::move(done)] { done(Status::Ok()); });
  }
  Status Replay(int32_t partition,
                const std::function<void(const OffsetsRecord&)>& visit) override {
    for (const auto& r : partitions[partition]) visit(r);
    return Status::Ok();
  }
  size_t TotalRecords() const {
    size_t n = 0;
    for (const auto& [p, records] : partitions) n += records.size();
    return n;
  }
  // Delivers `verdict` to the `index`th oldest held append, on the caller's stack (as a timer
  // would).
  void CompleteHeld(Status verdict, size_t index = 0) {
    AppendCallback done = std::move(held.at(index));
    held.erase(held.begin() + static_cast<std::ptrdiff_t>(index));
    done(std::move(verdict));
  }

  bool fail_appends = false;
  bool hold_commits = false;
  std::vector<AppendCallback> held;
  std::map<int32_t, std::vector<OffsetsRecord>> partitions;

 private:
  Scheduler& scheduler_;
};

}  // namespace sluice::group::testing
