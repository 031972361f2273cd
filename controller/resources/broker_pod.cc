// A broker's Pod. One plain Pod per broker id, not a StatefulSet, so any id can be removed,
// restarted or given its own settings (controller/README.md; research: operator-anchors §1.4).
#include <string>
#include <vector>

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

// The broker image's user (controller/README.md, "Images").
constexpr int64_t kBrokerUid = 10001;

Json HttpProbe(std::string_view path, int64_t initial_delay, int64_t period, int64_t failures) {
  return Obj({
      {"httpGet", Obj({{"path", Str(path)}, {"port", Str("admin")}, {"scheme", Str("HTTP")}})},
      {"initialDelaySeconds", Int(initial_delay)},
      {"periodSeconds", Int(period)},
      {"timeoutSeconds", Int(5)},
      {"successThreshold", Int(1)},
      {"failureThreshold", Int(failures)},
  });
}

Json VolumeMount(std::string_view name, std::string_view path, bool read_only) {
  Json mount = Obj({{"name", Str(name)}, {"mountPath", Str(path)}});
  if (read_only) mount["readOnly"] = Bool(true);
  return mount;
}

Json ClaimVolume(std::string_view name, const std::string& claim) {
  return Obj({{"name", Str(name)}, {"persistentVolumeClaim", Obj({{"claimName", Str(claim)}})}});
}

Json Affinity(const KafkaCluster& c, const std::optional<std::string>& zone) {
  Json affinity = Obj({{"podAntiAffinity", internal::SpreadOverHostnames(c, kBrokerComponent)}});
  if (zone) {
    // The broker's broker.rack is this zone, so it must run there: its volume and its place
    // in the partition assignment both belong to the zone.
    const std::string topology_key = c.spec.rack_awareness
                                         ? c.spec.rack_awareness->topology_key
                                         : operator_api::RackAwarenessSpec{}.topology_key;
    affinity["nodeAffinity"] = Obj({
        {"requiredDuringSchedulingIgnoredDuringExecution",
         Obj({{"nodeSelectorTerms",
               Arr({Obj({{"matchExpressions", Arr({Obj({
                                                  {"key", Str(topology_key)},
                                                  {"operator", Str("In")},
                                                  {"values", Arr({Str(*zone)})},
                                              })})}})})}})},
    });
  }
  return affinity;
}

}  // namespace

web::json::value BrokerPod(const KafkaCluster& c, int32_t id, const std::string& config_hash,
                           const std::optional<std::string>& zone) {
  const auto& spec = c.spec;
  const auto* override_spec = internal::FindBrokerOverride(c, id);

  std::vector<Json> ports;
  ports.push_back(internal::ContainerPort("kafka", spec.listeners.internal.base_port + id));
  if (spec.listeners.external) {
    ports.push_back(
        internal::ContainerPort("external", spec.listeners.external->node_port_base + id));
  }
  ports.push_back(internal::ContainerPort("admin", spec.admin_port));

  Json container = Obj({
      {"name", Str("broker")},
      {"image", Str(spec.image)},
      {"imagePullPolicy", Str(spec.image_pull_policy)},
      {"env", Arr({Obj({{"name", Str("SLUICE_BROKER_ID")}, {"value", Str(std::to_string(id))}})})},
      {"ports", Arr(std::move(ports))},
      {"volumeMounts", Arr({
                           VolumeMount("config", internal::kBrokerConfigDir, /*read_only=*/true),
                           VolumeMount("data", internal::kBrokerDataDir, /*read_only=*/false),
                           VolumeMount("logs", internal::kBrokerLogDir, /*read_only=*/false),
                       })},
      // /readyz: registered in ZooKeeper with every log loaded; not ready again from the start
      // of a shutdown, so the bootstrap Service stops sending it new clients.
      {"readinessProbe", HttpProbe("/readyz", 5, 5, 3)},
      // /healthz answers whenever the process can (the admin port opens before logs load);
      // a minute of failures (6 x 10 s) before a restart, so a broker busy recovering its log
      // is not killed for one slow answer.
      {"livenessProbe", HttpProbe("/healthz", 10, 10, 6)},
      {"securityContext", Obj({{"allowPrivilegeEscalation", Bool(false)}})},
  });
  const operator_api::ResourcesSpec& resources =
      override_spec && override_spec->resources ? *override_spec->resources : spec.resources;
  if (internal::HasResources(resources)) container["resources"] = resources.value;

  Json pod_spec = Obj({
      {"hostname", Str(BrokerName(c, id))},
      {"subdomain", Str(BrokersHeadlessName(c))},
      // The kubelet restarts a crashed broker in place, keeping the pod, its volumes and its
      // address; the operator replaces the pod only when it is gone.
      {"restartPolicy", Str("Always")},
      // Controlled shutdown may retry 3 times 5 s apart before the broker closes its logs.
      {"terminationGracePeriodSeconds", Int(60)},
      // Service variables would reach the entrypoint, which turns every SLUICE_OVERRIDE_*
      // variable into a config override; a Service named sluice-override-... would inject one.
      {"enableServiceLinks", Bool(false)},
      {"securityContext", Obj({
                              {"runAsNonRoot", Bool(true)},
                              {"runAsUser", Int(kBrokerUid)},
                              {"fsGroup", Int(kBrokerUid)},
                          })},
      {"containers", Arr({container})},
      {"volumes",
       Arr({
           Obj({{"name", Str("config")}, {"configMap", Obj({{"name", Str(BrokerName(c, id))}})}}),
           ClaimVolume("data", BrokerDataPvcName(c, id)),
           ClaimVolume("logs", BrokerLogsPvcName(c, id)),
       })},
      {"affinity", Affinity(c, zone)},
  });
  if (override_spec && !override_spec->node_selector.empty()) {
    Json node_selector = Json::object();
    for (const auto& [key, value] : override_spec->node_selector) node_selector[key] = Str(value);
    pod_spec["nodeSelector"] = std::move(node_selector);
  }

  Json metadata = internal::ObjectMetadata(c, BrokerName(c, id), internal::BrokerLabels(c, id));
  metadata["annotations"] = Obj({{kConfigHashAnnotation, Str(config_hash)}});
  return Obj({
      {"apiVersion", Str("v1")},
      {"kind", Str("Pod")},
      {"metadata", std::move(metadata)},
      {"spec", std::move(pod_spec)},
  });
}

}  // namespace sluice::operator_resources
