#include "controller/kube/leader_election.h"

#include <random>

#include <Poco/Logger.h>

#include "controller/kube/meta.h"

namespace sluice::kube {
namespace {

Poco::Logger& Log() { return Poco::Logger::get("operator.kube.leader"); }

std::string SpecString(const web::json::value& lease, const char* field) {
  if (!lease.has_field("spec") || !lease.at("spec").has_field(field)) return "";
  const web::json::value& v = lease.at("spec").at(field);
  return v.is_string() ? v.as_string() : "";
}

int64_t SpecInt(const web::json::value& lease, const char* field) {
  if (!lease.has_field("spec") || !lease.at("spec").has_field(field)) return 0;
  const web::json::value& v = lease.at("spec").at(field);
  return v.is_number() ? v.as_number().to_int64() : 0;
}

}  // namespace

Result<std::unique_ptr<LeaderElector>> LeaderElector::Create(Client& client,
                                                             LeaderElectionConfig config) {
  if (config.lease_name.empty() || config.lease_namespace.empty() || config.identity.empty()) {
    return Status::InvalidArgument(
        "leader election needs a lease namespace, a lease name and an identity");
  }
  if (!(config.lease_duration > config.renew_deadline)) {
    return Status::InvalidArgument("leader election: lease duration must exceed renew deadline");
  }
  if (!(config.renew_deadline.count() > 1.2 * config.retry_period.count())) {
    return Status::InvalidArgument(
        "leader election: renew deadline must exceed 1.2 * retry period");
  }
  if (!config.now) config.now = [] { return std::chrono::steady_clock::now(); };
  if (!config.wall) config.wall = [] { return std::chrono::system_clock::now(); };
  return std::unique_ptr<LeaderElector>(new LeaderElector(client, std::move(config)));
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config)
    : client_(client), config_(std::move(config)) {}

std::string LeaderElector::ObservedLeader() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return observed_holder_;
}

bool LeaderElector::TryAcquireOrRenew() {
  const auto now = config_.now();
  const std::string now_text = FormatMicroTime(config_.wall());
  const int64_t duration_seconds = std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count());

  Result<web::json::value> current =
      client_.Get(types::kLease, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) {
    if (current.status().code() != Status::Code::kNotFound) {
      Log().warning("leader election: reading Lease " + config_.lease_namespace + "/" +
                    config_.lease_name + ": " + current.status().ToString());
      return false;
    }
    web::json::value lease = web::json::value::object();
    lease["apiVersion"] = web::json::value::string("coordination.k8s.io/v1");
    lease["kind"] = web::json::value::string("Lease");
    lease["metadata"]["name"] = web::json::value::string(config_.lease_name);
    lease["metadata"]["namespace"] = web::json::value::string(config_.lease_namespace);
    lease["spec"]["holderIdentity"] = web::json::value::string(config_.identity);
    lease["spec"]["leaseDurationSeconds"] = web::json::value::number(duration_seconds);
    lease["spec"]["acquireTime"] = web::json::value::string(now_text);
    lease["spec"]["renewTime"] = web::json::value::string(now_text);
    lease["spec"]["leaseTransitions"] = web::json::value::number(0);
    Result<web::json::value> created =
        client_.Create(types::kLease, config_.lease_namespace, lease);
    if (!created.ok()) {
      if (created.status().code() != Status::Code::kAlreadyExists) {
        Log().warning("leader election: creating Lease: " + created.status().ToString());
      }
      return false;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    observed_lease_ = *created;
    observed_spec_ = created->at("spec").serialize();
    observed_holder_ = config_.identity;
    observed_rv_ = ResourceVersionOf(*created);
    observed_time_ = now;
    return true;
  }

  const web::json::value& lease = *current;
  const std::string holder = SpecString(lease, "holderIdentity");
  const std::string spec = lease.has_field("spec") ? lease.at("spec").serialize() : "";
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (spec != observed_spec_ || observed_rv_.empty()) {
      observed_spec_ = spec;
      observed_rv_ = ResourceVersionOf(lease);
      observed_time_ = now;
      observed_lease_ = lease;
    }
    if (holder != observed_holder_) {
      observed_holder_ = holder;
      if (config_.on_new_leader && !holder.empty()) config_.on_new_leader(holder);
    }
    // Someone else holds it and it changed within the lease duration (by our clock): wait.
    if (!holder.empty() && holder != config_.identity &&
        now < observed_time_ + config_.lease_duration) {
      return false;
    }
  }

  web::json::value updated = lease;
  const bool already_ours = holder == config_.identity;
  updated["spec"]["holderIdentity"] = web::json::value::string(config_.identity);
  updated["spec"]["leaseDurationSeconds"] = web::json::value::number(duration_seconds);
  updated["spec"]["renewTime"] = web::json::value::string(now_text);
  if (!already_ours) {
    updated["spec"]["acquireTime"] = web::json::value::string(now_text);
    updated["spec"]["leaseTransitions"] =
        web::json::value::number(SpecInt(lease, "leaseTransitions") + 1);
  }
  Result<web::json::value> written =
      client_.Update(types::kLease, config_.lease_namespace, updated);
  if (!written.ok()) {
    if (written.status().code() != Status::Code::kConflict) {
      Log().warning("leader election: updating Lease: " + written.status().ToString());
    }
    return false;  // 409: another candidate wrote first
  }
  std::lock_guard<std::mutex> lock(mutex_);
  observed_lease_ = *written;
  observed_spec_ = written->at("spec").serialize();
  observed_rv_ = ResourceVersionOf(*written);
  observed_holder_ = config_.identity;
  observed_time_ = now;
  return true;
}

