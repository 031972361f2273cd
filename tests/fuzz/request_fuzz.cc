// libFuzzer target: a request frame as a broker receives it (header + body, no size prefix).
//
// Decodes the request header, then the body of the generated request type its api key names,
// at the version it names (api_table dispatch; every generated request is reachable by
// mutating the two key bytes of a seed). Malformed input must come back as a Status: no crash,
// no out-of-bounds read, no undefined behaviour, no allocation beyond the input's size.
// Whatever decodes must encode to Size() bytes, and those bytes must decode and re-encode to
// themselves (compared as bytes, so float NaNs and non-canonical bools do not matter).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "libs/kafka/messages/dispatch.h"
#include "tests/fuzz/decode_stability.h"
#include "libs/kafka/protocol/request_header_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::kafka;
  using sluice::kafka::fuzz::CheckDecodeIsStable;
  Reader reader(std::span<const uint8_t>(data, size));
  auto header = ReadRequestHeader(reader);
  if (!header.ok()) return 0;
  const int16_t version = header->request_api_version;
  VisitRequestType(header->request_api_key, [&](auto type) {
    CheckDecodeIsStable<typename decltype(type)::type>(reader, version);
  });
  return 0;
}
