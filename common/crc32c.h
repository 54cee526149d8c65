// CRC-32C (Castagnoli): the checksum of TFRecord framing (metrics) and of checkpoint and replay
// files. Uses the SSE4.2 crc32 instruction when the CPU has it (~20 GB/s), else a table.
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>

namespace passrl {

// `crc` continues a previous call: Crc32c(b, nb, Crc32c(a, na)) == Crc32c(a+b).
uint32_t Crc32c(const void* data, size_t n, uint32_t crc = 0);
// TFRecord's masked form.
uint32_t MaskedCrc32c(const void* data, size_t n);

}  // namespace passrl
