#include "controller/operator/reconcile_loop.h"

#include <Poco/Logger.h>

#include <exception>

#include "controller/kube/meta.h"

namespace sluice::operator_app {
namespace {

Poco::Logger& Log() { return Poco::Logger::get("operator.loop"); }

// Not poco_debug: POCO compiles that macro out unless _DEBUG or POCO_LOG_DEBUG is defined, so
// --log-level=debug would show nothing in a release build. `text` is built only when needed.
template <typename MakeText>
void Debug(MakeText make_text) {
  Poco::Logger& log = Log();
  if (log.debug()) log.debug(make_text());
}

const std::vector<double>& DurationBuckets() {
  static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                           1,     2.5,  5,     10,   30,  60};
  return buckets;
}

std::string Describe(const std::vector<std::string>& namespaces) {
  std::string out;
  for (const auto& ns : namespaces) {
    if (!out.empty()) out += ",";
    out += ns.empty() ? "(all)" : ns;
  }
  return out;
}

// True when an update changed nothing a reconcile pass reads besides status: the operator's own
// status write must not re-run the pass at once (that would bypass the queue's backoff after a
// failed pass). Spec changes bump generation; deletion, finalizers, labels and annotations are
// compared directly.
bool OnlyStatusChanged(const web::json::value& before, const web::json::value& after) {
  auto meta = [](const web::json::value& o, const char* field) {
    if (!o.has_field("metadata") || !o.at("metadata").has_field(field)) return std::string();
    return o.at("metadata").at(field).serialize();
  };
  for (const char* field :
       {"generation", "deletionTimestamp", "finalizers", "labels", "annotations"}) {
    if (meta(before, field) != meta(after, field)) return false;
  }
  return true;
}

}  // namespace

ReconcileLoop::ReconcileLoop(kube::Client& client, ReconcileFn reconcile,
                             ReconcileLoopOptions options)
    : reconcile_(std::move(reconcile)),
      options_(std::move(options)),
      queue_(options_.backoff_base, options_.backoff_max) {
  metrics::Registry& registry = *options_.registry;
  const std::string total_help =
      "Reconcile passes by result: ok, error (requeued with backoff), "
      "requeue (ok, run again after a wait).";
  ok_total_ =
      &registry.GetCounter("sluice_operator_reconcile_total", total_help, {{"result", "ok"}});
  error_total_ =
      &registry.GetCounter("sluice_operator_reconcile_total", total_help, {{"result", "error"}});
  requeue_total_ =
      &registry.GetCounter("sluice_operator_reconcile_total", total_help, {{"result", "requeue"}});
  duration_ = &registry.GetHistogram("sluice_operator_reconcile_duration_seconds",
                                     "Time one reconcile pass took.", {}, DurationBuckets());

  for (const std::string& ns : options_.namespaces) {
    kube::InformerOptions cluster_options = options_.informer_template;
    cluster_options.ns = ns;
    cluster_options.label_selector.clear();
    auto clusters =
        std::make_unique<kube::Informer>(client, kube::types::kKafkaCluster, cluster_options);
    clusters->AddHandlers(
        kube::InformerHandlers{[this](const web::json::value& o) { EnqueueCluster(o); },
                               [this](const web::json::value& before, const web::json::value& o) {
                                 if (!OnlyStatusChanged(before, o)) EnqueueCluster(o);
                               },
                               [this](const web::json::value& o) { EnqueueCluster(o); }});
    cluster_informers_.push_back(std::move(clusters));

    for (const kube::ResourceType* type :
         {&kube::types::kPod, &kube::types::kPersistentVolumeClaim}) {
      kube::InformerOptions owned_options = options_.informer_template;
      owned_options.ns = ns;
      owned_options.label_selector = kManagedBySelector;
      auto informer = std::make_unique<kube::Informer>(client, *type, owned_options);
      informer->AddHandlers(kube::InformerHandlers{
          [this](const web::json::value& o) { EnqueueOwner(o); },
          [this](const web::json::value&, const web::json::value& o) { EnqueueOwner(o); },
          [this](const web::json::value& o) { EnqueueOwner(o); }});
      owned_informers_.push_back(std::move(informer));
    }
  }
}

ReconcileLoop::~ReconcileLoop() { Stop(); }

