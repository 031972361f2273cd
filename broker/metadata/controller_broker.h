// ControllerBroker: this broker's part in Kafka's ZooKeeper-era cluster management.
//
// Every broker:
//   * registers itself at the ephemeral /brokers/ids/<id> (its czxid is the broker epoch);
//   * at start (and after a new ZooKeeper session) reports the partitions whose state znode names
//     it leader: a restarted broker resumes leading without waiting for anybody;
//   * watches /controller and campaigns for it whenever it is absent.
// The broker that wins /controller (the *controller broker*, epoch from /controller_epoch):
//   * watches /brokers/topics (children and each topic's data), /brokers/ids and
//     /admin/delete_topics;
//   * gives every partition without a state znode one (leader = first live replica of the
//     assignment, leader_epoch 0, isr = the live replicas), also for topics written straight into
//     ZooKeeper the way `kafka-topics.sh --zookeeper` does;
//   * moves leadership of a partition whose leader is not registered to the first live replica
//     (assignment order) that is in the ISR, bumping the leader epoch (clean election only; with
//     no live ISR member the partition stays as it is, offline);
//   * completes topic deletions (delete.topic.enable=true) or drops the requests (false), as
//     Kafka's TopicDeletionManager does.
// Every controller write is fenced by /controller_epoch's version (KafkaZkClient), so a deposed
// controller's late writes fail instead of overwriting its successor's.
//
// For now the only broker told about leadership is the local one (LeadershipListener); telling
// other brokers (LeaderAndIsr/UpdateMetadata/StopReplica over the Kafka protocol) comes with
// multi-broker replication.
//
// Session expiry: stop acting as controller at once, then (new session) re-register, re-report,
// re-campaign. Logs go to Poco loggers "controller" and "state-change".
//
// Threading: ZooKeeper watches only enqueue events; one thread owned by this object handles them
// in order (like Kafka's ControllerEventManager). LeadershipListener methods are called on that
// thread (and, for Start()'s report, on the caller's thread before Start returns), never
// concurrently. Public methods may be called from any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/metadata/event_queue.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/metadata/zk_client.h"
#include "broker/metadata/znodes.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::metadata {

// What the local broker must do when the cluster metadata changes. The lead wires it to the log
// manager. Implementations must be idempotent: a call may be repeated after a restart.
class LeadershipListener {
 public:
  virtual ~LeadershipListener() = default;
  // This broker now leads `topic`-`partition` at `leader_epoch`; `replicas` is the full replica
  // list, preferred leader first. Called again only when the epoch changes.
  virtual void OnBecomeLeader(const std::string& topic, PartitionId partition,
                              LeaderEpoch leader_epoch, const std::vector<BrokerId>& replicas) = 0;
  // The topic was deleted from the cluster: drop every local replica of it.
  virtual void OnTopicDeleted(const std::string& topic) = 0;
};

struct ControllerBrokerOptions {
  // id, endpoints, rack; the timestamp is set at each registration.
  BrokerRegistration registration;
  bool delete_topic_enable = true;  // delete.topic.enable (Kafka 2.8 default: true)
};

class ControllerBroker {
 public:
  // `zk` and `listener` must outlive this object.
  ControllerBroker(ZkClient& zk, ControllerBrokerOptions options, LeadershipListener& listener);
  ~ControllerBroker();  // Stop()
  ControllerBroker(const ControllerBroker&) = delete;
  ControllerBroker& operator=(const ControllerBroker&) = delete;

  // Creates the persistent paths and the cluster id if missing, registers the broker (fails,
  // e.g. AlreadyExists when the broker.id is taken), reports this broker's current leaderships
  // to the listener, then campaigns for /controller in the background. Call once.
  Status Start();
  // Stops handling events and resigns: deletes /controller if this session holds it, so another
  // broker takes over at once. The registration goes when the owner closes the ZkClient.
  void Stop();

  bool is_active_controller() const { return active_.load(); }
  // The controller last seen in /controller (nullopt: none right now).
  std::optional<BrokerId> controller_id() const;
  // The controller epoch this broker won with (0 until it has been controller).
  ControllerEpoch controller_epoch() const;
  int64_t broker_epoch() const { return broker_epoch_.load(); }
  std::string cluster_id() const;
  // True when no event is pending or being handled (tests wait on this).
  bool idle() const { return queue_ && queue_->Idle(); }

 private:
  struct Event {
    enum class Type {
      kCampaign,          // /controller changed (or first start): read it, elect if absent
      kTopicsChanged,     // children of /brokers/topics changed
      kTopicChanged,      // /brokers/topics/<topic> data changed (partitions added)
      kBrokersChanged,    // children of /brokers/ids changed
      kDeletionsChanged,  // children of /admin/delete_topics changed
      kSessionExpired,
      kNewSession,
    };
    Type type;
    std::string topic;        // kTopicChanged
    bool from_watch = false;  // pushed by a firing watch (which is therefore no longer armed)
  };

  void Handle(const Event& event);
  Status HandleCampaign();
  Status HandleNewSession();
  void BecomeController(const ControllerElection& election);
  void Resign(const std::string& why);
  // Deletes /controller if this session holds it.
  void ReleaseControllerZNode();
  Status RegisterBroker();
  Status ReportOwnLeaderships();
  Status ReconcileAllTopics();
  Status ReconcileTopic(const std::string& topic, const std::set<BrokerId>& live);
  Status ProcessDeletions();
  // Calls OnBecomeLeader unless already reported at this epoch.
  void ReportLeadership(const std::string& topic, PartitionId partition, LeaderEpoch epoch,
                        const std::vector<BrokerId>& replicas);
  Result<std::set<BrokerId>> LiveBrokers(bool watch);
  void Push(Event::Type type, std::string topic = {});
  // A one-shot watch callback that pushes `type` (from_watch = true).
  WatchCallback PushOnWatch(Event::Type type, std::string topic = {});
  std::string LogPrefix() const;

  ZkClient& zk_;
  KafkaZkClient kafka_zk_;
  const ControllerBrokerOptions options_;
  LeadershipListener& listener_;
  std::shared_ptr<EventQueue<Event>> queue_;
  int session_listener_ = 0;

  std::atomic<bool> active_{false};
  std::atomic<int64_t> broker_epoch_{0};
  mutable std::mutex mu_;  // guards the fields below for the accessors
  std::optional<BrokerId> controller_id_;
  ControllerEpoch epoch_{0};
  int32_t epoch_zk_version_ = 0;
  std::string cluster_id_;

  // Event-thread state (and Start(), before the thread handles anything that touches it).
  // Which watches are armed, so re-reading never stacks a second watch on the same znode (each
  // would fire its own event, and the next round would arm twice as many).
  bool controller_watch_armed_ = false;
  bool topics_watch_armed_ = false;
  bool brokers_watch_armed_ = false;
  bool deletions_watch_armed_ = false;
  std::set<std::string> topics_with_data_watch_;
  std::map<std::pair<std::string, PartitionId>, LeaderEpoch> reported_leaderships_;
};

}  // namespace sluice::metadata
