// A broker's two PersistentVolumeClaims: data (log.dirs, the partition replicas) and logs (its
// own server.log and friends). Both are named after the broker id, not generated, so a broker
// recreated with the same id finds its data again (controller/README.md, healing).
#include <string>

#include "controller/resources/builders.h"
#include "controller/resources/object_meta.h"

namespace sluice::operator_resources {

namespace {

using internal::Arr;
using internal::Json;
using internal::Obj;
using internal::Str;

Json BrokerPvc(const KafkaCluster& c, int32_t id, const std::string& name, std::string_view volume,
               const operator_api::VolumeSpec& spec) {
  Json labels = internal::BrokerLabels(c, id);
  labels[kVolumeLabel] = Str(volume);
  return Obj({
      {"apiVersion", Str("v1")},
      {"kind", Str("PersistentVolumeClaim")},
      {"metadata", internal::ObjectMetadata(c, name, std::move(labels))},
      {"spec", internal::VolumeClaimSpec(spec)},
  });
}

}  // namespace

namespace internal {

Json VolumeClaimSpec(const operator_api::VolumeSpec& volume) {
  Json spec = Obj({
      {"accessModes", Arr({Str("ReadWriteOnce")})},
      {"resources", Obj({{"requests", Obj({{"storage", Str(volume.size)}})}})},
  });
  if (volume.storage_class_name) spec["storageClassName"] = Str(*volume.storage_class_name);
  return spec;
}

}  // namespace internal

web::json::value BrokerDataPvc(const KafkaCluster& c, int32_t id) {
  return BrokerPvc(c, id, BrokerDataPvcName(c, id), "data", internal::BrokerStorage(c, id).data);
}

web::json::value BrokerLogsPvc(const KafkaCluster& c, int32_t id) {
  return BrokerPvc(c, id, BrokerLogsPvcName(c, id), "logs", internal::BrokerStorage(c, id).logs);
}

}  // namespace sluice::operator_resources
