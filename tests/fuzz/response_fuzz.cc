// libFuzzer target: a response body as a client, follower or the CLI receives it.
//
// Input: int16 api key, int16 api version, then the body. Decodes the generated response type
// for that key and version. Same contract as request_fuzz.cc: a Status for anything malformed,
// and whatever decodes re-encodes stably.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "libs/kafka/messages/dispatch.h"
#include "tests/fuzz/decode_stability.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::kafka;
  using sluice::kafka::fuzz::CheckDecodeIsStable;
  Reader reader(std::span<const uint8_t>(data, size));
  auto key = reader.ReadInt16();
  auto version = reader.ReadInt16();
  if (!key.ok() || !version.ok()) return 0;
  VisitResponseType(*key, [&](auto type) {
    CheckDecodeIsStable<typename decltype(type)::type>(reader, *version);
  });
  return 0;
}
