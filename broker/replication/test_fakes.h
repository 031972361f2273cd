// Test doubles for the replication tests: an IsrWriter that records writes (and can refuse them
// like a moved znode), a listener that counts notifications, and record batch builders.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "broker/replication/replication_types.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::replication::testing {

class FakeIsrWriter : public IsrWriter {
 public:
  struct Write {
    storage::TopicPartition tp;
    int32_t leader;
    int32_t leader_epoch;
    std::vector<int32_t> isr;
    int32_t zk_version;
  };

  Result<int32_t> WriteIsr(const storage::TopicPartition& tp, int32_t leader, int32_t leader_epoch,
                           int32_t /*controller_epoch*/, const std::vector<int32_t>& isr,
                           int32_t zk_version) override {
    std::lock_guard lock(mu_);
    writes_.push_back({tp, leader, leader_epoch, isr, zk_version});
    if (conflict_) return Status::Conflict("znode version moved on");
    return zk_version + 1;
  }

  void set_conflict(bool conflict) {
    std::lock_guard lock(mu_);
    conflict_ = conflict;
  }
  std::vector<Write> writes() const {
    std::lock_guard lock(mu_);
    return writes_;
  }

 private:
  mutable std::mutex mu_;
  bool conflict_ = false;
  std::vector<Write> writes_;
};

class RecordingListener : public ReplicationListener {
 public:
  void OnBecomeLeader(const storage::TopicPartition& tp, int32_t epoch) override {
    std::lock_guard lock(mu_);
    events_.push_back("leader " + Name(tp) + " " + std::to_string(epoch));
  }
  void OnBecomeFollower(const storage::TopicPartition& tp, int32_t epoch) override {
    std::lock_guard lock(mu_);
    events_.push_back("follower " + Name(tp) + " " + std::to_string(epoch));
  }
  void OnStopReplica(const storage::TopicPartition& tp, bool deleted) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::string(deleted ? "delete " : "stop ") + Name(tp));
  }
  void OnPartitionChanged(const storage::TopicPartition&) override { ++changes; }

  std::vector<std::string> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::atomic<int> changes{0};

 private:
  static std::string Name(const storage::TopicPartition& tp) {
    return tp.topic + "-" + std::to_string(tp.partition.value());
  }
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

// A batch of `count` records as a client sends it; idempotent when producer_id >= 0.
inline std::vector<uint8_t> ClientBatch(int count, int64_t producer_id = -1,
                                        int16_t producer_epoch = -1, int32_t base_sequence = -1) {
  std::vector<kafka::Record> records;
  for (int i = 0; i < count; ++i) {
    kafka::Record r;
    r.timestamp = 1000 + i;
    r.key = "k" + std::to_string(i);
    r.value = "value-" + std::to_string(i);
    records.push_back(std::move(r));
  }
  kafka::RecordBatchBuilderOptions options;
  options.producer_id = producer_id;
  options.producer_epoch = producer_epoch;
  options.base_sequence = base_sequence;
  auto batch = kafka::BuildRecordBatch(records, options);
  return batch.ok() ? std::move(*batch) : std::vector<uint8_t>{};
}

}  // namespace sluice::replication::testing
