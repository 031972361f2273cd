#include "controller/operator/operator_app.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "controller/api/kafka_cluster.h"
#include "controller/kafka_admin/kafka_admin.h"
#include "controller/kube/config.h"
#include "controller/kube/events.h"
#include "controller/kube/informer.h"
#include "controller/kube/leader_election.h"
#include "controller/kube/rest_client.h"
#include "controller/operator/operator_flags.h"
#include "controller/operator/operator_http.h"
#include "controller/operator/reconcile_loop.h"
#include "controller/reconcile/cluster_reconciler.h"
#include "libs/base/metrics.h"

namespace sluice::operator_app {
namespace {

using namespace std::chrono_literals;

constexpr const char* kLeaseName = "sluice-operator";

Poco::Logger& Log() { return Poco::Logger::get("operator"); }

std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string Hostname() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "";
  return buffer;
}

std::string RandomSuffix() {
  std::random_device random;
  char text[9];
  std::snprintf(text, sizeof(text), "%08x", static_cast<unsigned>(random()));
  return text;
}

const char* LevelName(Poco::Message::Priority priority) {
  switch (priority) {
    case Poco::Message::PRIO_FATAL:
    case Poco::Message::PRIO_CRITICAL:
    case Poco::Message::PRIO_ERROR:
      return "error";
    case Poco::Message::PRIO_WARNING:
      return "warning";
    case Poco::Message::PRIO_NOTICE:
    case Poco::Message::PRIO_INFORMATION:
      return "info";
    default:
      return "debug";
  }
}

class StructuredFormatter : public Poco::Formatter {
 public:
  void format(const Poco::Message& message, std::string& text) override {
    text =
        FormatLogLine(Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ"),
                      LevelName(message.getPriority()), message.getSource(), message.getText());
  }
};

// Set once by a signal, a lost Lease or a fatal error; RunOperator waits for it.
class StopRequest {
 public:
  void Request(int exit_code, const std::string& why) {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = true;
    exit_code_ = exit_code;
    why_ = why;
    changed_.notify_all();
  }
  bool Requested() const {
    std::lock_guard lock(mutex_);
    return requested_;
  }
  // True when a stop was requested within `timeout`.
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return requested_; });
  }
  int Wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return requested_; });
    return exit_code_;
  }
  std::string Why() const {
    std::lock_guard lock(mutex_);
    return why_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool requested_ = false;
  int exit_code_ = 0;
  std::string why_;
};

// SIGTERM and SIGINT are blocked in every thread (the mask is inherited: Install runs before any
// other thread exists) and taken by one thread in sigwait, so the stop logic runs as ordinary
// code, not in a signal handler.
class SignalWatcher {
 public:
  explicit SignalWatcher(StopRequest& stop) : stop_(stop) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this] {
      int signal_number = 0;
      sigwait(&signals_, &signal_number);
      if (closing_) return;
      Log().information("signal_received signal=%s",
                        std::string(signal_number == SIGTERM ? "SIGTERM" : "SIGINT"));
      stop_.Request(0, signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
    });
  }
  ~SignalWatcher() {
    // Wake the waiting thread with one of its own signals (directed at it, so the process's
    // disposition is not involved) and join it.
    closing_ = true;
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

 private:
  StopRequest& stop_;
  sigset_t signals_;
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

// An ObjectReference to the KafkaCluster, for Events' `regarding`.
web::json::value ClusterReference(const operator_api::KafkaCluster& cluster) {
  web::json::value ref = web::json::value::object();
  ref["apiVersion"] = web::json::value::string(operator_api::kApiVersion);
  ref["kind"] = web::json::value::string(operator_api::kKind);
  ref["namespace"] = web::json::value::string(cluster.metadata.namespace_);
  ref["name"] = web::json::value::string(cluster.metadata.name);
  if (!cluster.metadata.uid.empty()) {
    ref["uid"] = web::json::value::string(cluster.metadata.uid);
  }
  return ref;
}

web::json::value PodReference(const std::string& ns, const std::string& name) {
  web::json::value ref = web::json::value::object();
  ref["apiVersion"] = web::json::value::string("v1");
  ref["kind"] = web::json::value::string("Pod");
  ref["namespace"] = web::json::value::string(ns);
  ref["name"] = web::json::value::string(name);
  return ref;
}

std::string JoinNamespaces(const std::vector<std::string>& namespaces) {
  std::string out;
  for (const auto& ns : namespaces) {
    if (!out.empty()) out += ",";
    out += ns.empty() ? "(all)" : ns;
  }
  return out;
}

}  // namespace

