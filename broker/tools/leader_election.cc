// `sluice leader-election` (bin/kafka-leader-election.sh): Kafka 2.8's LeaderElectionCommand.
// Sends ElectLeaders (key 43) to the controller (found through Metadata's controller id; asked
// again when it answers NOT_CONTROLLER) and prints Kafka's lines (leader_election_report.h).
// Exit codes as Kafka's: 0 when every partition was elected or needed no election; 1 on a usage
// error (message naming the flag, then the help, on stderr), an unreachable cluster, a bad JSON
// file or any partition that could not be elected ("Error: N replica(s) could not be elected").
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "broker/tools/leader_election_options.h"
#include "broker/tools/leader_election_report.h"
#include "broker/tools/tool.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/messages/elect_leaders.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::tools {

namespace {

namespace kc = kafka::client;
using kafka::ErrorCode;

// Kafka's tool runs with a 30 s request timeout; the controller gets that long to elect.
constexpr int32_t kElectionTimeoutMs = 30000;
// Attempts when the broker we took for the controller says it is not (the controller moved).
constexpr int kControllerAttempts = 5;

int ActionError(std::string_view message) {
  std::cout.flush();
  std::cerr << "Error: " << message << "\n";
  return 1;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("Cannot read --path-to-json-file '" + path +
                            "': " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

kafka::ElectLeadersRequest BuildRequest(const LeaderElectionOptions& options) {
  kafka::ElectLeadersRequest request;
  request.election_type = static_cast<int8_t>(options.election_type);
  request.timeout_ms = kElectionTimeoutMs;
  if (!options.partitions) {
    request.topic_partitions = std::nullopt;  // every partition
    return request;
  }
  std::vector<kafka::ElectLeadersRequest::TopicPartitions> topics;
  for (const auto& [topic, partition] : *options.partitions) {
    auto it =
        std::find_if(topics.begin(), topics.end(), [&](const auto& t) { return t.topic == topic; });
    if (it == topics.end()) {
      topics.emplace_back();
      topics.back().topic = topic;
      it = std::prev(topics.end());
    }
    it->partition_id.push_back(partition);
  }
  request.topic_partitions = std::move(topics);
  return request;
}

// NOT_CONTROLLER at the top (v1+) or, in a v0 answer, for every partition.
bool NotController(const kafka::ElectLeadersResponse& response) {
  const auto not_controller = static_cast<int16_t>(ErrorCode::kNotController);
  if (response.error_code == not_controller) return true;
  bool any = false;
  for (const auto& t : response.replica_election_results) {
    for (const auto& p : t.partition_result) {
      if (p.error_code != not_controller) return false;
      any = true;
    }
  }
  return any;
}

Result<kafka::ElectLeadersResponse> SendToController(kc::Client& client,
                                                     const kafka::ElectLeadersRequest& request,
                                                     ElectionType type) {
  kc::SendOptions send;
  // v0 has no ElectionType field: it can only ask for preferred elections.
  send.min_version = type == ElectionType::kUnclean ? 1 : 0;
  send.timeout = std::chrono::milliseconds(kElectionTimeoutMs + 5000);
  for (int attempt = 1;; ++attempt) {
    auto response = client.SendToController<kafka::ElectLeadersResponse>(request, send);
    if (!response.ok() || !NotController(*response) || attempt == kControllerAttempts) {
      return response;
    }
    client.Backoff();
    auto refreshed = client.FetchMetadata(std::vector<std::string>{});
    if (!refreshed.ok()) return refreshed.status();
  }
}

}  // namespace

int RunLeaderElection(const std::vector<std::string>& args) {
  const FlagSet flags = LeaderElectionFlags();
  if (args.empty()) return flags.UsageError(flags.summary());
  auto parsed = flags.Parse(args);
  if (!parsed.ok()) return flags.UsageError(parsed.status().message());
  if (parsed->Has("help")) {
    flags.PrintHelp(std::cout);
    return 0;
  }
  auto options = ReadLeaderElectionOptions(*parsed);
  if (!options.ok()) return flags.UsageError(options.status().message());
  if (options->path_to_json_file) {
    auto json = ReadFile(*options->path_to_json_file);
    if (!json.ok()) return ActionError(json.status().message());
    auto partitions = ParseElectionJson(*json);
    if (!partitions.ok()) return ActionError(partitions.status().message());
    options->partitions = std::move(*partitions);
  }

  kc::ClientOptions client_options;
  client_options.bootstrap_servers = options->bootstrap_server;
  client_options.connection.client_id = "leader-election-tool";
  auto client = kc::Client::Create(std::move(client_options));
  if (!client.ok()) return ActionError(client.status().message());

  auto response = SendToController(**client, BuildRequest(*options), options->election_type);
  if (!response.ok()) {
    std::cout << "Error while making request\n";
    return ActionError(response.status().message());
  }
  if (response->error_code != 0) {
    return ActionError(KafkaExceptionText(response->error_code, std::nullopt));
  }
  std::vector<ElectionResult> results;
  for (const auto& t : response->replica_election_results) {
    for (const auto& p : t.partition_result)
      results.push_back({t.topic, p.partition_id, p.error_code, p.error_message});
  }
  const int failed = PrintElectionResults(options->election_type, std::move(results), std::cout);
  std::cout.flush();
  if (failed > 0) {
    return ActionError(std::to_string(failed) + " replica(s) could not be elected");
  }
  return 0;
}

}  // namespace sluice::tools
