#include "libs/kafka/records/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

namespace sluice::kafka {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Check values from RFC 3720 (iSCSI) appendix B.4 and the CRC catalogue's "check" input.
TEST(Crc32c, CheckString) { EXPECT_EQ(Crc32c(AsBytes("123456789")), 0xE3069283u); }

TEST(Crc32c, ThirtyTwoZeroBytes) {
  std::vector<uint8_t> zeros(32, 0x00);
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
}

TEST(Crc32c, ThirtyTwoOnesBytes) {
  std::vector<uint8_t> ones(32, 0xFF);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
}

TEST(Crc32c, IncreasingAndDecreasingBytes) {
  std::vector<uint8_t> up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<uint8_t>(i);
    down[i] = static_cast<uint8_t>(31 - i);
  }
  EXPECT_EQ(Crc32c(up), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(down), 0x113FDB5Cu);
}

TEST(Crc32c, EmptyInputIsZeroAndExtendingByNothingIsIdentity) {
  EXPECT_EQ(Crc32c({}), 0u);
  EXPECT_EQ(Crc32c({}, 0xE3069283u), 0xE3069283u);
}

TEST(Crc32c, ExtendEqualsOneShotAtEverySplitPoint) {
  std::string_view text = "The quick brown fox jumps over the lazy dog, twice over.";
  uint32_t whole = Crc32c(AsBytes(text));
  for (size_t split = 0; split <= text.size(); ++split) {
    uint32_t first = Crc32c(AsBytes(text.substr(0, split)));
    EXPECT_EQ(Crc32c(AsBytes(text.substr(split)), first), whole) << "split at " << split;
  }
}

TEST(Crc32c, PortableAndHardwareAgreeOnEveryLengthAndAlignment) {
  if (!crc32c_internal::HardwareAvailable()) GTEST_SKIP() << "CPU has no SSE4.2";
  std::mt19937 rng(42);
  std::vector<uint8_t> data(40000 + 8);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t align = 0; align < 8; ++align) {
    for (size_t len :
         {0u,   1u,   3u,   4u,    7u,    8u,    9u,     15u,    16u,    17u,    63u,    64u,
          767u, 768u, 769u, 1000u, 1543u, 4096u, 12287u, 12288u, 12289u, 13063u, 25000u, 40000u}) {
      std::span<const uint8_t> slice(data.data() + align, len);
      for (uint32_t seed : {0u, 0xDEADBEEFu}) {
        EXPECT_EQ(crc32c_internal::ExtendPortable(slice, seed),
                  crc32c_internal::ExtendHardware(slice, seed))
            << "align " << align << " len " << len;
      }
    }
  }
}

TEST(Crc32c, PortableMeetsTheCheckValueToo) {
  EXPECT_EQ(crc32c_internal::ExtendPortable(AsBytes("123456789"), 0), 0xE3069283u);
}

}  // namespace
}  // namespace sluice::kafka
