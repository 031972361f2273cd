#include "controller/reconcile/object_diff.h"

namespace sluice::reconcile {

namespace {

using web::json::value;

bool NumbersEqual(const value& a, const value& b) {
  if (a.is_integer() && b.is_integer()) return a.as_number().to_int64() == b.as_number().to_int64();
  return a.as_double() == b.as_double();
}

// The value at `path`, or nullptr when some step is missing or not an object.
const value* Find(const value& object, const FieldPath& path) {
  const value* at = &object;
  for (const auto& key : path) {
    if (!at->is_object() || !at->has_field(key)) return nullptr;
    at = &at->at(key);
  }
  return at;
}

void Put(value& object, const FieldPath& path, const value& v) {
  value* at = &object;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!at->is_object()) *at = value::object();
    if (!at->has_field(path[i]) || !at->at(path[i]).is_object()) (*at)[path[i]] = value::object();
    at = &(*at)[path[i]];
  }
  (*at)[path.back()] = v;
}

// Merges desired's string map at metadata.<field> into actual's; true when something changed.
bool MergeMetadataMap(const value& desired, value& actual, const std::string& field) {
  const value* want = Find(desired, {"metadata", field});
  if (want == nullptr || !want->is_object()) return false;
  const value* have = Find(actual, {"metadata", field});
  if (have != nullptr && IsSubset(*want, *have)) return false;
  value merged = (have != nullptr && have->is_object()) ? *have : value::object();
  for (const auto& [key, v] : want->as_object()) merged[key] = v;
  Put(actual, {"metadata", field}, merged);
  return true;
}

}  // namespace

bool IsSubset(const value& desired, const value& actual) {
  if (desired.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& [key, v] : desired.as_object()) {
      if (!actual.has_field(key)) {
        // A field the desired object sets to null or empty is the same as absent.
        if (v.is_null() || (v.is_object() && v.size() == 0) || (v.is_array() && v.size() == 0)) {
          continue;
        }
        return false;
      }
      if (!IsSubset(v, actual.at(key))) return false;
    }
    return true;
  }
  if (desired.is_array()) {
    if (!actual.is_array() || actual.size() != desired.size()) return false;
    for (size_t i = 0; i < desired.size(); ++i) {
      if (!IsSubset(desired.at(i), actual.at(i))) return false;
    }
    return true;
  }
  if (desired.is_number()) return actual.is_number() && NumbersEqual(desired, actual);
  return desired == actual;
}

std::vector<FieldPath> OwnedFields(const std::string& kind) {
  if (kind == "ConfigMap") return {{"data"}};
  if (kind == "Service") {
    return {{"spec", "ports"},
            {"spec", "selector"},
            {"spec", "type"},
            {"spec", "publishNotReadyAddresses"}};
  }
  if (kind == "StatefulSet") {
    return {{"spec", "replicas"}, {"spec", "template"}, {"spec", "updateStrategy"}};
  }
  if (kind == "PodDisruptionBudget") return {{"spec", "maxUnavailable"}, {"spec", "selector"}};
  return {};  // Pod, PersistentVolumeClaim: metadata only
}

std::optional<value> MergeOwnedFields(const std::string& kind, const value& desired,
                                      const value& actual) {
  value updated = actual;
  bool changed = false;
  for (const FieldPath& path : OwnedFields(kind)) {
    const value* want = Find(desired, path);
    if (want == nullptr) continue;
    const value* have = Find(actual, path);
    if (have != nullptr && IsSubset(*want, *have)) continue;
    Put(updated, path, *want);
    changed = true;
  }
  changed |= MergeMetadataMap(desired, updated, "labels");
  changed |= MergeMetadataMap(desired, updated, "annotations");
  if (const value* owners = Find(desired, {"metadata", "ownerReferences"}); owners != nullptr) {
    const value* have = Find(actual, {"metadata", "ownerReferences"});
    if (have == nullptr || !IsSubset(*owners, *have)) {
      Put(updated, {"metadata", "ownerReferences"}, *owners);
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return updated;
}

}  // namespace sluice::reconcile
