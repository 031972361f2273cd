#include "libs/kafka/records/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define SLUICE_CRC32C_X86 1
#endif

namespace sluice::kafka {
namespace crc32c_internal {
namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78u;

// kTables[0] is the classic byte-at-a-time table; kTables[k][b] is the CRC of byte b followed by
// k zero bytes, which lets the portable loop fold 8 input bytes per step (slice-by-8).
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kReflectedPolynomial : 0u);
    tables[0][b] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t prev = tables[k - 1][b];
      tables[k][b] = (prev >> 8) ^ tables[0][prev & 0xFFu];
    }
  }
  return tables;
}

constexpr auto kTables = MakeTables();
static_assert(kTables[0][1] == 0xF26B8303u, "CRC-32C table generation");

inline uint32_t LoadLittleEndian32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace

uint32_t ExtendPortable(std::span<const uint8_t> data, uint32_t crc) {
  uint32_t state = ~crc;
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n >= 8) {
    uint32_t low = LoadLittleEndian32(p) ^ state;
    uint32_t high = LoadLittleEndian32(p + 4);
    state = kTables[7][low & 0xFF] ^ kTables[6][(low >> 8) & 0xFF] ^
            kTables[5][(low >> 16) & 0xFF] ^ kTables[4][low >> 24] ^ kTables[3][high & 0xFF] ^
            kTables[2][(high >> 8) & 0xFF] ^ kTables[1][(high >> 16) & 0xFF] ^
            kTables[0][high >> 24];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    state = (state >> 8) ^ kTables[0][(state ^ *p) & 0xFF];
    ++p;
    --n;
  }
  return ~state;
}

#if SLUICE_CRC32C_X86

namespace {

// The crc32 instruction has a latency of 3 cycles but a throughput of 1 per cycle, so one
// dependent chain reaches only a third of its speed (~7 GiB/s measured here). Long inputs are
// therefore cut into three equal stripes whose CRCs run in parallel and are then combined:
// the CRC register is linear over GF(2), so for stripes A, B of |B| bytes
//   crc(A ++ B, s) = Shift|B|(crc(A, s)) ^ crc(B, 0),
// where Shift_n advances a register over n zero bytes. Shift_n is linear too, hence four
// 256-entry tables per stripe length (one per register byte).
constexpr size_t kLongStripe = 4096;  // batches are 16 KiB - 1 MiB: most bytes go here
constexpr size_t kShortStripe = 256;  // the remainder, down to 768 bytes

using ShiftTable = std::array<std::array<uint32_t, 256>, 4>;

ShiftTable MakeShiftTable(size_t zero_bytes) {
  std::array<uint32_t, 32> basis{};  // the image of each single-bit register
  for (int bit = 0; bit < 32; ++bit) {
    uint32_t state = 1u << bit;
    for (size_t i = 0; i < zero_bytes; ++i) state = (state >> 8) ^ kTables[0][state & 0xFF];
    basis[bit] = state;
  }
  ShiftTable table{};
  for (int k = 0; k < 4; ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t image = 0;
      for (int j = 0; j < 8; ++j) {
        if ((b >> j) & 1u) image ^= basis[8 * k + j];
      }
      table[k][b] = image;
    }
  }
  return table;
}

struct ShiftTables {
  ShiftTable long_stripe = MakeShiftTable(kLongStripe);
  ShiftTable short_stripe = MakeShiftTable(kShortStripe);
};

const ShiftTables& GetShiftTables() {
  static const ShiftTables tables;  // ~0.3 ms once; only the hardware path needs them
  return tables;
}

inline uint32_t Shift(const ShiftTable& t, uint32_t state) {
  return t[0][state & 0xFF] ^ t[1][(state >> 8) & 0xFF] ^ t[2][(state >> 16) & 0xFF] ^
         t[3][state >> 24];
}

__attribute__((target("sse4.2"))) inline uint64_t Load64(const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));  // unaligned-safe; compiles to one load
  return word;
}

#if defined(__x86_64__)
// Consumes 3 * stripe bytes from `p`, three stripes in parallel. `state` is the raw register.
__attribute__((target("sse4.2"))) inline uint32_t ThreeStripes(uint32_t state, const uint8_t* p,
                                                               size_t stripe,
                                                               const ShiftTable& shift) {
  uint64_t a = state, b = 0, c = 0;
  for (size_t i = 0; i < stripe; i += 8) {
    a = _mm_crc32_u64(a, Load64(p + i));
    b = _mm_crc32_u64(b, Load64(p + stripe + i));
    c = _mm_crc32_u64(c, Load64(p + 2 * stripe + i));
  }
  uint32_t ab = Shift(shift, static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b);
  return Shift(shift, ab) ^ static_cast<uint32_t>(c);
}
#endif

}  // namespace

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(std::span<const uint8_t> data,
                                                          uint32_t crc) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint32_t state = ~crc;
#if defined(__x86_64__)
  if (n >= 3 * kShortStripe) {
    const ShiftTables& tables = GetShiftTables();
    for (; n >= 3 * kLongStripe; p += 3 * kLongStripe, n -= 3 * kLongStripe) {
      state = ThreeStripes(state, p, kLongStripe, tables.long_stripe);
    }
    for (; n >= 3 * kShortStripe; p += 3 * kShortStripe, n -= 3 * kShortStripe) {
      state = ThreeStripes(state, p, kShortStripe, tables.short_stripe);
    }
  }
  uint64_t state64 = state;
  for (; n >= 8; p += 8, n -= 8) state64 = _mm_crc32_u64(state64, Load64(p));
  state = static_cast<uint32_t>(state64);
#endif
  for (; n >= 4; p += 4, n -= 4) {
    uint32_t word;
    std::memcpy(&word, p, sizeof(word));
    state = _mm_crc32_u32(state, word);
  }
  for (; n > 0; ++p, --n) state = _mm_crc32_u8(state, *p);
  return ~state;
}

bool HardwareAvailable() {
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return available;
}

#else

uint32_t ExtendHardware(std::span<const uint8_t> data, uint32_t crc) {
  return ExtendPortable(data, crc);
}
bool HardwareAvailable() { return false; }

#endif

}  // namespace crc32c_internal

namespace {
using ExtendFunction = uint32_t (*)(std::span<const uint8_t>, uint32_t);

ExtendFunction ChooseImplementation() {
  return crc32c_internal::HardwareAvailable() ? &crc32c_internal::ExtendHardware
                                              : &crc32c_internal::ExtendPortable;
}
}  // namespace

uint32_t Crc32c(std::span<const uint8_t> data, uint32_t crc) {
  // Chosen once; a function-local static costs one predictable branch per call after that.
  static const ExtendFunction extend = ChooseImplementation();
  return extend(data, crc);
}

}  // namespace sluice::kafka
