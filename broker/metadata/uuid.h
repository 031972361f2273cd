// Uuid: Kafka's 128-bit id (topic ids, the cluster id) and its text form.
//
// Kafka prints a Uuid as the URL-safe base64 of its 16 bytes (most significant 64 bits first,
// big-endian) without padding: always 22 characters of [A-Za-z0-9_-]
// (org.apache.kafka.common.Uuid#toString; kafka.utils.CoreUtils.generateUuidAsBase64).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "libs/base/status.h"

namespace sluice::metadata {

struct Uuid {
  uint64_t most_significant = 0;
  uint64_t least_significant = 0;

  // A random (version 4, IETF variant) UUID, never all-zero and never printed with a leading
  // '-' (which command-line tools would take for an option; Kafka 3.x regenerates those too).
  static Uuid Random();
  // Parses the 22-character form; InvalidArgument for anything else.
  static Result<Uuid> FromBase64Url(std::string_view text);
  std::string ToBase64Url() const;

  bool is_zero() const { return most_significant == 0 && least_significant == 0; }
  auto operator<=>(const Uuid&) const = default;
};

}  // namespace sluice::metadata
