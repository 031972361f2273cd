#include "broker/tools/topic_command_options.h"

namespace sluice::tools {

FlagSet TopicFlags() {
  FlagSet flags("kafka-topics.sh", "This tool helps to create, delete, describe, or change a topic.");
  flags
      .Switch("alter",
              "Alter the number of partitions, replica assignment, and/or configuration for the "
              "topic.")
      .Value("bootstrap-server", "String: server to connect to",
             "REQUIRED (unless --zookeeper): the Kafka server to connect to. With it, no direct "
             "ZooKeeper connection is needed.")
      .Repeated("config", "String: name=value",
                "A topic configuration override for the topic being created or altered (e.g. "
                "retention.ms=1000, cleanup.policy=compact). With --bootstrap-server only "
                "supported with --create.")
      .Switch("create", "Create a new topic.")
      .Switch("delete", "Delete a topic")
      .Repeated("delete-config", "String: name",
                "A topic configuration override to be removed for an existing topic. Not "
                "supported with the --bootstrap-server option.")
      .Switch("describe", "List details for the given topics.")
      .Switch("disable-rack-aware", "Disable rack aware replica assignment")
      .Switch("exclude-internal",
              "exclude internal topics when running list or describe command. The internal "
              "topics will be listed by default")
      .Switch("if-exists",
              "if set when altering or deleting or describing topics, the action will only "
              "execute if the topic exists.")
      .Switch("if-not-exists",
              "if set when creating topics, the action will only execute if the topic does not "
              "already exist.")
      .Switch("list", "List all available topics.")
      .Value("partitions", "Integer: # of partitions",
             "The number of partitions for the topic being created or altered (WARNING: If "
             "partitions are increased for a topic that has a key, the partition logic or "
             "ordering of the messages will be affected). If not supplied for create, defaults "
             "to the cluster default.")
      .Value("replica-assignment",
             "String: broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , "
             "broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...",
             "A list of manual partition-to-broker assignments for the topic being created or "
             "altered.")
      .Value("replication-factor", "Integer: replication factor",
             "The replication factor for each partition in the topic being created. If not "
             "supplied, defaults to the cluster default.")
      .Value("topic", "String: topic",
             "The topic to create, alter, describe or delete. It also accepts a regular "
             "expression, except for --create option. Put topic name in double quotes and use "
             "the '\\' prefix to escape regular expression symbols; e.g. \"test\\.topic\".")
      .Switch("topics-with-overrides",
              "if set when describing topics, only show topics that have overridden configs")
      .Switch("at-min-isr-partitions",
              "if set when describing topics, only show partitions whose isr count is equal to "
              "the configured minimum. Not supported with the --zookeeper option.")
      .Switch("under-min-isr-partitions",
              "if set when describing topics, only show partitions whose isr count is less than "
              "the configured minimum. Not supported with the --zookeeper option.")
      .Switch("unavailable-partitions",
              "if set when describing topics, only show partitions whose leader is not "
              "available")
      .Switch("under-replicated-partitions",
              "if set when describing topics, only show under replicated partitions")
      .Value("zookeeper", "String: hosts",
             "DEPRECATED, The connection string for the zookeeper connection in the form "
             "host:port. Multiple hosts can be given to allow fail-over.");
  return flags;
}

Status CheckTopicFlags(const ParsedFlags& f) {
  if (CountGiven(f, {"create", "list", "describe", "alter", "delete"}) != 1) {
    return Status::InvalidArgument(
        "Command must include exactly one action: --list, --describe, --create, --alter or "
        "--delete");
  }
  if (f.Has("bootstrap-server") == f.Has("zookeeper")) {
    return Status::InvalidArgument(
        "Only one of --bootstrap-server or --zookeeper must be specified");
  }
  if (f.Has("describe") && f.Has("if-exists")) SLUICE_RETURN_IF_ERROR(RequireFlags(f, {"topic"}));
  if (!f.Has("list") && !f.Has("describe")) SLUICE_RETURN_IF_ERROR(RequireFlags(f, {"topic"}));
  if (f.Has("create") && !f.Has("replica-assignment") && f.Has("zookeeper")) {
    SLUICE_RETURN_IF_ERROR(RequireFlags(f, {"partitions", "replication-factor"}));
  }
  if (f.Has("bootstrap-server") && f.Has("alter")) {
    if (f.Has("config")) {
      return Status::InvalidArgument(
          "Option combination \"[bootstrap-server],[config]\" can't be used with option "
          "\"[alter]\" (the kafka-configs CLI supports altering topic configs with a "
          "--bootstrap-server option)");
    }
    SLUICE_RETURN_IF_ERROR(RequireFlags(f, {"partitions"}));
  }
  // Which flags each action takes (Kafka's checkInvalidArgs, in its order).
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "config", {"list", "describe", "delete"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(
      f, "delete-config", {"list", "create", "describe", "delete", "bootstrap-server"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "partitions", {"list", "describe", "delete"}));
  SLUICE_RETURN_IF_ERROR(
      RejectCombination(f, "replication-factor", {"list", "describe", "alter", "delete"}));
  SLUICE_RETURN_IF_ERROR(
      RejectCombination(f, "replica-assignment", {"list", "describe", "delete"}));
  if (f.Has("create")) {
    SLUICE_RETURN_IF_ERROR(
        RejectCombination(f, "replica-assignment", {"partitions", "replication-factor"}));
  }
  // The partition reports exclude each other and every action but --describe.
  for (std::string_view report :
       {"under-replicated-partitions", "unavailable-partitions", "under-min-isr-partitions",
        "at-min-isr-partitions", "topics-with-overrides"}) {
    SLUICE_RETURN_IF_ERROR(RejectCombination(
        f, report,
        {"list", "create", "alter", "delete", "under-replicated-partitions",
         "unavailable-partitions", "under-min-isr-partitions", "at-min-isr-partitions",
         "topics-with-overrides"}));
  }
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "under-min-isr-partitions", {"zookeeper"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "at-min-isr-partitions", {"zookeeper"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "if-exists", {"list", "create"}));
  SLUICE_RETURN_IF_ERROR(
      RejectCombination(f, "if-not-exists", {"list", "describe", "alter", "delete"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "exclude-internal", {"create", "alter", "delete"}));
  return Status::Ok();
}

Result<TopicCommandOptions> ReadTopicOptions(const ParsedFlags& f) {
  TopicCommandOptions o;
  if (f.Has("create")) o.action = TopicAction::kCreate;
  if (f.Has("list")) o.action = TopicAction::kList;
  if (f.Has("describe")) o.action = TopicAction::kDescribe;
  if (f.Has("alter")) o.action = TopicAction::kAlter;
  if (f.Has("delete")) o.action = TopicAction::kDelete;
  o.zookeeper = f.Get("zookeeper");
  o.bootstrap_server = f.Get("bootstrap-server");
  o.topic = f.Get("topic");
  if (f.Has("partitions")) {
    auto partitions = f.GetInt32("partitions");
    if (!partitions.ok()) return partitions.status();
    if (*partitions < 1) return Status::InvalidArgument("The partitions must be greater than 0");
    o.partitions = *partitions;
  }
  if (f.Has("replication-factor")) {
    auto rf = f.GetInt32("replication-factor");
    if (!rf.ok()) return rf.status();
    if (*rf < 1 || *rf > 32767) {
      return Status::InvalidArgument(
          "The replication factor must be between 1 and 32767 inclusive");
    }
    o.replication_factor = *rf;
  }
  if (auto text = f.Get("replica-assignment")) {
    auto assignment = ParseReplicaAssignment(*text);
    if (!assignment.ok()) return assignment.status();
    o.replica_assignment = std::move(*assignment);
  }
  auto configs = ParseTopicConfigs(f.GetAll("config"));
  if (!configs.ok()) return configs.status();
  o.configs_to_add = std::move(*configs);
  auto deletions = ParseTopicConfigNames(f.GetAll("delete-config"));
  if (!deletions.ok()) return deletions.status();
  o.configs_to_delete = std::move(*deletions);
  o.if_exists = f.Has("if-exists");
  o.if_not_exists = f.Has("if-not-exists");
  o.exclude_internal = f.Has("exclude-internal");
  o.disable_rack_aware = f.Has("disable-rack-aware");
  o.describe_filter.under_replicated = f.Has("under-replicated-partitions");
  o.describe_filter.unavailable = f.Has("unavailable-partitions");
  o.describe_filter.under_min_isr = f.Has("under-min-isr-partitions");
  o.describe_filter.at_min_isr = f.Has("at-min-isr-partitions");
  o.describe_filter.with_overrides = f.Has("topics-with-overrides");
  return o;
}

}  // namespace sluice::tools
