// What every protocol fuzz target checks of a message it managed to decode: it encodes to
// exactly Size() bytes, and those bytes decode and re-encode to themselves. Anything else traps,
// which libFuzzer reports as a crash with the input that caused it.
#pragma once

#include <cstdint>
#include <vector>

#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/writer.h"

namespace sluice::kafka::fuzz {

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

}  // namespace sluice::kafka::fuzz
