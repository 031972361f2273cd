// The stopping broker's side of a controlled shutdown (Kafka's KafkaServer.controlledShutdown):
// find the controller (/controller, then its registration), send it ControlledShutdown (v3 max,
// with this broker's epoch) over the inter-broker listener, and retry while partitions remain.
//
// Thread safety: a plain function; blocks for up to max_retries * (request + backoff).
#pragma once

#include <chrono>
#include <string>

#include "broker/metadata/kafka_zk_client.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::metadata {

struct ControlledShutdownClientOptions {
  BrokerId broker_id;
  int64_t broker_epoch = -1;
  int32_t max_retries = 3;                            // controlled.shutdown.max.retries
  std::chrono::milliseconds retry_backoff{5000};      // controlled.shutdown.retry.backoff.ms
  std::chrono::milliseconds request_timeout{30'000};  // request.timeout.ms
  std::string inter_broker_listener_name;             // empty: first PLAINTEXT endpoint
};

// Ok when the controller answered with no partition left; otherwise a status naming the last
// error and the partitions this broker still leads (the caller then shuts down anyway, as
// Kafka does).
Status RequestControlledShutdown(KafkaZkClient& zk, const ControlledShutdownClientOptions& options);

}  // namespace sluice::metadata