void ReconcileLoop::Start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (started_ || stopping_) return;
  for (auto& informer : cluster_informers_) informer->Start();
  for (auto& informer : owned_informers_) informer->Start();
  live_workers_ = options_.workers;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  resync_alive_ = true;
  resync_thread_ = std::thread([this] { ResyncLoop(); });
  started_ = true;
  Log().information("reconcile_loop_started namespaces=%s workers=%d resync_seconds=%d",
                    Describe(options_.namespaces), options_.workers,
                    static_cast<int>(options_.resync.count()));
}

void ReconcileLoop::Stop() {
  std::lock_guard lock(lifecycle_mutex_);
  if (stopping_.exchange(true)) return;
  queue_.ShutDown();
  {
    std::lock_guard resync_lock(resync_mutex_);
    resync_wake_.notify_all();
  }
  for (auto& worker : workers_) worker.join();
  if (resync_thread_.joinable()) resync_thread_.join();
  for (auto& informer : cluster_informers_) informer->Stop();
  for (auto& informer : owned_informers_) informer->Stop();
  if (started_)
    Log().information("reconcile_loop_stopped passes=" + std::to_string(passes_.load()));
}

bool ReconcileLoop::Synced() const {
  if (!started_) return false;
  for (const auto& informer : cluster_informers_) {
    if (!informer->HasSynced()) return false;
  }
  for (const auto& informer : owned_informers_) {
    if (!informer->HasSynced()) return false;
  }
  return true;
}

std::string ReconcileLoop::Unhealthy() const {
  if (!started_) return "";
  if (stopping_) return "stopping";
  if (live_workers_ < options_.workers) {
    return std::to_string(options_.workers - live_workers_) + " worker thread(s) ended";
  }
  if (!resync_alive_) return "resync thread ended";
  return "";
}

size_t ReconcileLoop::ClusterCount() const {
  size_t count = 0;
  for (const auto& informer : cluster_informers_) count += informer->Keys().size();
  return count;
}

void ReconcileLoop::EnqueueCluster(const web::json::value& cluster) {
  queue_.Add(kube::KeyOf(cluster));
}

// A Pod's or PVC's cluster is named by its instance label, in its own namespace (owner
// references never cross namespaces). Objects without the label are not ours to act on.
void ReconcileLoop::EnqueueOwner(const web::json::value& object) {
  auto labels = kube::LabelsOf(object);
  auto it = labels.find(kInstanceLabel);
  if (it == labels.end() || it->second.empty()) return;
  queue_.Add(kube::MakeKey(kube::NamespaceOf(object), it->second));
}

void ReconcileLoop::ResyncLoop() {
  std::unique_lock lock(resync_mutex_);
  while (!stopping_) {
    resync_wake_.wait_for(lock, options_.resync, [this] { return stopping_.load(); });
    if (stopping_) break;
    lock.unlock();
    size_t enqueued = 0;
    for (const auto& informer : cluster_informers_) {
      for (const auto& key : informer->Keys()) {
        queue_.Add(key);
        ++enqueued;
      }
    }
    Debug([&] { return "resync clusters=" + std::to_string(enqueued); });
    lock.lock();
  }
  resync_alive_ = false;
}

void ReconcileLoop::WorkerLoop() {
  while (auto key = queue_.Get()) {
    auto [ns, name] = kube::SplitKey(*key);
    auto started = std::chrono::steady_clock::now();
    reconcile::ReconcileResult result;
    try {
      result = reconcile_(ns, name);
    } catch (const std::exception& e) {
      // The reconciler promises not to throw; if it does, the key backs off instead of the
      // worker thread dying (which /healthz would report, restarting the whole operator).
      result.error = Status::Internal(std::string("reconcile threw: ") + e.what());
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    duration_->Observe(seconds);
    if (!result.error.ok()) {
      error_total_->Increment();
      Log().warning("reconcile cluster=%s result=error retries=%d seconds=%.3f error=\"%s\"", *key,
                    queue_.NumRequeues(*key), seconds, result.error.ToString());
      queue_.AddRateLimited(*key);
    } else if (result.requeue_after) {
      requeue_total_->Increment();
      queue_.Forget(*key);
      queue_.AddAfter(*key, *result.requeue_after);
      Debug([&] {
        return "reconcile cluster=" + *key +
               " result=requeue after_ms=" + std::to_string(result.requeue_after->count()) +
               " seconds=" + std::to_string(seconds);
      });
    } else {
      ok_total_->Increment();
      queue_.Forget(*key);
      Debug([&] {
        return "reconcile cluster=" + *key + " result=ok seconds=" + std::to_string(seconds);
      });
    }
    ++passes_;
    queue_.Done(*key);
  }
  --live_workers_;
}

}  // namespace sluice::operator_app