namespace {

// Splits at spaces outside double quotes (a backslash escapes the next character inside them).
// nullopt when a quote is left open.
std::optional<std::vector<std::string>> SplitWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\' && i + 1 < text.size()) {
      word += c;
      word += text[++i];
    } else if (c == '"') {
      quoted = !quoted;
      word += c;
    } else if (c == ' ' && !quoted) {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (quoted) return std::nullopt;
  if (!word.empty()) words.push_back(word);
  return words;
}

// A word of the form key=value, the key being [A-Za-z0-9_.-]+.
bool IsPair(const std::string& word) {
  size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t i = 0; i < eq; ++i) {
    char c = word[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string FormatLogLine(const std::string& time, const std::string& level,
                          const std::string& logger, const std::string& text) {
  std::string line = "time=" + time + " level=" + level + " logger=" + logger;
  // Text already in the form "[word] key=value key=\"quoted value\" ..." keeps its pairs, its
  // leading word becoming msg=word; anything else (prose) is quoted whole as msg="...".
  auto words = SplitWords(text);
  if (words && !words->empty() && text.find('\n') == std::string::npos) {
    bool structured = true;
    for (size_t i = 0; i < words->size() && structured; ++i) {
      const std::string& w = (*words)[i];
      structured = IsPair(w) || (i == 0 && w.find_first_of("\"=") == std::string::npos);
    }
    if (structured) {
      if (!IsPair(words->front()))
        line += " msg=";
      else
        line += " ";
      return line + text;
    }
  }
  line += " msg=\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      line += '\\';
      line += c;
    } else if (c == '\n') {
      line += "\\n";
    } else {
      line += c;
    }
  }
  return line + "\"";
}

Status InitOperatorLogging(const std::string& level) {
  int priority = 0;
  if (level == "debug") {
    priority = Poco::Message::PRIO_DEBUG;
  } else if (level == "info") {
    priority = Poco::Message::PRIO_INFORMATION;
  } else if (level == "warning") {
    priority = Poco::Message::PRIO_WARNING;
  } else if (level == "error") {
    priority = Poco::Message::PRIO_ERROR;
  } else {
    return Status::InvalidArgument("log level " + level +
                                   ": expected debug, info, warning or error");
  }
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(new StructuredFormatter, new Poco::ConsoleChannel(std::cout)));
  // Loggers that exist already (static ones looked up early) and the root, from which every
  // logger made later inherits its channel and level.
  Poco::Logger::setChannel("", channel);
  Poco::Logger::setLevel("", priority);
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(priority);
  return Status::Ok();
}

