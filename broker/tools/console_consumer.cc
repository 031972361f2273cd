// `sluice console-consumer` (bin/kafka-console-consumer.sh): Kafka 2.8's ConsoleConsumer.
// Prints records to stdout (console_consumer_options.h has the flags and the format) and, on
// exit, "Processed a total of N messages" to stderr.
//
// Three ways to read, as Kafka:
//   --partition N [--offset ...]  one partition, no group (assign + seek);
//   --group G (or group.id)       a consumer group member: committed offsets are resumed and
//                                 committed (auto commit), LeaveGroup on exit;
//   neither                       Kafka subscribes with a made-up group "console-consumer-<n>"
//                                 and auto commit off. Sluice assigns every partition of the
//                                 matching topics directly instead: it commits nothing either,
//                                 and what is printed is the same (every record of the topic
//                                 from the end, or from the start with --from-beginning). The
//                                 made-up group just does not appear in consumer-groups --list.
//
// SIGINT/SIGTERM end the loop; the group member then commits and leaves. Exit code 0, or 1 for
// a usage error or a failure to connect or fetch (reported on stderr); --timeout-ms expiring
// is a normal end (0), as in Kafka.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "broker/tools/console_consumer_options.h"
#include "broker/tools/tool.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/client/consumer.h"
#include "libs/kafka/client/group_consumer.h"

namespace sluice::tools {
namespace {

namespace client = kafka::client;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }

void InstallSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A closed stdout (| head) must show up as a write error, not kill the process before the
  // group is left.
  signal(SIGPIPE, SIG_IGN);
}

// The records source: a plain Consumer (assigned partitions) or a GroupConsumer.
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  virtual Result<std::vector<client::ConsumerRecord>> Poll(std::chrono::milliseconds timeout) = 0;
  // Rewinds a partition to a record that was fetched but not printed (before committing).
  virtual void Rewind(const client::TopicPartition& partition, Offset offset) = 0;
  virtual Status Close() = 0;
};

class AssignedSource : public RecordSource {
 public:
  AssignedSource(client::Client& c, client::ConsumerOptions options) : consumer_(c, options) {}
  client::Consumer& consumer() { return consumer_; }
  Result<std::vector<client::ConsumerRecord>> Poll(std::chrono::milliseconds timeout) override {
    return consumer_.Poll(timeout);
  }
  void Rewind(const client::TopicPartition&, Offset) override {}  // nothing is committed
  Status Close() override { return Status::Ok(); }

 private:
  client::Consumer consumer_;
};

class GroupSource : public RecordSource {
 public:
  GroupSource(client::Client& c, client::GroupConsumerOptions options)
      : consumer_(c, std::move(options)) {}
  client::GroupConsumer& consumer() { return consumer_; }
  Result<std::vector<client::ConsumerRecord>> Poll(std::chrono::milliseconds timeout) override {
    return consumer_.Poll(timeout);
  }
  void Rewind(const client::TopicPartition& tp, Offset offset) override {
    consumer_.Seek(tp, offset);
  }
  Status Close() override { return consumer_.Close(); }

 private:
  client::GroupConsumer consumer_;
};

