// Internal: fixed-width little-endian serialization with bounds-checked reads.
//
//   ByteWriter w;  w.U32(7); w.F64Array(values);
//   ByteReader r(w.bytes(), "line1.vgm");  uint32_t v; VIGIL_RETURN_IF_ERROR(r.U32("version", &v));
//
// Every read names the field it was reading and the byte offset, so a truncated or
// damaged model file yields "line1.vgm: offset 212: field 'pca.mean': need 64 bytes, 8 left".
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/status.h"

namespace vigil::core {

class ByteWriter {
 public:
  void U8(uint8_t v) { Raw(&v, 1); }
  void U32(uint32_t v);
  void U64(uint64_t v);
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void F32(float v);
  void F64(double v);
  void Str(std::string_view s);              // u32 length + bytes
  void F32Array(std::span<const float> v);   // u64 count + values
  void F64Array(std::span<const double> v);  // u64 count + values
  void U32Array(std::span<const uint32_t> v);
  // Pads with zeros so the next byte lands on a multiple of `alignment`.
  void Align(size_t alignment);
  void Raw(const void* data, size_t n);

  const std::vector<uint8_t>& bytes() const { return buf_; }
  std::vector<uint8_t>& bytes() { return buf_; }
  size_t size() const { return buf_.size(); }

 private:
  std::vector<uint8_t> buf_;
};

class ByteReader {
 public:
  // `source` names the file in error messages. `base_offset` is added to reported offsets
  // and is the data's offset in its file (Align counts from the file start). `owner`, when
  // set, keeps `data` alive (e.g. a memory-mapped file): readers may then borrow bytes with
  // View() and hold `owner` instead of copying; without it, borrowed bytes live only as long
  // as the caller's buffer, so loaders copy.
  ByteReader(std::span<const uint8_t> data, std::string source, uint64_t base_offset = 0,
             std::shared_ptr<const void> owner = nullptr)
      : data_(data), source_(std::move(source)), base_(base_offset), owner_(std::move(owner)) {}

  Status U8(std::string_view field, uint8_t* out);
  Status U32(std::string_view field, uint32_t* out);
  Status U64(std::string_view field, uint64_t* out);
  Status I64(std::string_view field, int64_t* out);
  Status F32(std::string_view field, float* out);
  Status F64(std::string_view field, double* out);
  // Strings longer than max_len are corruption (guards against hostile lengths).
  Status Str(std::string_view field, std::string* out, uint32_t max_len = 1 << 16);
  // Arrays longer than max_count are corruption; an exact expected count may be given.
  Status F32Array(std::string_view field, std::vector<float>* out, uint64_t max_count = 1ull << 28);
  Status F64Array(std::string_view field, std::vector<double>* out, uint64_t max_count = 1ull << 28);
  Status U32Array(std::string_view field, std::vector<uint32_t>* out, uint64_t max_count = 1ull << 28);
  Status Skip(std::string_view field, size_t n);
  // Pads to a multiple of `alignment` counted from the start of the file (base_offset).
  Status Align(size_t alignment);
  // Points *out at the next n bytes without copying and advances past them.
  Status View(std::string_view field, size_t n, std::span<const uint8_t>* out);

  // Error "source: offset N: field 'f': what", N being where the last read began (so a
  // value rejected after reading is reported at its own offset).
  Status Error(std::string_view field, std::string_view what) const;

  size_t offset() const { return pos_; }
  // Marks the start of a read (for Error's offset).
  void BeginField() { last_start_ = pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  const std::string& source() const { return source_; }
  uint64_t base_offset() const { return base_; }
  // Keeps the data alive when set (see the constructor).
  const std::shared_ptr<const void>& owner() const { return owner_; }

 private:
  Status Need(std::string_view field, size_t n) const;
  std::span<const uint8_t> data_;
  std::string source_;
  uint64_t base_;
  std::shared_ptr<const void> owner_;
  size_t pos_ = 0;
  size_t last_start_ = 0;
};

}  // namespace vigil::core