int RunOperator(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the blocked signals.
  StopRequest stop;
  SignalWatcher signal_watcher(stop);

  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  auto parsed = ParseOperatorFlags(args);
  if (!parsed.ok()) {
    std::cerr << "sluice-operator: " << parsed.status().message() << "\n";
    return 2;
  }
  const OperatorFlags flags = *parsed;
  if (flags.help) {
    std::cout << OperatorUsage();
    return 0;
  }
  auto watch_namespaces = ResolveWatchNamespaces(flags.ns, Env("WATCH_NAMESPACE"),
                                                 flags.ns ? "--namespace" : "WATCH_NAMESPACE");
  if (!watch_namespaces.ok()) {
    std::cerr << "sluice-operator: " << watch_namespaces.status().message() << "\n";
    return 2;
  }
  if (Status s = InitOperatorLogging(flags.log_level); !s.ok()) {
    std::cerr << "sluice-operator: " << s.message() << "\n";
    return 2;
  }

  auto config =
      flags.kubeconfig.empty() ? kube::LoadDefault() : kube::LoadKubeconfig(flags.kubeconfig);
  if (!config.ok()) {
    Log().error("kubernetes_config error=\"%s\"", config.status().ToString());
    return 1;
  }
  auto created_client = kube::RestClient::Create(*config);
  if (!created_client.ok()) {
    Log().error("kubernetes_client config=\"%s\" error=\"%s\"", config->source,
                created_client.status().ToString());
    return 1;
  }
  kube::RestClient& client = **created_client;
  const std::string identity = ResolveIdentity(Env("POD_NAME"), Hostname(), RandomSuffix());
  const std::string lease_namespace = ResolveLeaseNamespace(
      Env("POD_NAMESPACE"), std::string(kube::kServiceAccountDir) + "/namespace");
  Log().information(
      "starting server=%s config=\"%s\" namespaces=%s leader_elect=%s identity=%s workers=%d "
      "resync_seconds=%d",
      config->server, config->source, JoinNamespaces(*watch_namespaces),
      std::string(flags.leader_elect ? "true" : "false"), identity, flags.workers,
      flags.resync_seconds);

  // State the probes and metrics read; all set before the HTTP server starts or atomic.
  std::atomic<bool> api_reachable{false};
  std::atomic<bool> leading{false};
  std::atomic<bool> stopping{false};
  std::unique_ptr<kube::LeaderElector> elector;  // set before the reconcile loop exists
  std::unique_ptr<ReconcileLoop> loop;           // set before it is read (see `loop_ready`)
  std::atomic<bool> loop_ready{false};

  metrics::Registry registry;
  registry.SetGaugeCallback("sluice_operator_leader",
                            "1 while this replica leads (always 1 without --leader-elect).", {},
                            [&] { return leading ? 1.0 : 0.0; });
  registry.SetGaugeCallback(
      "sluice_operator_workqueue_depth", "Cluster keys waiting in the work queue.", {},
      [&] { return loop_ready ? static_cast<double>(loop->QueueDepth()) : 0.0; });
  registry.SetGaugeCallback(
      "sluice_operator_clusters", "KafkaClusters known to the informers.", {},
      [&] { return loop_ready ? static_cast<double>(loop->ClusterCount()) : 0.0; });

  // /readyz: ready means "this process is serving its role". A leader is ready once its informers
  // have synced; a standby is ready while it waits for the Lease (it has nothing to sync: only
  // the leader runs informers). Were standbys unready, a 2-replica Deployment's rolling update
  // would wait on a pod that can never become ready, and `kubectl rollout status` would hang.
  OperatorHttpOptions http_options;
  http_options.port = flags.metrics_port;
  http_options.registry = &registry;
  http_options.health = [&]() -> Probe {
    if (stopping) return {false, "stopping"};
    if (loop_ready) {
      std::string why = loop->Unhealthy();
      if (!why.empty()) return {false, why};
    }
    return {true, "ok"};
  };
  http_options.ready = [&]() -> Probe {
    if (stopping) return {false, "stopping"};
    if (!api_reachable) return {false, "waiting for the API server " + config->server};
    if (!leading) {
      std::string holder = elector ? elector->ObservedLeader() : "";
      return {true, "standby: waiting for Lease " + lease_namespace + "/" + kLeaseName +
                        (holder.empty() ? "" : " (held by " + holder + ")")};
    }
    if (!loop_ready || !loop->Synced()) return {false, "leader: informers syncing"};
    return {true, "leader: informers synced"};
  };
  OperatorHttpServer http(http_options);
  if (Status s = http.Start(); !s.ok()) {
    Log().error("http error=\"%s\"", s.ToString());
    std::cerr << "sluice-operator: " << s.message() << "\n";
    return 1;
  }
  Log().information("http port=%d paths=/metrics,/healthz,/readyz", http.BoundPort());

  // An unreachable API server is waited for with backoff, never a crash: the operator often
  // starts alongside the control plane (or its network) and must simply catch up.
  kube::Backoff backoff(500ms, 30s, 0.2);
  kube::ResourceType pdb_type = kube::types::kPodDisruptionBudget;
  while (!stop.Requested()) {
    auto version = client.GetPath("/version");
    Status failure;
    if (version.ok()) {
      auto pdb = kube::DiscoverPodDisruptionBudget(client);
      if (pdb.ok()) {
        std::string git_version = version->is_object() && version->has_field("gitVersion") &&
                                          version->at("gitVersion").is_string()
                                      ? version->at("gitVersion").as_string()
                                      : "unknown";
        pdb_type = *pdb;
        Log().information("api_server_reachable server=%s version=%s pdb=%s", config->server,
                          git_version, pdb_type.ApiVersion());
        break;
      }
      if (pdb.status().code() != Status::Code::kUnavailable) {
        // Discovery answered but not usefully (e.g. refused): the 1.20 kind is the safe guess.
        Log().warning("pdb_discovery error=\"%s\" using=%s", pdb.status().ToString(),
                      pdb_type.ApiVersion());
        break;
      }
      failure = pdb.status();
    } else {
      failure = version.status();
    }
    auto delay = backoff.Next();
    Log().warning("api_server_unreachable server=%s retry_in_ms=%d error=\"%s\"", config->server,
                  static_cast<int>(delay.count()), failure.ToString());
    stop.WaitFor(delay);
  }
  if (stop.Requested()) {
    stopping = true;
    http.Stop();
    Log().information("stopped exit_code=0 reason=%s", stop.Why());
    return stop.Wait();
  }
  api_reachable = true;

  if (flags.leader_elect) {
    kube::LeaderElectionConfig election;
    election.lease_namespace = lease_namespace;
    election.lease_name = kLeaseName;
    election.identity = identity;
    election.on_started_leading = [&] {
      Log().information("leading identity=%s lease=%s/%s", identity, lease_namespace,
                        std::string(kLeaseName));
      leading = true;
      loop->Start();
    };
    election.on_stopped_leading = [&] {
      leading = false;
      if (stop.Requested()) return;  // our own shutdown released the Lease
      // Exit so that a fresh process campaigns as a standby, never acting on a stale view.
      Log().error("leadership_lost identity=%s lease=%s/%s action=exit", identity, lease_namespace,
                  std::string(kLeaseName));
      stop.Request(1, "lost the Lease");
    };
    election.on_new_leader = [&](const std::string& holder) {
      if (holder != identity) Log().information("leader observed=%s", holder);
    };
    auto created = kube::LeaderElector::Create(client, election);
    if (!created.ok()) {
      Log().error("leader_election error=\"%s\"", created.status().ToString());
      return 1;
    }
    elector = std::move(*created);
  }

  kube::EventRecorderOptions event_options;
  event_options.reporting_instance = identity;
  kube::EventRecorder recorder(client, event_options);
  reconcile::ReconcilerOptions reconciler_options;
  reconciler_options.pdb_type = pdb_type;
  kube::LeaderElector* elector_ptr = elector.get();
  reconciler_options.may_act = [elector_ptr] {
    return elector_ptr == nullptr || elector_ptr->IsLeader();
  };
  reconcile::ClusterReconciler reconciler(
      client,
      [](const std::string& bootstrap) {
        return kafka_admin::NewKafkaAdmin(bootstrap, std::chrono::milliseconds(10000));
      },
      [] { return std::chrono::system_clock::now(); },
      [&recorder](const operator_api::KafkaCluster& cluster, const reconcile::ClusterEvent& event) {
        std::optional<web::json::value> related;
        if (!event.related_pod.empty()) {
          related = PodReference(cluster.metadata.namespace_, event.related_pod);
        }
        recorder.Record(
            ClusterReference(cluster),
            event.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal,
            event.reason, event.action, event.note, related);
      },
      reconcile::DeleteZooKeeperChroot, reconciler_options);

  ReconcileLoopOptions loop_options;
  loop_options.namespaces = *watch_namespaces;
  loop_options.workers = flags.workers;
  loop_options.resync = std::chrono::seconds(flags.resync_seconds);
  loop_options.registry = &registry;
  loop = std::make_unique<ReconcileLoop>(
      client,
      [&reconciler](const std::string& ns, const std::string& name) {
        return reconciler.Reconcile(ns, name);
      },
      loop_options);
  loop_ready = true;

  std::thread elector_thread;
  if (elector) {
    Log().information("campaigning identity=%s lease=%s/%s", identity, lease_namespace,
                      std::string(kLeaseName));
    elector_thread = std::thread([&] {
      elector->Run();
      // Run returns on Stop() (our shutdown) or when the Lease is lost; either way this replica
      // is done (the first request wins, so a signal's exit code 0 stands).
      stop.Request(1, "leader election ended");
    });
  } else {
    leading = true;
    loop->Start();
  }

  int exit_code = stop.Wait();
  Log().information("stopping reason=\"%s\" exit_code=%d", stop.Why(), exit_code);
  stopping = true;
  loop->Stop();  // no pass runs past this point: the current ones finished
  leading = false;
  if (elector) elector->Stop();  // releases the Lease, so a standby takes over at once
  if (elector_thread.joinable()) elector_thread.join();
  recorder.Flush(2000ms);
  http.Stop();
  client.Stop();
  registry.Remove("sluice_operator_leader", {});
  registry.Remove("sluice_operator_workqueue_depth", {});
  registry.Remove("sluice_operator_clusters", {});
  loop_ready = false;
  loop.reset();  // before the reconciler and the recorder it calls into
  Log().information("stopped exit_code=%d", exit_code);
  return exit_code;
}

}  // namespace sluice::operator_app
