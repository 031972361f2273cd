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

namespace sluice::kafka {
namespace {

template <typename Message>
std::vector<uint8_t> EncodeMessage(const Message& m, int16_t version) {
  std::vector<uint8_t> out;
  Writer writer(out);
  m.Encode(writer, version);
  if (out.size() != m.Size(version)) __builtin_trap();
  return out;
}

template <typename Message>
void CheckDecodeIsStable(Reader& reader, int16_t version) {
  Message first;
  if (!first.Decode(reader, version).ok()) return;
  const std::vector<uint8_t> bytes = EncodeMessage(first, version);
  Reader again(bytes);
  Message second;
  if (!second.Decode(again, version).ok() || !again.empty()) __builtin_trap();
  if (EncodeMessage(second, version) != bytes) __builtin_trap();
}

}  // namespace
}  // namespace sluice::kafka

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::kafka;
  Reader reader(std::span<const uint8_t>(data, size));
  auto key = reader.ReadInt16();
  auto version = reader.ReadInt16();
  if (!key.ok() || !version.ok()) return 0;
  VisitResponseType(*key, [&](auto type) {
    CheckDecodeIsStable<typename decltype(type)::type>(reader, *version);
  });
  return 0;
}
