#include "broker/group/coordinator_partition.h"

#include <cassert>
#include <limits>

namespace sluice::group {

namespace {

// Decodes one UTF-8 code point starting at s[i]; advances i. Malformed input yields U+FFFD
// and consumes one byte.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  constexpr uint32_t kReplacement = 0xFFFD;
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  size_t length = 0;
  uint32_t cp = 0;
  uint32_t min = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  if (i + length > s.size()) {
    ++i;
    return kReplacement;
  }
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += length;
  return cp;
}

}  // namespace

int32_t JavaStringHashCode(std::string_view utf8) {
  // Unsigned arithmetic wraps exactly like Java's int overflow.
  uint32_t h = 0;
  const auto add_unit = [&h](uint32_t unit) { h = h * 31u + unit; };
  for (size_t i = 0; i < utf8.size();) {
    const uint32_t cp = NextCodePoint(utf8, i);
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      add_unit(0xD800 + (v >> 10));
      add_unit(0xDC00 + (v & 0x3FF));
    } else {
      add_unit(cp);
    }
  }
  return static_cast<int32_t>(h);
}

int32_t CoordinatorPartitionFor(std::string_view group_id, int32_t partition_count) {
  assert(partition_count > 0);
  const int32_t hash = JavaStringHashCode(group_id);
  const int32_t abs = hash == std::numeric_limits<int32_t>::min() ? 0 : (hash < 0 ? -hash : hash);
  return abs % partition_count;
}

}  // namespace sluice::group
