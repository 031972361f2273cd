// Defaulting: fills what a user left out of a KafkaCluster.
//
// Most defaults are the C++ types' initial values, which FromJson keeps for absent fields and
// which the CRD's OpenAPI `default`s repeat (crd_test keeps them equal). WithDefaults adds what
// the API server cannot express:
//   - spec.image: sluice/broker:<this operator's version>, so an operator upgrade upgrades
//     brokers that did not pin an image (the CRD cannot know the version);
//   - spec.zookeeper: a managed 3-node ensemble when neither managed nor external is given
//     (an OpenAPI default cannot depend on a sibling field);
//   - spec.brokers[].storage: a volume field a broker's override leaves empty inherits
//     spec.storage's (size, storageClassName).
// WithDefaults(WithDefaults(c)) == WithDefaults(c).
#pragma once

#include <string>

#include "controller/api/kafka_cluster.h"

namespace sluice::operator_api {

// The version this operator was built as (the CMake project version, e.g. "0.1.0").
std::string OperatorVersion();

// "sluice/broker:<OperatorVersion()>".
std::string DefaultBrokerImage();

KafkaCluster WithDefaults(KafkaCluster cluster);

// A broker's volumes after inheritance: the override's fields where set, spec.storage's elsewhere.
StorageSpec EffectiveStorage(const KafkaClusterSpec& spec, int32_t broker_id);

}  // namespace sluice::operator_api
