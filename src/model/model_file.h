// The .vgm container: a 64-byte header (magic, version, payload size, CRC-32) around a payload.
// See include/vigil/model.h for the layout.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vigil/status.h"

namespace vigil::model {

inline constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'L', 'M', 'D', 'L'};
inline constexpr uint32_t kHeaderSize = 64;

// Header + payload, ready to write.
std::vector<uint8_t> WrapPayload(std::span<const uint8_t> payload, uint32_t version, uint64_t created_unix);

struct Unwrapped {
  std::span<const uint8_t> payload;  // points into the input bytes
  uint32_t version = 0;
  uint64_t created_unix = 0;
};
// Validates the header and checksum; errors are Corruption naming `source` and the offset.
Result<Unwrapped> UnwrapPayload(std::span<const uint8_t> bytes, const std::string& source);

// A read-only memory mapping of a whole file (unmapped on destruction).
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile();
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_;
  size_t size_;
};

// Writes bytes to `path` atomically (temporary file + rename), so a crash never leaves a
// half-written model behind.
Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace vigil::model
