// ControllerBroker: this broker's part in Kafka's ZooKeeper-era cluster management (Kafka 2.8's
// KafkaController in ZooKeeper mode).
//
// Every broker registers itself at the ephemeral /brokers/ids/<id> (its czxid is the broker
// epoch) and campaigns for /controller whenever it is absent. The broker that wins (the
// *controller*, epoch from /controller_epoch) keeps a ControllerContext and tells every live
// broker (itself included, over its inter-broker listener) what to do with LeaderAndIsr,
// UpdateMetadata and StopReplica through a ControllerChannel. Brokers learn everything from
// those requests; this class calls nothing else in the broker.
//
// The controller reacts to (Kafka's controller events):
//   * fail-over: reads everything, UpdateMetadata to all, LeaderAndIsr to all live replicas,
//     creates states for new partitions and elects leaders for offline ones, resumes
//     reassignments and deletions;
//   * /brokers/ids changes: broker startup (UpdateMetadata to all, LeaderAndIsr for what it
//     hosts, offline partitions it can lead get a leader) and failure (leaders elsewhere,
//     the dead broker leaves every ISR; see partition_leader_election.h);
//   * /brokers/topics changes: new topics and partitions get state znodes (leader = first live
//     replica, ISR = live replicas) and LeaderAndIsr with IsNew;
//   * /isr_change_notification: leaders changed ISRs; re-read, UpdateMetadata, finish
//     reassignments whose targets caught up, delete the notifications;
//   * /admin/delete_topics: StopReplica(delete) to every replica, then the znodes go; a dead
//     replica keeps the deletion pending until it returns (delete.topic.enable=false drops the
//     requests);
//   * /admin/reassign_partitions and AlterPartitionReassignments (KIP-455);
//   * /admin/preferred_replica_election, ElectLeaders and auto.leader.rebalance.enable;
//   * ControlledShutdown from a stopping broker.
// Every znode write is fenced by /controller_epoch's version (KafkaZkClient); a failed fence or
// a lost session makes the controller stop acting at once.
//
// Threading: ZooKeeper watches, channel responses and the public methods only enqueue events;
// one thread owned by this object handles them in order (Kafka's ControllerEventManager).
// Public methods may be called from any thread; their callbacks run on the event thread
// (NOT_CONTROLLER is answered on the caller's thread when this broker is not the controller).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/metadata/controller_channel.h"
#include "broker/metadata/controller_context.h"
#include "broker/metadata/event_queue.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/metadata/zk_client.h"
#include "broker/metadata/znodes.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::metadata {

struct ControllerBrokerOptions {
  // id, endpoints, rack; the timestamp is set at each registration.
  BrokerRegistration registration;
  bool delete_topic_enable = true;  // delete.topic.enable (Kafka 2.8 default: true)
  // inter.broker.listener.name: the listener the controller connects to on every broker.
  // Empty: the first PLAINTEXT endpoint (else the first endpoint).
  std::string inter_broker_listener_name;
  // unclean.leader.election.enable, the broker default; a topic's override in
  // /config/topics/<t> wins.
  bool unclean_leader_election_enable = false;
  bool auto_leader_rebalance_enable = true;                     // auto.leader.rebalance.enable
  std::chrono::seconds leader_imbalance_check_interval{300};    // ...check.interval.seconds
  int32_t leader_imbalance_per_broker_percentage = 10;          // ...per.broker.percentage
  std::chrono::milliseconds controller_socket_timeout{30'000};  // controller.socket.timeout.ms
  // Tests replace the network channel with a recording one. Called at each fail-over.
  std::function<std::unique_ptr<ControllerChannel>()> channel_factory;
};

struct ReassignmentTarget {
  std::string topic;
  int32_t partition = 0;
  std::optional<std::vector<int32_t>> replicas;  // nullopt: cancel the ongoing reassignment
};
struct ReassignmentOutcome {
  std::string topic;
  int32_t partition = 0;
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::string message;
};
struct OngoingReassignment {
  std::string topic;
  int32_t partition = 0;
  std::vector<int32_t> replicas;  // the full current set (original + adding)
  std::vector<int32_t> adding;
  std::vector<int32_t> removing;
};
struct ElectionOutcome {
  std::string topic;
  int32_t partition = 0;
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::string message;
};

class ControllerBroker {
 public:
  using PartitionList = std::vector<std::pair<std::string, int32_t>>;

  // `zk` must outlive this object.
  ControllerBroker(ZkClient& zk, ControllerBrokerOptions options);
  ~ControllerBroker();  // Stop()
  ControllerBroker(const ControllerBroker&) = delete;
  ControllerBroker& operator=(const ControllerBroker&) = delete;

