// What a handler knows about the request it serves, beyond the request body.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "broker/net/connection.h"

namespace sluice::server {

struct RequestContext {
  net::ConnectionInfo connection;
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  std::chrono::steady_clock::time_point received_at;
};

}  // namespace sluice::server
