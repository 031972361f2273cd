// KafkaCluster <-> the JSON the API server stores (camelCase names from controller/README.md).
//
// FromJson is strict about spec and status: a field the schema does not have, a value of the
// wrong type or an unknown enum string is an error naming its JSON path
// (`spec.replicas: expected an integer, got "three"`). The API server prunes unknown fields
// before storing, so an unknown field here means the installed CRD and this operator disagree
// about the resource's shape, which is worth saying rather than silently ignoring. In metadata
// only the fields ObjectMeta holds are read; the rest (managedFields, ownerReferences...) are
// ignored because they are the API server's business.
//
// Missing spec fields take the C++ types' initial values, which are the CRD's defaults; what
// the CRD cannot default (the image, the ZooKeeper choice, per-broker storage inheritance) is
// left for WithDefaults (defaults.h).
#pragma once

#include <string>

#include <cpprest/json.h>

#include "controller/api/kafka_cluster.h"
#include "libs/base/status.h"

namespace sluice::operator_api {

// Parses a whole KafkaCluster object (apiVersion, kind, metadata, spec, status). apiVersion and
// kind may be absent; when present they must be sluice.dev/v1alpha1 and KafkaCluster.
Result<KafkaCluster> FromJson(const web::json::value& object);

// The whole object: apiVersion, kind, metadata, spec, status. Config values are written as
// strings. Optional structs (listeners.external, rackAwareness, a broker's resources/storage,
// zookeeper.managed/external) appear only when set, and empty spec strings are left out,
// because an API server 1.20 built with Go >= 1.16 refuses "" in a custom resource
// (kubernetes/kubernetes#99804). FromJson(ToJson(c)) == c for every c in which no string
// whose type has a non-empty default (imagePullPolicy, the ZooKeeper image, topologyKey) is "".
web::json::value ToJson(const KafkaCluster& cluster);

web::json::value SpecToJson(const KafkaClusterSpec& spec);

// Every status field, with null for an empty string and for an unset replacedBy or
// lastAppliedSpec, so that the result works both as a PUT to /status (the API server prunes the
// nulls) and as a merge patch (null deletes what no longer applies). FromJson reads null and
// absent fields as empty. lastAppliedSpec is written as SpecToJson writes a spec (the CRD keeps
// it as a free-form object rather than repeating the spec's schema) and read back as strictly.
web::json::value StatusToJson(const KafkaClusterStatus& status);

// The JSON name of a broker phase ("Pending", "Running", ...) and back.
std::string BrokerPhaseName(BrokerPhase phase);
Result<BrokerPhase> ParseBrokerPhase(const std::string& name);

}  // namespace sluice::operator_api