  // Creates the persistent paths and the cluster id if missing, registers the broker (fails,
  // e.g. AlreadyExists when the broker.id is taken), then campaigns for /controller in the
  // background. Call once.
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
  // True when no event is pending or being handled (tests wait on this). Delayed timers
  // (auto rebalance) count as pending.
  bool idle() const { return queue_ && queue_->Idle(); }

  // ---- requests answered by the controller (the handlers of the same names call these) ----

  // Kafka's doControlledShutdown: moves leadership of the partitions `broker_id` leads to
  // another ISR member, shrinks it out of ISRs and stops its follower replicas; answers the
  // partitions it still leads (retry later). broker_epoch -1 skips the epoch check (v0/v1).
  // Errors: NOT_CONTROLLER, BROKER_NOT_AVAILABLE (not registered), STALE_BROKER_EPOCH.
  void ControlledShutdown(int32_t broker_id, int64_t broker_epoch,
                          std::function<void(kafka::ErrorCode, PartitionList remaining)> done);
  // Starts, changes or cancels reassignments (KIP-455); each target is validated on its own.
  void AlterPartitionReassignments(std::vector<ReassignmentTarget> targets,
                                   std::function<void(std::vector<ReassignmentOutcome>)> done);
  // Ongoing reassignments, all (nullopt) or of the listed partitions.
  void ListPartitionReassignments(
      std::optional<PartitionList> partitions,
      std::function<void(kafka::ErrorCode, std::vector<OngoingReassignment>)> done);
  // election_type 0: preferred leader; 1: unclean (only partitions without a live leader).
  // nullopt: every partition. A non-controller gets one NOT_CONTROLLER outcome per partition
  // listed (none for nullopt: the caller answers NOT_CONTROLLER at the top level).
  void ElectLeaders(int8_t election_type, std::optional<PartitionList> partitions,
                    std::function<void(std::vector<ElectionOutcome>)> done);

 private:
  struct Event {
    enum class Type {
      kCampaign,               // /controller changed (or first start): read it, elect if absent
      kTopicsChanged,          // children of /brokers/topics changed
      kTopicChanged,           // /brokers/topics/<topic> data changed (partitions added)
      kBrokersChanged,         // children of /brokers/ids changed
      kDeletionsChanged,       // children of /admin/delete_topics changed (or retry deletions)
      kIsrChangeNotification,  // children of /isr_change_notification changed
      kReassignZNodeChanged,   // /admin/reassign_partitions created/changed/deleted
      kPreferredZNodeChanged,  // /admin/preferred_replica_election created/changed/deleted
      kAutoRebalance,          // the leader-imbalance timer
      kCall,                   // run `call` (public methods, channel responses)
      kSessionExpired,
      kNewSession,
    };
    Type type;
    std::string topic;             // kTopicChanged
    bool from_watch = false;       // pushed by a firing watch (which is therefore no longer armed)
    std::function<Status()> call;  // kCall: not retried on failure
    int32_t generation = 0;        // kAutoRebalance: the controller epoch that scheduled it
  };

  // Requests collected while handling one event, sent per broker at the end (Kafka's
  // ControllerBrokerRequestBatch).
  struct Batch {
    std::map<BrokerId, std::map<TopicPartitionName, bool /*is_new*/>> leader_and_isr;
    std::set<TopicPartitionName> update_metadata;  // partitions, to every live broker
    bool update_metadata_brokers = false;          // send even without partitions
    std::set<BrokerId> full_update_metadata;       // brokers that get every partition
    std::map<BrokerId, std::vector<StopReplicaPartition>> stop_replica;
  };

  void Handle(const Event& event);
  Status HandleEvent(const Event& event);
  Status HandleCampaign();
  Status HandleNewSession();
  void BecomeController(const ControllerElection& election);
  Status OnControllerFailover();
  void Resign(const std::string& why);
  void ReleaseControllerZNode();
  Status RegisterBroker();
  void Push(Event::Type type, std::string topic = {});
  void PushCall(std::function<Status()> call);
  WatchCallback PushOnWatch(Event::Type type, std::string topic = {});
  std::string LogPrefix() const;
  int32_t Fence() const;

