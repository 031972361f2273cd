// Every generated message, every version: fill every field on the wire in that version with a
// non-default value, encode, and check that Size() predicts the bytes, that decoding gives the
// same message back, that re-encoding gives the same bytes, and that every strict prefix of the
// bytes fails to decode (a truncated message is never mistaken for a shorter one).
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libs/kafka/messages/all_messages.h"
#include "libs/kafka/messages/testing/fill_for_test.h"

namespace sluice::kafka {
namespace {

using Buffer = std::vector<uint8_t>;

template <typename M>
Buffer EncodeMessage(const M& m, int16_t version) {
  Buffer out;
  Writer w(out);
  w.Reserve(m.Size(version));
  m.Encode(w, version);
  return out;
}

template <typename M>
void CheckRoundTrip(int16_t version, int variant) {
  SCOPED_TRACE(std::string(M::kName) + " v" + std::to_string(version) + " variant " +
               std::to_string(variant));
  M m;
  testing::FillForTest(m, version, variant);
  const Buffer bytes = EncodeMessage(m, version);
  ASSERT_EQ(bytes.size(), m.Size(version));

  Reader reader(bytes);
  M decoded;
  Status s = decoded.Decode(reader, version);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(reader.empty()) << reader.remaining() << " bytes not read";
  EXPECT_TRUE(decoded == m);
  EXPECT_EQ(EncodeMessage(decoded, version), bytes);

  for (size_t n = 0; n < bytes.size(); ++n) {
    Reader prefix(std::span<const uint8_t>(bytes.data(), n));
    M partial;
    EXPECT_FALSE(partial.Decode(prefix, version).ok()) << "prefix of " << n << " bytes decoded";
  }
}

template <typename M>
void CheckAllVersions() {
  for (int16_t v = M::kMinVersion; v <= M::kMaxVersion; ++v) {
    CheckRoundTrip<M>(v, 0);
    CheckRoundTrip<M>(v, 1);
  }
  // Variant 0 differs from the default in every version that has a field.
  M filled;
  testing::FillForTest(filled, M::kMaxVersion, 0);
  EXPECT_FALSE(filled == M{});

  Buffer bytes = EncodeMessage(filled, M::kMaxVersion);
  Reader reader(bytes);
  M out_of_range;
  Status s = out_of_range.Decode(reader, M::kMaxVersion + 1);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
}

#define SLUICE_ROUND_TRIP_TEST(Type) \
  TEST(MessageRoundTripTest, Type) { CheckAllVersions<Type>(); }
SLUICE_KAFKA_FOR_EACH_MESSAGE(SLUICE_ROUND_TRIP_TEST)
#undef SLUICE_ROUND_TRIP_TEST

}  // namespace
}  // namespace sluice::kafka
