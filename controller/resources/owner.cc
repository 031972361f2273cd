// Ownership and metadata every object carries: the cluster's labels and an ownerReference that
// makes the KafkaCluster the controller of the object, so deleting the cluster lets the garbage
// collector remove it and so another controller will not adopt it.
#include <string>

#include "controller/api/defaults.h"
#include "controller/resources/builders.h"
#include "controller/resources/object_meta.h"

namespace sluice::operator_resources {

using internal::Arr;
using internal::Bool;
using internal::Int;
using internal::Json;
using internal::Obj;
using internal::Str;

web::json::value OwnerReference(const KafkaCluster& c) {
  return Obj({
      {"apiVersion", Str(operator_api::kApiVersion)},
      {"kind", Str(operator_api::kKind)},
      {"name", Str(c.metadata.name)},
      {"uid", Str(c.metadata.uid)},
      {"controller", Bool(true)},
      // Foreground deletion of the cluster waits for its objects (needs delete permission on
      // kafkaclusters, which the operator's role has).
      {"blockOwnerDeletion", Bool(true)},
  });
}

namespace internal {

std::string ServiceFqdn(const KafkaCluster& c, const std::string& service) {
  return service + "." + c.metadata.namespace_ + ".svc.cluster.local";
}

Json CommonLabels(const KafkaCluster& c, std::string_view component) {
  return Obj({
      {"app.kubernetes.io/name", Str("sluice")},
      {"app.kubernetes.io/instance", Str(c.metadata.name)},
      {"app.kubernetes.io/component", Str(component)},
      {"app.kubernetes.io/managed-by", Str("sluice-operator")},
  });
}

Json BrokerLabels(const KafkaCluster& c, int32_t id) {
  Json labels = CommonLabels(c, kBrokerComponent);
  labels[kBrokerIdLabel] = Str(std::to_string(id));
  return labels;
}

Json ComponentSelector(const KafkaCluster& c, std::string_view component) {
  return Obj({
      {"app.kubernetes.io/instance", Str(c.metadata.name)},
      {"app.kubernetes.io/component", Str(component)},
  });
}

Json BrokerSelector(const KafkaCluster& c, int32_t id) {
  Json selector = ComponentSelector(c, kBrokerComponent);
  selector[kBrokerIdLabel] = Str(std::to_string(id));
  return selector;
}

Json ObjectMetadata(const KafkaCluster& c, const std::string& name, Json labels) {
  return Obj({
      {"name", Str(name)},
      {"namespace", Str(c.metadata.namespace_)},
      {"labels", std::move(labels)},
      {"ownerReferences", Arr({OwnerReference(c)})},
  });
}

Json ServicePort(std::string_view name, int32_t port, Json target_port) {
  return Obj({
      {"name", Str(name)},
      {"port", Int(port)},
      {"protocol", Str("TCP")},
      {"targetPort", std::move(target_port)},
  });
}

Json ContainerPort(std::string_view name, int32_t port) {
  return Obj({{"name", Str(name)}, {"containerPort", Int(port)}, {"protocol", Str("TCP")}});
}

const operator_api::BrokerOverride* FindBrokerOverride(const KafkaCluster& c, int32_t id) {
  for (const auto& broker : c.spec.brokers) {
    if (broker.id == id) return &broker;
  }
  return nullptr;
}

operator_api::StorageSpec BrokerStorage(const KafkaCluster& c, int32_t id) {
  return operator_api::EffectiveStorage(c.spec, id);
}

Json SpreadOverHostnames(const KafkaCluster& c, std::string_view component) {
  return Obj({{"preferredDuringSchedulingIgnoredDuringExecution",
               Arr({Obj({
                   {"weight", Int(100)},
                   {"podAffinityTerm",
                    Obj({
                        {"labelSelector", Obj({{"matchLabels", ComponentSelector(c, component)}})},
                        {"topologyKey", Str("kubernetes.io/hostname")},
                    })},
               })})}});
}

bool HasResources(const operator_api::ResourcesSpec& resources) {
  return resources.value.is_object() && resources.value.size() > 0;
}

}  // namespace internal
}  // namespace sluice::operator_resources
