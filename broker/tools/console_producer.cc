// `sluice console-producer` (bin/kafka-console-producer.sh): Kafka 2.8's ConsoleProducer.
// Reads stdin lines, one record each (key and value split at key.separator with
// parse.key=true), and produces them to --topic. Flags: console_producer_options.h.
//
// Exit codes: 0 when every record was acknowledged; 1 for a usage error, an unreadable line
// (parse.key without a separator), a topic that never appears, or any failed delivery (each is
// reported on stderr naming the topic and partition, and the rest of the input is still sent).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>

#include "broker/tools/console_producer_options.h"
#include "broker/tools/stdin_lines.h"
#include "broker/tools/tool.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/client/producer.h"

namespace sluice::tools {
namespace {

using kafka::client::DeliveryReport;

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop = true; }

// SIGINT/SIGTERM stop reading; what was read is still flushed (Kafka closes the producer in a
// shutdown hook). No SA_RESTART: the blocking read returns EINTR.
void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Prints failures as Kafka's ErrorLoggingCallback does; returns how many failed.
int ReportFailures(const std::vector<DeliveryReport>& reports) {
  int failed = 0;
  for (const DeliveryReport& r : reports) {
    if (r.status.ok()) continue;
    ++failed;
    std::cerr << "ERROR Error when sending message to topic " << r.partition.topic
              << " partition " << r.partition.partition.value()
              << " with error: " << r.status.message() << "\n";
  }
  return failed;
}

}  // namespace

int RunConsoleProducer(const std::vector<std::string>& args) {
  const FlagSet flags = ConsoleProducerFlags();
  if (args.empty()) return flags.UsageError(flags.summary());
  Result<ParsedFlags> parsed = flags.Parse(ExpandBareCompressionCodec(args));
  if (!parsed.ok()) return flags.UsageError(parsed.status().message());
  if (parsed->Has("help")) {
    flags.PrintHelp(std::cout);
    return 0;
  }
  Result<ConsoleProducerSettings> settings = ReadConsoleProducerSettings(*parsed);
  if (!settings.ok()) return flags.UsageError(settings.status().message());
  for (const std::string& warning : settings->warnings) std::cerr << warning << "\n";

  auto client = kafka::client::Client::Create(settings->client);
  if (!client.ok()) {
    std::cerr << "ERROR " << client.status().message() << "\n";
    return 1;
  }
  kafka::client::Producer producer(**client, settings->producer);
  InstallStopHandlers();

  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  LineSource input(STDIN_FILENO);
  int failed = 0;
  int line_number = 0;
  bool prompt_due = true;
  while (!g_stop) {
    if (interactive && prompt_due) {
      std::cout << ">" << std::flush;
      prompt_due = false;
    }
    LineSource::Next next = input.Read(producer.NextLingerDeadline());
    if (next.outcome == LineSource::Outcome::kTimedOut) {
      failed += ReportFailures(producer.Poll());
      continue;
    }
    if (next.outcome != LineSource::Outcome::kLine) break;
    prompt_due = true;
    ++line_number;
    Result<kafka::client::ProducerRecord> record =
        LineToRecord(next.line, line_number, settings->topic, settings->reader);
    if (!record.ok()) {
      // Kafka's reader throws here and the tool stops; what was read before is still sent.
      std::cerr << "ERROR " << record.status().message() << "\n";
      ReportFailures(producer.Flush());
      return 1;
    }
    Result<kafka::client::TopicPartition> queued = producer.Send(std::move(*record));
    if (!queued.ok()) {
      std::cerr << "ERROR Error when sending message to topic " << settings->topic
                << " with error: " << queued.status().message() << "\n";
      ReportFailures(producer.Flush());
      return 1;
    }
    failed += ReportFailures(settings->sync ? producer.Flush() : producer.Poll());
  }
  failed += ReportFailures(producer.Flush());
  if (interactive) std::cout << std::endl;
  return failed == 0 ? 0 : 1;
}

}  // namespace sluice::tools
