// The managed ZooKeeper ensemble: a ConfigMap of zoo.cfg settings, a headless Service for the
// peers' stable names, a client Service and a StatefulSet (its PodDisruptionBudget: pdbs.cc).
//
// The pods run the official `zookeeper` image's interface (also what e2e/images/zookeeper
// offers): its entrypoint writes zoo.cfg from ZOO_* variables, /data/myid from ZOO_MY_ID, then
// drops from root to the image's zookeeper user (uid 1000).
#include <string>

#include "controller/resources/builders.h"
#include "controller/resources/object_meta.h"

namespace sluice::operator_resources {

namespace {

using internal::Arr;
using internal::Bool;
using internal::Int;
using internal::Json;
using internal::kZooKeeperClientPort;
using internal::kZooKeeperComponent;
using internal::kZooKeeperElectionPort;
using internal::kZooKeeperQuorumPort;
using internal::Obj;
using internal::Str;

// The zoo.cfg settings the operator chooses, under their zoo.cfg names (the ConfigMap's keys),
// with the image variable each is handed to the container as. tickTime 2000 ms with
// initLimit 10 / syncLimit 5 ticks gives a follower 20 s to load a snapshot from the leader
// and 10 s to stay in sync. Auto-purge keeps the three newest snapshots (and the transaction
// logs after them) so a small data volume does not fill up. The four-letter words are what the
// readiness probe and an administrator's `echo stat | nc` need.
struct ZooCfgSetting {
  const char* zoo_cfg_key;
  const char* env_name;
  const char* value;
};
constexpr ZooCfgSetting kZooCfgSettings[] = {
    {"tickTime", "ZOO_TICK_TIME", "2000"},
    {"initLimit", "ZOO_INIT_LIMIT", "10"},
    {"syncLimit", "ZOO_SYNC_LIMIT", "5"},
    {"4lw.commands.whitelist", "ZOO_4LW_COMMANDS_WHITELIST", "ruok,stat,srvr,mntr,conf"},
    {"autopurge.purgeInterval", "ZOO_AUTOPURGE_PURGEINTERVAL", "1"},
    {"autopurge.snapRetainCount", "ZOO_AUTOPURGE_SNAPRETAINCOUNT", "3"},
};

// ZOO_MY_ID must be the server.N of this pod in ZOO_SERVERS: the StatefulSet ordinal (the
// suffix of the pod's hostname) plus one, since ZooKeeper ids start at 1.
constexpr const char* kStartCommand =
    "export ZOO_MY_ID=$((${HOSTNAME##*-}+1)) && exec /docker-entrypoint.sh zkServer.sh "
    "start-foreground";

// `ruok` answers "imok" once the server process serves its client port. nc is in the official
// image (Ubuntu's netcat-openbsd) and in Debian-based images with netcat-openbsd; ZooKeeper
// closes the connection after a four-letter answer, and -w bounds a hung connect.
constexpr const char* kRuokProbe = "echo ruok | nc -w 2 127.0.0.1 2181 | grep -q imok";

int32_t ManagedReplicas(const KafkaCluster& c) {
  return c.spec.zookeeper.managed ? c.spec.zookeeper.managed->replicas : 0;
}

Json ZooCfgData() {
  Json data = Json::object();
  for (const auto& setting : kZooCfgSettings) data[setting.zoo_cfg_key] = Str(setting.value);
  return data;
}

Json EnvValue(const char* name, const std::string& value) {
  return Obj({{"name", Str(name)}, {"value", Str(value)}});
}

Json ZooKeeperEnv(const KafkaCluster& c) {
  std::vector<Json> env;
  env.push_back(EnvValue("ZOO_SERVERS", ZooKeeperServers(c)));
  // A one-server ensemble runs standalone; with peers, standalone mode must be off or a lone
  // server that starts first would serve without a quorum.
  env.push_back(EnvValue("ZOO_STANDALONE_ENABLED", ManagedReplicas(c) > 1 ? "false" : "true"));
  // Transaction logs beside the snapshots on the data volume: the image's default /datalog is
  // not a claim, and snapshots without their logs lose the newest writes when a pod moves.
  env.push_back(EnvValue("ZOO_DATA_LOG_DIR", "/data"));
  // Bind the quorum ports on all addresses instead of resolving the pod's own headless name,
  // whose DNS record may not exist yet while the pod starts.
  env.push_back(EnvValue("ZOO_CFG_EXTRA", "quorumListenOnAllIPs=true"));
  // The embedded admin HTTP server (port 8080) is not used by the operator.
  env.push_back(EnvValue("ZOO_ADMINSERVER_ENABLED", "false"));
  for (const auto& setting : kZooCfgSettings) {
    env.push_back(Obj({
        {"name", Str(setting.env_name)},
        {"valueFrom", Obj({{"configMapKeyRef", Obj({{"name", Str(ZooKeeperConfigMapName(c))},
                                                    {"key", Str(setting.zoo_cfg_key)}})}})},
    }));
  }
  return Arr(std::move(env));
}

}  // namespace

std::string ZooKeeperServers(const KafkaCluster& c) {
  const std::string headless = internal::ServiceFqdn(c, ZooKeeperHeadlessName(c));
  std::string servers;
  for (int32_t ordinal = 0; ordinal < ManagedReplicas(c); ++ordinal) {
    if (ordinal > 0) servers += ' ';
    servers += "server." + std::to_string(ordinal + 1) + "=" + ZooKeeperName(c) + "-" +
               std::to_string(ordinal) + "." + headless + ":" +
               std::to_string(kZooKeeperQuorumPort) + ":" + std::to_string(kZooKeeperElectionPort) +
               ";" + std::to_string(kZooKeeperClientPort);
  }
  return servers;
}

web::json::value ZooKeeperConfigMap(const KafkaCluster& c) {
  return Obj({
      {"apiVersion", Str("v1")},
      {"kind", Str("ConfigMap")},
      {"metadata", internal::ObjectMetadata(c, ZooKeeperConfigMapName(c),
                                            internal::CommonLabels(c, kZooKeeperComponent))},
      {"data", ZooCfgData()},
  });
}

web::json::value ZooKeeperHeadlessService(const KafkaCluster& c) {
  return Obj({
      {"apiVersion", Str("v1")},
      {"kind", Str("Service")},
      {"metadata", internal::ObjectMetadata(c, ZooKeeperHeadlessName(c),
                                            internal::CommonLabels(c, kZooKeeperComponent))},
      {"spec",
       Obj({
           {"clusterIP", Str("None")},
           // Starting peers resolve each other's names before they are ready (a member that has
           // not joined a quorum yet still has to be reachable by the others to form one).
           {"publishNotReadyAddresses", Bool(true)},
           {"selector", internal::ComponentSelector(c, kZooKeeperComponent)},
           {"ports", Arr({
                         internal::ServicePort("client", kZooKeeperClientPort, Str("client")),
                         internal::ServicePort("quorum", kZooKeeperQuorumPort, Str("quorum")),
                         internal::ServicePort("election", kZooKeeperElectionPort, Str("election")),
                     })},
       })},
  });
}

web::json::value ZooKeeperClientService(const KafkaCluster& c) {
  return Obj({
      {"apiVersion", Str("v1")},
      {"kind", Str("Service")},
      {"metadata", internal::ObjectMetadata(c, ZooKeeperName(c),
                                            internal::CommonLabels(c, kZooKeeperComponent))},
      {"spec",
       Obj({
           {"type", Str("ClusterIP")},
           {"selector", internal::ComponentSelector(c, kZooKeeperComponent)},
           {"ports", Arr({internal::ServicePort("client", kZooKeeperClientPort, Str("client"))})},
       })},
  });
}

web::json::value ZooKeeperStatefulSet(const KafkaCluster& c) {
  const operator_api::ManagedZooKeeperSpec managed =
      c.spec.zookeeper.managed.value_or(operator_api::ManagedZooKeeperSpec{});
  const Json labels = internal::CommonLabels(c, kZooKeeperComponent);

  Json container = Obj({
      {"name", Str("zookeeper")},
      {"image", Str(managed.image)},
      {"imagePullPolicy", Str(c.spec.image_pull_policy)},
      {"command", Arr({Str("sh"), Str("-c"), Str(kStartCommand)})},
      {"env", ZooKeeperEnv(c)},
      {"ports", Arr({
                    internal::ContainerPort("client", kZooKeeperClientPort),
                    internal::ContainerPort("quorum", kZooKeeperQuorumPort),
                    internal::ContainerPort("election", kZooKeeperElectionPort),
                })},
      {"readinessProbe",
       Obj({
           {"exec", Obj({{"command", Arr({Str("sh"), Str("-c"), Str(kRuokProbe)})}})},
           {"initialDelaySeconds", Int(5)},
           {"periodSeconds", Int(10)},
           {"timeoutSeconds", Int(5)},
           {"successThreshold", Int(1)},
           {"failureThreshold", Int(3)},
       })},
      // Liveness only asks whether the client port accepts connections: a server that lost
      // its quorum still listens, and restarting it would not bring the quorum back.
      {"livenessProbe", Obj({
                            {"tcpSocket", Obj({{"port", Str("client")}})},
                            {"initialDelaySeconds", Int(30)},
                            {"periodSeconds", Int(10)},
                            {"timeoutSeconds", Int(5)},
                            {"successThreshold", Int(1)},
                            {"failureThreshold", Int(6)},
                        })},
      {"volumeMounts", Arr({Obj({{"name", Str("data")}, {"mountPath", Str("/data")}})})},
  });
  if (internal::HasResources(managed.resources)) container["resources"] = managed.resources.value;

  Json pod_spec = Obj({
      {"containers", Arr({container})},
      // The image's entrypoint starts as root and drops to uid 1000; fsGroup 1000 makes the
      // claim writable for that user even on storage that ignores the entrypoint's chown.
      {"securityContext", Obj({{"fsGroup", Int(1000)}})},
      {"terminationGracePeriodSeconds", Int(30)},
      // Service variables add nothing here and could collide with the image's ZOO_* names.
      {"enableServiceLinks", Bool(false)},
      {"affinity",
       Obj({{"podAntiAffinity", internal::SpreadOverHostnames(c, kZooKeeperComponent)}})},
  });

  Json claim_template = Obj({
      {"metadata", Obj({{"name", Str("data")}, {"labels", labels}})},
      {"spec", internal::VolumeClaimSpec(managed.storage)},
  });

  return Obj({
      {"apiVersion", Str("apps/v1")},
      {"kind", Str("StatefulSet")},
      {"metadata", internal::ObjectMetadata(c, ZooKeeperName(c), labels)},
      {"spec",
       Obj({
           {"serviceName", Str(ZooKeeperHeadlessName(c))},
           {"replicas", Int(managed.replicas)},
           // All members start together so a quorum forms as soon as a majority runs; with
           // OrderedReady member N+1 would not even be created before member N is ready.
           {"podManagementPolicy", Str("Parallel")},
           // Updates still replace one pod at a time, waiting for it to be ready before the next
           // (the StatefulSet controller does so under either pod management policy).
           {"updateStrategy",
            Obj({{"type", Str("RollingUpdate")}, {"rollingUpdate", Obj({{"partition", Int(0)}})}})},
           {"selector",
            Obj({{"matchLabels", internal::ComponentSelector(c, kZooKeeperComponent)}})},
           {"template",
            Obj({
                {"metadata",
                 Obj({
                     {"labels", labels},
                     // zoo.cfg is written when a container starts, so a changed ConfigMap
                     // must roll the pods; the hash in the template does that.
                     {"annotations",
                      Obj({{kConfigHashAnnotation, Str(ConfigHash(ZooCfgData().serialize()))}})},
                 })},
                {"spec", pod_spec},
            })},
           {"volumeClaimTemplates", Arr({claim_template})},
       })},
  });
}

}  // namespace sluice::operator_resources
