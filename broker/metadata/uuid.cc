#include "broker/metadata/uuid.h"

#include <array>
#include <random>

namespace sluice::metadata {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// 16 bytes = 128 bits = 21 six-bit digits and 2 bits left over, hence 22 characters.
constexpr size_t kEncodedLength = 22;

int DigitValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::array<uint8_t, 16> ToBytes(const Uuid& id) {
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(id.most_significant >> (56 - 8 * i));
    bytes[8 + i] = static_cast<uint8_t>(id.least_significant >> (56 - 8 * i));
  }
  return bytes;
}

}  // namespace

Uuid Uuid::Random() {
  thread_local std::mt19937_64 engine(std::random_device{}());
  while (true) {
    Uuid id{engine(), engine()};
    // RFC 4122 version 4 and variant bits, as java.util.UUID.randomUUID sets them.
    id.most_significant = (id.most_significant & ~0xF000ull) | 0x4000ull;
    id.least_significant =
        (id.least_significant & ~(0xC000000000000000ull)) | 0x8000000000000000ull;
    if (!id.is_zero() && id.ToBase64Url()[0] != '-') return id;
  }
}

std::string Uuid::ToBase64Url() const {
  std::array<uint8_t, 16> bytes = ToBytes(*this);
  std::string out;
  out.reserve(kEncodedLength);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t group = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  // One byte remains (16 = 5*3 + 1): two digits, no padding.
  uint32_t last = bytes[i] << 16;
  out += kAlphabet[(last >> 18) & 63];
  out += kAlphabet[(last >> 12) & 63];
  return out;
}

Result<Uuid> Uuid::FromBase64Url(std::string_view text) {
  auto invalid = [&] {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a 22-character base64url UUID");
  };
  if (text.size() != kEncodedLength) return invalid();
  std::array<uint8_t, 18> bytes{};  // 22 digits carry 132 bits; the last 4 must be zero
  size_t out = 0;
  for (size_t i = 0; i < kEncodedLength; i += 4) {
    uint32_t group = 0;
    size_t digits = std::min<size_t>(4, kEncodedLength - i);
    for (size_t d = 0; d < 4; ++d) {
      int value = d < digits ? DigitValue(text[i + d]) : 0;
      if (value < 0) return invalid();
      group = (group << 6) | static_cast<uint32_t>(value);
    }
    bytes[out++] = static_cast<uint8_t>(group >> 16);
    bytes[out++] = static_cast<uint8_t>(group >> 8);
    bytes[out++] = static_cast<uint8_t>(group);
  }
  if (bytes[16] != 0 || bytes[17] != 0) return invalid();  // non-canonical trailing bits
  Uuid id;
  for (int i = 0; i < 8; ++i) {
    id.most_significant = (id.most_significant << 8) | bytes[i];
    id.least_significant = (id.least_significant << 8) | bytes[8 + i];
  }
  return id;
}

}  // namespace sluice::metadata
