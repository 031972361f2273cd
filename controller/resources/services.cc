// The brokers' Services.
//
// - C-broker-<id>: the address a broker advertises
// (C-broker-<id>.NS.svc.cluster.local:basePort+id),
//   and with an external listener its NodePort (nodePortBase+id on every node).
// - C-brokers: headless, the pods' own DNS names (hostname C-broker-<id>, subdomain C-brokers).
// - C-bootstrap: where clients start; only ready brokers take new connections.
#include <string>

#include "controller/resources/builders.h"
#include "controller/resources/object_meta.h"

namespace sluice::operator_resources {

namespace {

using internal::Arr;
using internal::Bool;
using internal::Int;
using internal::Json;
using internal::kBrokerComponent;
using internal::Obj;
using internal::Str;

Json BrokerServiceMetadata(const KafkaCluster& c, const std::string& name) {
  return internal::ObjectMetadata(c, name, internal::CommonLabels(c, kBrokerComponent));
}

}  // namespace

web::json::value BrokerService(const KafkaCluster& c, int32_t id) {
  const auto& listeners = c.spec.listeners;
  std::vector<Json> ports;
  ports.push_back(internal::ServicePort("kafka", listeners.internal.base_port + id, Str("kafka")));
  if (listeners.external) {
    const int32_t external_port = listeners.external->node_port_base + id;
    Json port = internal::ServicePort("external", external_port, Str("external"));
    port["nodePort"] = Int(external_port);
    ports.push_back(std::move(port));
  }
  return Obj({
      {"apiVersion", Str("v1")},
      {"kind", Str("Service")},
      {"metadata", internal::ObjectMetadata(c, BrokerName(c, id), internal::BrokerLabels(c, id))},
      {"spec",
       Obj({
           {"type", Str(listeners.external ? "NodePort" : "ClusterIP")},
           {"selector", internal::BrokerSelector(c, id)},
           {"ports", Arr(std::move(ports))},
           // This is the advertised address other brokers replicate through and clients reach
           // from metadata. It must work whenever the broker process runs, also while it is not
           // ready: during start-up the controller broker already sends it LeaderAndIsr, and
           // during a controlled shutdown (readiness off) followers still fetch from it.
           {"publishNotReadyAddresses", Bool(true)},
       })},
  });
}

web::json::value BrokersHeadlessService(const KafkaCluster& c) {
  return Obj({
      {"apiVersion", Str("v1")},
      {"kind", Str("Service")},
      {"metadata", BrokerServiceMetadata(c, BrokersHeadlessName(c))},
      {"spec",
       Obj({
           {"clusterIP", Str("None")},
           {"publishNotReadyAddresses", Bool(true)},
           {"selector", internal::ComponentSelector(c, kBrokerComponent)},
           // Each pod's kafka port differs (basePort+id); the named targetPort resolves per pod.
           {"ports",
            Arr({
                internal::ServicePort("kafka", c.spec.listeners.internal.base_port, Str("kafka")),
                internal::ServicePort("admin", c.spec.admin_port, Str("admin")),
            })},
       })},
  });
}

web::json::value BootstrapService(const KafkaCluster& c) {
  return Obj({
      {"apiVersion", Str("v1")},
      {"kind", Str("Service")},
      {"metadata", BrokerServiceMetadata(c, BootstrapServiceName(c))},
      {"spec", Obj({
                   {"type", Str("ClusterIP")},
                   {"selector", internal::ComponentSelector(c, kBrokerComponent)},
                   {"ports", Arr({internal::ServicePort(
                                 "kafka", c.spec.listeners.internal.base_port, Str("kafka"))})},
               })},
  });
}

}  // namespace sluice::operator_resources
