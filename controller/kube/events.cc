#include "controller/kube/events.h"

#include <Poco/Logger.h>

#include "controller/kube/meta.h"

namespace sluice::kube {
namespace {

Poco::Logger& Log() { return Poco::Logger::get("operator.kube.events"); }

constexpr size_t kMaxNoteBytes = 1024;

std::string Field(const web::json::value& object, const char* name) {
  return object.has_field(name) && object.at(name).is_string() ? object.at(name).as_string() : "";
}

bool IsReference(const web::json::value& object) { return !object.has_field("metadata"); }

// Names must be unique and DNS-subdomain: "<regarding name>.<hex nanoseconds>" like client-go.
std::string EventName(const std::string& regarding_name, std::chrono::system_clock::time_point t) {
  char hex[32];
  std::snprintf(
      hex, sizeof hex, "%llx",
      static_cast<unsigned long long>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count()));
  std::string base = regarding_name.empty() ? "event" : regarding_name;
  if (base.size() > 200) base.resize(200);
  return base + "." + hex;
}

}  // namespace

web::json::value ObjectReferenceTo(const web::json::value& object) {
  if (IsReference(object)) return object;
  web::json::value reference = web::json::value::object();
  reference["apiVersion"] = web::json::value::string(Field(object, "apiVersion"));
  reference["kind"] = web::json::value::string(Field(object, "kind"));
  if (!NamespaceOf(object).empty()) {
    reference["namespace"] = web::json::value::string(NamespaceOf(object));
  }
  reference["name"] = web::json::value::string(NameOf(object));
  if (!UidOf(object).empty()) reference["uid"] = web::json::value::string(UidOf(object));
  if (!ResourceVersionOf(object).empty()) {
    reference["resourceVersion"] = web::json::value::string(ResourceVersionOf(object));
  }
  return reference;
}

web::json::value BuildEvent(const EventRecorderOptions& options, const web::json::value& regarding,
                            const std::optional<web::json::value>& related, EventType type,
                            const std::string& reason, const std::string& action,
                            const std::string& note, std::chrono::system_clock::time_point now) {
  web::json::value reference = ObjectReferenceTo(regarding);
  std::string ns = Field(reference, "namespace");
  if (ns.empty()) ns = "default";  // events about cluster-scoped objects
  web::json::value event = web::json::value::object();
  event["apiVersion"] = web::json::value::string("events.k8s.io/v1");
  event["kind"] = web::json::value::string("Event");
  event["metadata"]["name"] = web::json::value::string(EventName(Field(reference, "name"), now));
  event["metadata"]["namespace"] = web::json::value::string(ns);
  event["eventTime"] = web::json::value::string(FormatMicroTime(now));
  event["regarding"] = reference;
  if (related) event["related"] = ObjectReferenceTo(*related);
  event["reason"] = web::json::value::string(reason);
  event["action"] = web::json::value::string(action.substr(0, 128));
  std::string short_note = note;
  if (short_note.size() > kMaxNoteBytes) {
    short_note.resize(kMaxNoteBytes - 3);
    // Do not cut a UTF-8 sequence in half: back up to a lead byte.
    while (!short_note.empty() && (static_cast<unsigned char>(short_note.back()) & 0xC0) == 0x80) {
      short_note.pop_back();
    }
    if (!short_note.empty() && (static_cast<unsigned char>(short_note.back()) & 0x80) != 0) {
      short_note.pop_back();
    }
    short_note += "...";
  }
  event["note"] = web::json::value::string(short_note);
  event["type"] = web::json::value::string(type == EventType::kWarning ? "Warning" : "Normal");
  event["reportingController"] = web::json::value::string(options.reporting_controller);
  event["reportingInstance"] =
      web::json::value::string(options.reporting_instance.empty() ? options.reporting_controller
                                                                  : options.reporting_instance);
  return event;
}

EventRecorder::EventRecorder(Client& client, EventRecorderOptions options)
    : client_(client), options_(std::move(options)) {
  thread_ = std::thread([this] { Loop(); });
}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventRecorder::Record(const web::json::value& regarding, EventType type,
                           const std::string& reason, const std::string& action,
                           const std::string& note,
                           const std::optional<web::json::value>& related) {
  const auto now = options_.wall ? options_.wall() : std::chrono::system_clock::now();
  Pending pending;
  pending.event = BuildEvent(options_, regarding, related, type, reason, action, note, now);
  const web::json::value& reference = pending.event.at("regarding");
  pending.series_key = Field(reference, "kind") + "/" + Field(reference, "namespace") + "/" +
                       Field(reference, "name") + "/" + Field(reference, "uid") + "|" + reason +
                       "|" + pending.event.at("note").as_string();
  pending.at = now;
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return;
  if (queue_.size() >= options_.max_queued) {
    queue_.pop_front();
    ++dropped_;
  }
  queue_.push_back(std::move(pending));
  changed_.notify_all();
}

bool EventRecorder::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return queue_.empty() && !sending_; });
}

size_t EventRecorder::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

void EventRecorder::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    sending_ = true;
    lock.unlock();
    Send(std::move(pending));
    lock.lock();
    sending_ = false;
    changed_.notify_all();
  }
}

void EventRecorder::Send(Pending pending) {
  // Forget series older than the window, so the map stays small.
  for (auto it = series_.begin(); it != series_.end();) {
    if (pending.at - it->second.first > options_.series_window) {
      it = series_.erase(it);
    } else {
      ++it;
    }
  }
  auto existing = series_.find(pending.series_key);
  if (existing != series_.end()) {
    Series& series = existing->second;
    web::json::value patch = web::json::value::object();
    patch["series"]["count"] = web::json::value::number(series.count + 1);
    patch["series"]["lastObservedTime"] = web::json::value::string(FormatMicroTime(pending.at));
    Result<web::json::value> patched =
        client_.MergePatch(types::kEvent, series.ns, series.name, patch);
    if (patched.ok()) {
      ++series.count;
      return;
    }
    // The Event is gone (TTL) or unreachable: start a new one.
    Log().information("event series " + series.ns + "/" + series.name +
                      " not updated, posting a new Event: " + patched.status().ToString());
    series_.erase(existing);
  }
  const std::string ns = pending.event.at("metadata").at("namespace").as_string();
  Result<web::json::value> created = client_.Create(types::kEvent, ns, pending.event);
  if (!created.ok()) {
    Log().warning("event " + pending.event.at("reason").as_string() + " about " +
                  pending.series_key + " not recorded: " + created.status().ToString());
    return;
  }
  Series series;
  series.ns = ns;
  series.name = NameOf(*created);
  series.first = pending.at;
  series_[pending.series_key] = series;
}

}  // namespace sluice::kube