Status LeaderElector::Release() {
  Result<web::json::value> current =
      client_.Get(types::kLease, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) return current.status();
  if (SpecString(*current, "holderIdentity") != config_.identity) return Status::Ok();
  web::json::value released = *current;
  const std::string now_text = FormatMicroTime(config_.wall());
  released["spec"]["holderIdentity"] = web::json::value::string("");
  released["spec"]["leaseDurationSeconds"] = web::json::value::number(1);
  released["spec"]["renewTime"] = web::json::value::string(now_text);
  released["spec"]["acquireTime"] = web::json::value::string(now_text);
  Result<web::json::value> written =
      client_.Update(types::kLease, config_.lease_namespace, released);
  leader_ = false;
  return written.ok() ? Status::Ok() : written.status();
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_changed_.notify_all();
}

bool LeaderElector::WaitUnlessStopped(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !stop_changed_.wait_for(lock, delay, [this] { return stopping_; });
}

std::chrono::milliseconds LeaderElector::Jittered(std::chrono::milliseconds base) {
  thread_local std::mt19937_64 random{std::random_device()()};
  std::uniform_real_distribution<double> factor(1.0, 1.2);
  return std::chrono::milliseconds(static_cast<int64_t>(base.count() * factor(random)));
}

bool LeaderElector::Run() {
  // Campaign.
  while (!TryAcquireOrRenew()) {
    if (!WaitUnlessStopped(Jittered(config_.retry_period))) return false;
  }
  leader_ = true;
  Log().information("leader election: " + config_.identity + " now leads via Lease " +
                    config_.lease_namespace + "/" + config_.lease_name);
  if (config_.on_started_leading) config_.on_started_leading();

  // Renew.
  auto last_renew = config_.now();
  bool stopped = false;
  while (true) {
    if (!WaitUnlessStopped(config_.retry_period)) {
      stopped = true;
      break;
    }
    if (TryAcquireOrRenew()) {
      last_renew = config_.now();
      continue;
    }
    if (config_.now() - last_renew >= config_.renew_deadline) {
      Log().error("leader election: " + config_.identity + " could not renew Lease " +
                  config_.lease_namespace + "/" + config_.lease_name +
                  " within the renew deadline; " + "stopping leading");
      break;
    }
  }
  leader_ = false;
  if (stopped && config_.release_on_stop) {
    Status released = Release();
    if (!released.ok()) Log().warning("leader election: release: " + released.ToString());
  }
  if (config_.on_stopped_leading) config_.on_stopped_leading();
  return true;
}

}  // namespace sluice::kube
