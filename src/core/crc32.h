// CRC-32 (the zlib / IEEE 802.3 polynomial) of a byte range of any length: the checksum of model
// files, stream states and ingest journal records.
//
//   uint32_t c = core::Crc32(bytes);
#pragma once

#include <cstdint>
#include <span>

namespace vigil::core {

uint32_t Crc32(std::span<const uint8_t> data);

}  // namespace vigil::core