  // Brokers and topics (controller_broker.cc).
  Status HandleBrokersChanged();
  void OnBrokerStartup(const std::vector<BrokerId>& started);
  Status OnBrokerFailure(const std::vector<BrokerId>& dead);
  Status HandleTopicsChanged();
  Status HandleTopicChanged(const std::string& topic);
  Status ReadTopic(const std::string& topic, bool arm_watch);
  Status OnNewPartitions(const std::vector<TopicPartitionName>& partitions);
  Status ElectOfflinePartitions();
  Status HandleIsrChangeNotifications();
  // Writes `updated` (computed from the current state by `compute`) to the state znode, fenced;
  // on a zkVersion conflict (a leader changed the ISR meanwhile) re-reads and recomputes, up to
  // 3 times. Returns the written state, nullopt when `compute` declined.
  Result<std::optional<PartitionState>> UpdatePartitionState(
      const TopicPartitionName& tp,
      const std::function<std::optional<PartitionState>(const PartitionState&)>& compute);
  Status RereadPartitionState(const TopicPartitionName& tp);
  bool UncleanElectionEnabled(const std::string& topic);

  // Requests (controller_broker.cc).
  void AddLeaderAndIsr(const std::vector<BrokerId>& brokers, const TopicPartitionName& tp,
                       bool is_new = false);
  // LeaderAndIsr for `tp` to all its live replicas.
  void AddLeaderAndIsrToReplicas(const TopicPartitionName& tp, bool is_new = false);
  void AddStopReplica(BrokerId broker, const TopicPartitionName& tp, bool delete_partition);
  void SendBatch();
  ControllerPartitionState PartitionStateFor(const TopicPartitionName& tp) const;

  // Deletion, controlled shutdown, reassignment, preferred election (controller_admin.cc).
  Status HandleDeletionsChanged();
  Status ResumeDeletions();
  void OnStopReplicaDeleteResponse(const std::string& topic, BrokerId broker,
                                   const ControllerCommandResponse& response);
  Status DoControlledShutdown(int32_t broker_id, int64_t broker_epoch,
                              const std::function<void(kafka::ErrorCode, PartitionList)>& done);
  // StopReplica(delete=false, no epoch check) for a replica on a broker being shut down.
  void StopShuttingDownReplica(BrokerId broker, const TopicPartitionName& tp);
  // A leader may re-add a shutting-down follower that fetched before its StopReplica arrived:
  // take it out again (Kafka 3.3's ineligible-replica rule, KIP-841).
  Status RemoveShuttingDownFromIsr(const TopicPartitionName& tp);
  // Validation shared by the API and the znode: kNone or the error with its message.
  std::pair<kafka::ErrorCode, std::string> ValidateReassignment(
      const TopicPartitionName& tp, const std::optional<std::vector<BrokerId>>& target) const;
  Status StartReassignment(const TopicPartitionName& tp, std::vector<BrokerId> target,
                           bool from_zk_node);
  Status MaybeCompleteReassignment(const TopicPartitionName& tp);
  Status CompleteReassignment(const TopicPartitionName& tp);
  Status StopRemovedReplicas(const TopicPartitionName& tp, const std::vector<BrokerId>& removed);
  Status WriteAssignment(const std::string& topic, const TopicAssignment& assignment);
  Status BumpLeaderEpoch(const TopicPartitionName& tp);
  Status HandleReassignZNode();
  Status ResumeReassignmentsFromAssignments();
  Status DoAlterPartitionReassignments(
      const std::vector<ReassignmentTarget>& targets,
      const std::function<void(std::vector<ReassignmentOutcome>)>& done);
  // Preferred (0) or unclean (1) election for `tp`; kNone when a new leader was written.
  Result<std::pair<kafka::ErrorCode, std::string>> ElectLeader(int8_t election_type,
                                                               const TopicPartitionName& tp);
  Status HandlePreferredZNode();
  Status HandleAutoRebalance();

  ZkClient& zk_;
  KafkaZkClient kafka_zk_;
  const ControllerBrokerOptions options_;
  std::shared_ptr<EventQueue<Event>> queue_;
  int session_listener_ = 0;

  std::atomic<bool> active_{false};
  std::atomic<int64_t> broker_epoch_{0};
  mutable std::mutex mu_;  // guards the fields below for the accessors
  std::optional<BrokerId> controller_id_;
  ControllerEpoch epoch_{0};
  int32_t epoch_zk_version_ = 0;
  std::string cluster_id_;

  // Event-thread state.
  ControllerContext ctx_;
  std::unique_ptr<ControllerChannel> channel_;
  Batch batch_;
  // Which watches are armed, so re-reading never stacks a second watch on the same znode (each
  // would fire its own event, and the next round would arm twice as many).
  bool controller_watch_armed_ = false;
  bool topics_watch_armed_ = false;
  bool brokers_watch_armed_ = false;
  bool deletions_watch_armed_ = false;
  bool isr_change_watch_armed_ = false;
  bool reassign_watch_armed_ = false;
  bool preferred_watch_armed_ = false;
  std::set<std::string> topics_with_data_watch_;
};

}  // namespace sluice::metadata
