// CRC-32C (Castagnoli): the checksum of record batch v2 (and of nothing else in Kafka's formats).
//
// Polynomial 0x1EDC6F41, reflected 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
// Check values: "123456789" -> 0xE3069283; 32 zero bytes -> 0x8A9136AA.
//
// Thread safety: every function is pure and safe to call from any thread.
#pragma once

#include <cstdint>
#include <span>

namespace sluice::kafka {

// CRC-32C of `data`, continuing from `crc` (the finished CRC of the bytes before; 0 to start),
// so that Crc32c(b, Crc32c(a)) == Crc32c(a ++ b). Uses the SSE4.2 crc32 instruction when the
// CPU has it (checked once), otherwise a slice-by-8 table.
uint32_t Crc32c(std::span<const uint8_t> data, uint32_t crc = 0);

namespace crc32c_internal {
// The two implementations behind Crc32c, exposed so tests can compare them on the same input.
uint32_t ExtendPortable(std::span<const uint8_t> data, uint32_t crc);
// REQUIRES: HardwareAvailable().
uint32_t ExtendHardware(std::span<const uint8_t> data, uint32_t crc);
bool HardwareAvailable();
}  // namespace crc32c_internal

}  // namespace sluice::kafka
