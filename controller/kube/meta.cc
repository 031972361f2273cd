#include "controller/kube/meta.h"

#include <ctime>

namespace sluice::kube {
namespace {

const web::json::value* Field(const web::json::value& object, const char* a,
                              const char* b = nullptr) {
  if (!object.is_object() || !object.has_field(a)) return nullptr;
  const web::json::value& first = object.at(a);
  if (b == nullptr) return &first;
  if (!first.is_object() || !first.has_field(b)) return nullptr;
  return &first.at(b);
}

std::string StringField(const web::json::value& object, const char* a, const char* b) {
  const web::json::value* v = Field(object, a, b);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

std::map<std::string, std::string> StringMap(const web::json::value& object, const char* field) {
  std::map<std::string, std::string> out;
  const web::json::value* v = Field(object, "metadata", field);
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& [key, value] : v->as_object()) {
    if (value.is_string()) out[key] = value.as_string();
  }
  return out;
}

}  // namespace

std::string ResourceVersionOf(const web::json::value& object) {
  return StringField(object, "metadata", "resourceVersion");
}
std::string NameOf(const web::json::value& object) {
  return StringField(object, "metadata", "name");
}
std::string NamespaceOf(const web::json::value& object) {
  return StringField(object, "metadata", "namespace");
}
std::string UidOf(const web::json::value& object) { return StringField(object, "metadata", "uid"); }
int64_t GenerationOf(const web::json::value& object) {
  const web::json::value* v = Field(object, "metadata", "generation");
  return v != nullptr && v->is_number() ? v->as_number().to_int64() : 0;
}
std::map<std::string, std::string> LabelsOf(const web::json::value& object) {
  return StringMap(object, "labels");
}
std::map<std::string, std::string> AnnotationsOf(const web::json::value& object) {
  return StringMap(object, "annotations");
}

std::string MakeKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}
std::string KeyOf(const web::json::value& object) {
  return MakeKey(NamespaceOf(object), NameOf(object));
}
std::pair<std::string, std::string> SplitKey(const std::string& key) {
  size_t slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

Status RetryOnConflict(const std::function<Status()>& fn, int attempts) {
  Status status;
  for (int i = 0; i < std::max(attempts, 1); ++i) {
    status = fn();
    if (status.code() != Status::Code::kConflict) return status;
  }
  return status;
}

Status StatusFromHttp(int http_status, std::string_view method, std::string_view path,
                      std::string_view body) {
  if (http_status >= 200 && http_status < 300) return Status::Ok();
  std::string message;
  std::string reason;
  try {
    web::json::value parsed = web::json::value::parse(std::string(body));
    if (parsed.is_object() && parsed.has_field("message") && parsed.at("message").is_string()) {
      message = parsed.at("message").as_string();
    }
    if (parsed.is_object() && parsed.has_field("reason") && parsed.at("reason").is_string()) {
      reason = parsed.at("reason").as_string();
    }
  } catch (const web::json::json_exception&) {
    // Not a metav1.Status (a proxy's HTML page, an empty body): show the raw body instead.
  }
  if (message.empty()) message = std::string(body.substr(0, 512));
  if (message.empty()) message = "(empty response body)";
  std::string text = "HTTP " + std::to_string(http_status) + " " + std::string(method) + " " +
                     std::string(path) + ": ";
  switch (http_status) {
    case 404:
      return Status::NotFound(text + message);
    case 409:
      if (reason == "AlreadyExists") return Status::AlreadyExists(text + message);
      return Status::Conflict(text + message);
    case 410:
      return Status::OutOfRange(text + message);
    case 400:
    case 422:
      return Status::InvalidArgument(text + message);
    case 401:
      return Status::IoError(text +
                             "unauthorized (token or client certificate rejected): " + message);
    case 403:
      return Status::IoError(text + "forbidden: " + message);
    case 429:
      return Status::Unavailable(text + "too many requests: " + message);
    default:
      if (http_status >= 500) return Status::Unavailable(text + message);
      return Status::InvalidArgument(text + message);
  }
}

bool LineSplitter::Feed(std::string_view data,
                        const std::function<bool(std::string_view)>& on_line) {
  pending_.append(data);
  size_t start = 0;
  bool keep_going = true;
  while (keep_going) {
    size_t newline = pending_.find('\n', start);
    if (newline == std::string::npos) break;
    std::string_view line(pending_.data() + start, newline - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) keep_going = on_line(line);
    start = newline + 1;
  }
  pending_.erase(0, start);
  return keep_going;
}

Result<WatchEvent> ParseWatchLine(std::string_view line) {
  web::json::value parsed;
  try {
    parsed = web::json::value::parse(std::string(line));
  } catch (const web::json::json_exception& e) {
    return Status::Corruption("watch event is not JSON (" + std::string(e.what()) +
                              "): " + std::string(line.substr(0, 200)));
  }
  if (!parsed.is_object() || !parsed.has_field("type") || !parsed.at("type").is_string() ||
      !parsed.has_field("object")) {
    return Status::Corruption("watch event lacks type/object: " + std::string(line.substr(0, 200)));
  }
  const std::string type = parsed.at("type").as_string();
  WatchEvent event;
  event.object = parsed.at("object");
  if (type == "ADDED") {
    event.type = WatchEvent::Type::kAdded;
  } else if (type == "MODIFIED") {
    event.type = WatchEvent::Type::kModified;
  } else if (type == "DELETED") {
    event.type = WatchEvent::Type::kDeleted;
  } else if (type == "BOOKMARK") {
    event.type = WatchEvent::Type::kBookmark;
  } else if (type == "ERROR") {
    int code = 500;
    if (event.object.is_object() && event.object.has_field("code") &&
        event.object.at("code").is_number()) {
      code = event.object.at("code").as_integer();
    }
    Status mapped = StatusFromHttp(code, "WATCH", "(ERROR event)", event.object.serialize());
    if (mapped.ok()) mapped = Status::Unavailable("watch ERROR event: " + event.object.serialize());
    return mapped;
  } else {
    return Status::Corruption("unknown watch event type '" + type + "'");
  }
  return event;
}

namespace {
std::string FormatUtc(std::chrono::system_clock::time_point t, bool micro) {
  auto since_epoch = t.time_since_epoch();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds);
  std::time_t tt = seconds.count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buffer, n);
  if (micro) {
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06lld", static_cast<long long>(micros.count()));
    out += fraction;
  }
  return out + "Z";
}
}  // namespace

std::string FormatTime(std::chrono::system_clock::time_point t) { return FormatUtc(t, false); }
std::string FormatMicroTime(std::chrono::system_clock::time_point t) { return FormatUtc(t, true); }

}  // namespace sluice::kube
