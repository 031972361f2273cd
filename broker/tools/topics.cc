// `sluice topics` (bin/kafka-topics.sh): Kafka 2.8's TopicCommand. Flags and their rules live in
// topic_command_options.h, the actions in topic_service.h; this file is the entry point and
// Kafka's exit behaviour:
//   no arguments, or a flag misuse     message + help on stderr, exit 1
//   --help                             help on stdout, exit 0
//   a failed action                    "Error while executing topic command : <why>", exit 1
#include <iostream>

#include "broker/tools/tool.h"
#include "broker/tools/topic_command_options.h"
#include "broker/tools/topic_service.h"

namespace sluice::tools {

namespace {

int ActionError(const Status& status) {
  std::cerr << "Error while executing topic command : " << status.message() << "\n";
  return 1;
}

}  // namespace

int RunTopics(const std::vector<std::string>& args) {
  const FlagSet flags = TopicFlags();
  if (args.empty()) return flags.UsageError("Create, delete, describe, or change a topic.");
  auto parsed = flags.Parse(args);
  if (!parsed.ok()) return flags.UsageError(parsed.status().message());
  if (parsed->Has("help")) {
    flags.PrintHelp(std::cout);
    return 0;
  }
  if (Status usage = CheckTopicFlags(*parsed); !usage.ok()) return flags.UsageError(usage.message());
  auto options = ReadTopicOptions(*parsed);
  if (!options.ok()) return ActionError(options.status());

  auto service = options->zookeeper ? ConnectZookeeperTopicService(*options->zookeeper)
                                    : ConnectAdminTopicService(*options->bootstrap_server);
  if (!service.ok()) return ActionError(service.status());
  Status done = RunTopicAction(**service, *options, std::cout);
  std::cout.flush();
  if (!done.ok()) return ActionError(done);
  return 0;
}

}  // namespace sluice::tools
