// PodDisruptionBudgets: a voluntary disruption (node drain) may take one broker and one
// ZooKeeper member at a time, which a replication factor of 3 with min.insync.replicas 2 and a
// three-member ensemble both survive. The operator's own restarts also go one at a time.
#include <string>

#include "controller/resources/builders.h"
#include "controller/resources/object_meta.h"

namespace sluice::operator_resources {

namespace {

using internal::Int;
using internal::Json;
using internal::Obj;
using internal::Str;

// The same shape in policy/v1beta1 (Kubernetes 1.20) and policy/v1 (1.21+).
Json PodDisruptionBudget(const KafkaCluster& c, const std::string& name, std::string_view component,
                         const std::string& api_version) {
  return Obj({
      {"apiVersion", Str(api_version)},
      {"kind", Str("PodDisruptionBudget")},
      {"metadata", internal::ObjectMetadata(c, name, internal::CommonLabels(c, component))},
      {"spec", Obj({
                   {"maxUnavailable", Int(1)},
                   {"selector", Obj({{"matchLabels", internal::ComponentSelector(c, component)}})},
               })},
  });
}

}  // namespace

web::json::value ZooKeeperPodDisruptionBudget(const KafkaCluster& c,
                                              const std::string& pdb_api_version) {
  return PodDisruptionBudget(c, ZooKeeperName(c), internal::kZooKeeperComponent, pdb_api_version);
}

web::json::value BrokersPodDisruptionBudget(const KafkaCluster& c,
                                            const std::string& pdb_api_version) {
  return PodDisruptionBudget(c, BrokersPdbName(c), internal::kBrokerComponent, pdb_api_version);
}

}  // namespace sluice::operator_resources