// The partitions of the topics to read without a group, waiting (like Kafka's consumer) for a
// topic that does not exist yet. Empty when stopped or timed out first.
Result<std::vector<client::TopicPartition>> WaitForPartitions(
    client::Client& c, const ConsoleConsumerSettings& s, Clock::time_point give_up) {
  for (;;) {
    std::vector<client::TopicPartition> partitions;
    Result<client::ClusterMetadata> md =
        s.topic.has_value()
            ? c.FetchMetadata(std::vector<std::string>{*s.topic}, /*allow_auto_create=*/true)
            : c.FetchMetadata(std::nullopt);
    if (!md.ok()) return md.status();
    std::optional<std::regex> pattern;
    if (s.whitelist.has_value()) pattern.emplace(*s.whitelist);
    for (const auto& [name, topic] : md->topics) {
      if (topic.error_code != 0) continue;
      if (pattern.has_value() && (topic.is_internal || !std::regex_match(name, *pattern))) {
        continue;
      }
      if (s.topic.has_value() && name != *s.topic) continue;
      for (const auto& p : topic.partitions) partitions.push_back({name, p.partition});
    }
    if (!partitions.empty() || g_stop || Clock::now() >= give_up) return partitions;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

int RunConsoleConsumer(const std::vector<std::string>& args) {
  const FlagSet flags = ConsoleConsumerFlags();
  if (args.empty()) return flags.UsageError(flags.summary());
  Result<ParsedFlags> parsed = flags.Parse(args);
  if (!parsed.ok()) return flags.UsageError(parsed.status().message());
  if (parsed->Has("help")) {
    flags.PrintHelp(std::cout);
    return 0;
  }
  Result<ConsoleConsumerSettings> settings = ReadConsoleConsumerSettings(*parsed);
  if (!settings.ok()) return flags.UsageError(settings.status().message());
  const ConsoleConsumerSettings& s = *settings;
  for (const std::string& warning : s.warnings) std::cerr << warning << "\n";

  auto connected = client::Client::Create(s.client);
  if (!connected.ok()) {
    std::cerr << "ERROR " << connected.status().message() << "\n";
    return 1;
  }
  client::Client& kafka_client = **connected;
  InstallSignalHandlers();

  // --timeout-ms: how long without a record before exiting (-1: forever). A plain duration and
  // a flag rather than an optional: g++ 12 warns about optionals of durations here.
  const bool has_idle_limit = s.timeout_ms >= 0;
  const std::chrono::milliseconds idle_limit(has_idle_limit ? s.timeout_ms : 0);
  const Clock::time_point started = Clock::now();

  std::unique_ptr<RecordSource> source;
  if (s.group.has_value()) {
    auto group = std::make_unique<GroupSource>(kafka_client, s.consumer);
    if (s.whitelist.has_value()) {
      group->consumer().Subscribe(std::regex(*s.whitelist));
    } else {
      group->consumer().Subscribe(std::vector<std::string>{*s.topic});
    }
    source = std::move(group);
  } else {
    auto assigned = std::make_unique<AssignedSource>(kafka_client, s.consumer.fetch);
    client::Consumer& consumer = assigned->consumer();
    std::vector<client::TopicPartition> partitions;
    if (s.partition.has_value()) {
      partitions.push_back({*s.topic, PartitionId(*s.partition)});
    } else {
      Result<std::vector<client::TopicPartition>> found = WaitForPartitions(
          kafka_client, s,
          has_idle_limit ? started + idle_limit : Clock::time_point::max());
      if (!found.ok()) {
        std::cerr << "ERROR " << found.status().message() << "\n";
        return 1;
      }
      partitions = std::move(*found);
    }
    consumer.Assign(partitions);
    Status positioned;
    if (s.start.kind == StartOffset::Kind::kExact) {
      for (const auto& tp : partitions) consumer.Seek(tp, Offset(s.start.offset));
    } else if (!partitions.empty()) {
      positioned = s.start.kind == StartOffset::Kind::kEarliest
                       ? consumer.SeekToBeginning(partitions)
                       : consumer.SeekToEnd(partitions);
    }
    if (!positioned.ok()) {
      std::cerr << "ERROR " << positioned.message() << "\n";
      std::cerr << "Processed a total of 0 messages\n";
      return 1;
    }
    source = std::move(assigned);
  }

  int64_t printed = 0;
  int exit_code = 0;
  Clock::time_point last_message = started;
  while (!g_stop && (s.max_messages < 0 || printed < s.max_messages)) {
    std::chrono::milliseconds wait(500);
    if (has_idle_limit) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          last_message + idle_limit - Clock::now());
      if (left.count() <= 0) {
        std::cerr << "ERROR Error processing message, terminating consumer process: "
                     "org.apache.kafka.common.errors.TimeoutException: no message within "
                  << s.timeout_ms << " ms\n";
        break;
      }
      wait = std::min(wait, left);
    }
    Result<std::vector<client::ConsumerRecord>> records = source->Poll(wait);
    if (!records.ok()) {
      std::cerr << "ERROR Error processing message, terminating consumer process: "
                << records.status().message() << "\n";
      exit_code = 1;
      break;
    }
    if (!records->empty()) last_message = Clock::now();
    bool write_failed = false;
    size_t stop_at = records->size();
    for (size_t i = 0; i < records->size(); ++i) {
      if (g_stop || (s.max_messages >= 0 && printed >= s.max_messages)) {
        stop_at = i;
        break;
      }
      const std::string text = FormatRecord((*records)[i], s.format);
      if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
        std::cerr << "Unable to write to standard out, closing consumer.\n";
        write_failed = true;
        stop_at = i;
        break;
      }
      ++printed;
    }
    // Fetched but not printed: a commit must stop at the first such record of each partition.
    std::map<client::TopicPartition, Offset> first_unprinted;
    for (size_t j = stop_at; j < records->size(); ++j) {
      first_unprinted.try_emplace((*records)[j].partition, Offset((*records)[j].record.offset));
    }
    for (const auto& [tp, offset] : first_unprinted) source->Rewind(tp, offset);
    std::fflush(stdout);
    if (write_failed) break;
  }
  Status closed = source->Close();
  if (!closed.ok()) std::cerr << "WARN " << closed.message() << "\n";
  std::cerr << "Processed a total of " << printed << " messages\n";
  return exit_code;
}

}  // namespace sluice::tools
