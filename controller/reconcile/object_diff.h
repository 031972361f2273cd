// Comparing a desired object with the one the API server has, on the fields the operator owns.
//
// The server adds defaults (a Service port's protocol and targetPort, a pod template's
// terminationMessagePath, clusterIP, ...). Comparing whole objects would see a difference on
// every pass and PUT forever, so reconcile compares only what it owns, and only the fields the
// desired object sets: `desired` is "in sync" when it is a subset of `actual`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <cpprest/json.h>

namespace sluice::reconcile {

// True when every field set in `desired` has the same value in `actual`: objects recursively
// (keys only in `actual` are ignored), arrays element-wise with the same length, scalars equal
// (numbers by value, so 1 and 1.0 match).
bool IsSubset(const web::json::value& desired, const web::json::value& actual);

// A field path such as {"spec", "template"}.
using FieldPath = std::vector<std::string>;

// The fields the operator owns on an object of `kind`, beyond metadata.labels, metadata.annotations
// (merged key by key) and metadata.ownerReferences. Immutable fields (a StatefulSet's selector
// and volumeClaimTemplates, a PVC's spec, a Pod's spec) are never listed: they are set at create.
std::vector<FieldPath> OwnedFields(const std::string& kind);

// nullopt when `actual` already has what `desired` says on the owned fields. Otherwise the object
// to PUT: `actual` (keeping its resourceVersion and everything the server filled in) with each
// owned field replaced by desired's, and desired's labels and annotations merged in.
std::optional<web::json::value> MergeOwnedFields(const std::string& kind,
                                                 const web::json::value& desired,
                                                 const web::json::value& actual);

}  // namespace sluice::reconcile
