#include "core/crc32.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace vigil::core {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(Crc32Test, KnownValues) {
  EXPECT_EQ(Crc32({}), 0u);
  EXPECT_EQ(Crc32(Bytes("123456789")), 0xCBF43926u);  // the standard check value
  EXPECT_EQ(Crc32(Bytes("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
}

TEST(Crc32Test, OneFlippedBitChangesIt) {
  std::vector<uint8_t> data(4096, 0xA5);
  const uint32_t before = Crc32(data);
  data[2048] ^= 1;
  EXPECT_NE(Crc32(data), before);
}

}  // namespace
}  // namespace vigil::core
