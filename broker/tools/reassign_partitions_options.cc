#include "broker/tools/reassign_partitions_options.h"

#include <map>
#include <set>
#include <vector>

namespace sluice::tools {

namespace {

constexpr std::string_view kActions[] = {"generate", "execute", "verify", "cancel", "list"};

// The flags each action requires, then the others it permits (Kafka's requiredArgs and
// permittedArgs).
struct ActionRules {
  std::vector<std::string_view> required;
  std::vector<std::string_view> permitted;
};

const std::map<std::string_view, ActionRules>& Rules() {
  static const std::map<std::string_view, ActionRules> rules = {
      {"verify",
       {{"reassignment-json-file"},
        {"bootstrap-server", "command-config", "preserve-throttles", "zookeeper"}}},
      {"generate",
       {{"topics-to-move-json-file", "broker-list"},
        {"bootstrap-server", "command-config", "disable-rack-aware", "zookeeper"}}},
      {"execute",
       {{"reassignment-json-file"},
        {"additional", "bootstrap-server", "command-config", "throttle",
         "replica-alter-log-dirs-throttle", "timeout", "zookeeper"}}},
      {"cancel",
       {{"reassignment-json-file"},
        {"bootstrap-server", "command-config", "preserve-throttles", "timeout"}}},
      {"list", {{}, {"bootstrap-server", "command-config"}}},
  };
  return rules;
}

}  // namespace

FlagSet ReassignFlags() {
  FlagSet flags("kafka-reassign-partitions.sh",
                "This tool helps to moves topic partitions between replicas.");
  flags
      .Switch("verify",
              "Verify if the reassignment completed as specified by the "
              "--reassignment-json-file option. If there is a throttle engaged for the replicas "
              "specified, and the rebalance has completed, the throttle will be removed")
      .Switch("generate",
              "Generate a candidate partition reassignment configuration. Note that this only "
              "generates a candidate assignment, it does not execute it.")
      .Switch("execute",
              "Kick off the reassignment as specified by the --reassignment-json-file option.")
      .Switch("cancel", "Cancel an active reassignment.")
      .Switch("list", "List all active partition reassignments.")
      .Value("bootstrap-server", "String: Server(s) to use for bootstrapping",
             "the server(s) to use for bootstrapping. REQUIRED if an absolute path of the log "
             "directory is specified for any replica in the reassignment json file, or if "
             "--zookeeper is not given.")
      .Value("command-config", "String: Admin client property file",
             "Property file containing configs to be passed to Admin Client. (Sluice's client "
             "needs none; the file must exist.)")
      .Value("zookeeper", "String: urls",
             "DEPRECATED: The connection string for the zookeeper connection in the form "
             "host:port. Multiple URLS can be given to allow fail-over.  Please use "
             "--bootstrap-server instead.")
      .Value("reassignment-json-file", "String: manual assignment json file path",
             "The JSON file with the partition reassignment configurationThe format to use is - "
             "{\"partitions\": [{\"topic\": \"foo\", \"partition\": 1, \"replicas\": [1,2,3], "
             "\"log_dirs\": [\"dir1\",\"dir2\",\"dir3\"] }], \"version\":1} Note that "
             "\"log_dirs\" is optional. When it is specified, its length must equal the length "
             "of the replicas list. The value in this list can be either \"any\" or the "
             "absolution path of the log directory on the broker. (Sluice accepts only "
             "\"any\".)")
      .Value("topics-to-move-json-file", "String: topics to reassign json file path",
             "Generate a reassignment configuration to move the partitions of the specified "
             "topics to the list of brokers specified by the --broker-list option. The format "
             "to use is - {\"topics\": [{\"topic\": \"foo\"},{\"topic\": \"foo1\"}], "
             "\"version\":1}")
      .Value("broker-list", "String: brokerlist",
             "The list of brokers to which the partitions need to be reassigned in the form "
             "\"0,1,2\". This is required if --topics-to-move-json-file is used to generate "
             "reassignment configuration")
      .Switch("disable-rack-aware", "Disable rack aware replica assignment")
      .Value("throttle", "Long: throttle",
             "The movement of partitions between brokers will be throttled to this value "
             "(bytes/sec). (Sluice has no replication throttles; only -1 is accepted.)")
      .Value("replica-alter-log-dirs-throttle", "Long: replicaAlterLogDirsThrottle",
             "The movement of replicas between log directories on the same broker will be "
             "throttled to this value (bytes/sec). (Not supported by Sluice; only -1.)")
      .Value("timeout", "Long: timeout",
             "The maximum time in ms to wait for log directory replica assignment to begin.")
      .Switch("additional",
              "Execute this reassignment in addition to any other ongoing ones. This option "
              "can also be used to change the throttle of an ongoing reassignment.")
      .Switch("preserve-throttles", "Do not modify broker or topic throttles.");
  return flags;
}

Status CheckReassignFlags(const ParsedFlags& f) {
  std::string_view action;
  int count = 0;
  for (std::string_view a : kActions) {
    if (f.Has(a)) {
      action = a;
      ++count;
    }
  }
  if (count != 1) {
    return Status::InvalidArgument(
        "Command must include exactly one action: --generate, --execute, --verify, --cancel, "
        "--list");
  }
  if (!f.Has("zookeeper") && !f.Has("bootstrap-server")) {
    return Status::InvalidArgument("Please specify --bootstrap-server");
  }
  const ActionRules& rules = Rules().at(action);
  for (std::string_view required : rules.required) {
    SLUICE_RETURN_IF_ERROR(RequireFlags(f, {required}));
  }
  for (const std::string& given : f.given()) {
    if (given == action || given == "help") continue;
    auto listed = [&](const std::vector<std::string_view>& names) {
      for (std::string_view n : names) {
        if (n == given) return true;
      }
      return false;
    };
    if (!listed(rules.required) && !listed(rules.permitted)) {
      return Status::InvalidArgument("Option " + QuoteFlag(given) + " can't be used with action " +
                                     QuoteFlag(action));
    }
  }
  return Status::Ok();
}

Result<ReassignOptions> ReadReassignOptions(const ParsedFlags& f) {
  ReassignOptions o;
  if (f.Has("generate")) o.action = ReassignAction::kGenerate;
  if (f.Has("execute")) o.action = ReassignAction::kExecute;
  if (f.Has("verify")) o.action = ReassignAction::kVerify;
  if (f.Has("cancel")) o.action = ReassignAction::kCancel;
  if (f.Has("list")) o.action = ReassignAction::kList;
  o.bootstrap_server = f.Get("bootstrap-server");
  o.zookeeper = f.Get("zookeeper");
  if (!o.bootstrap_server) {
    for (std::string_view name : {"additional", "cancel", "command-config",
                                  "replica-alter-log-dirs-throttle", "list", "timeout"}) {
      if (f.Has(name)) {
        return Status::InvalidArgument("You must specify --bootstrap-server when using " +
                                       QuoteFlag(name));
      }
    }
  }
  o.reassignment_json_file = f.Get("reassignment-json-file");
  o.topics_to_move_json_file = f.Get("topics-to-move-json-file");
  o.broker_list = f.Get("broker-list");
  o.disable_rack_aware = f.Has("disable-rack-aware");
  o.additional = f.Has("additional");
  o.preserve_throttles = f.Has("preserve-throttles");
  for (std::string_view name : {"throttle", "replica-alter-log-dirs-throttle"}) {
    auto value = f.GetInt64(name, -1);
    if (!value.ok()) return value.status();
    if (*value >= 0) {
      return Status::InvalidArgument("--" + std::string(name) + " " + std::to_string(*value) +
                                     ": Sluice does not throttle replication; leave it out (or "
                                     "pass -1)");
    }
  }
  auto timeout = f.GetInt64("timeout", 10000);
  if (!timeout.ok()) return timeout.status();
  o.timeout_ms = *timeout;
  return o;
}

}  // namespace sluice::tools
