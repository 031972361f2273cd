// ResourceType paths and the kinds the operator uses.
#include "controller/kube/client.h"

namespace sluice::kube {

std::string ResourceType::Path(const std::string& ns, const std::string& name,
                               const std::string& subresource) const {
  std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) path += "/namespaces/" + ns;
  path += "/" + plural;
  if (!name.empty()) {
    path += "/" + name;
    if (!subresource.empty()) path += "/" + subresource;
  }
  return path;
}

namespace types {
const ResourceType kPod{"", "v1", "Pod", "pods", true};
const ResourceType kService{"", "v1", "Service", "services", true};
const ResourceType kConfigMap{"", "v1", "ConfigMap", "configmaps", true};
const ResourceType kPersistentVolumeClaim{"", "v1", "PersistentVolumeClaim",
                                          "persistentvolumeclaims", true};
const ResourceType kNode{"", "v1", "Node", "nodes", false};
const ResourceType kEndpoints{"", "v1", "Endpoints", "endpoints", true};
const ResourceType kStatefulSet{"apps", "v1", "StatefulSet", "statefulsets", true};
// policy/v1 appeared in 1.21; the cluster this project targets first is 1.20. A client that
// talks to a newer server asks with DiscoverPodDisruptionBudget (rest_client.h).
const ResourceType kPodDisruptionBudget{"policy", "v1beta1", "PodDisruptionBudget",
                                        "poddisruptionbudgets", true};
const ResourceType kLease{"coordination.k8s.io", "v1", "Lease", "leases", true};
const ResourceType kEvent{"events.k8s.io", "v1", "Event", "events", true};
const ResourceType kKafkaCluster{"sluice.dev", "v1alpha1", "KafkaCluster", "kafkaclusters", true};
}  // namespace types

}  // namespace sluice::kube
