#include "core/byte_io.h"

#include <bit>

namespace vigil::core {

static_assert(std::endian::native == std::endian::little,
              "vigil model files are little-endian; add byte swapping for big-endian hosts");

void ByteWriter::Raw(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  buf_.insert(buf_.end(), p, p + n);
}
void ByteWriter::U32(uint32_t v) { Raw(&v, sizeof v); }
void ByteWriter::U64(uint64_t v) { Raw(&v, sizeof v); }
void ByteWriter::F32(float v) { Raw(&v, sizeof v); }
void ByteWriter::F64(double v) { Raw(&v, sizeof v); }
void ByteWriter::Str(std::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  Raw(s.data(), s.size());
}
void ByteWriter::F32Array(std::span<const float> v) {
  U64(v.size());
  Raw(v.data(), v.size_bytes());
}
void ByteWriter::F64Array(std::span<const double> v) {
  U64(v.size());
  Raw(v.data(), v.size_bytes());
}
void ByteWriter::U32Array(std::span<const uint32_t> v) {
  U64(v.size());
  Raw(v.data(), v.size_bytes());
}
void ByteWriter::Align(size_t alignment) {
  while (buf_.size() % alignment != 0) buf_.push_back(0);
}

Status ByteReader::Error(std::string_view field, std::string_view what) const {
  return Status::Corruption(source_ + ": offset " + std::to_string(base_ + last_start_) + ": field '" +
                            std::string(field) + "': " + std::string(what));
}

Status ByteReader::Need(std::string_view field, size_t n) const {
  if (n > remaining()) {
    return Error(field,
                 "truncated: need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
  }
  return Status::OK();
}

Status ByteReader::Skip(std::string_view field, size_t n) {
  BeginField();
  VIGIL_RETURN_IF_ERROR(Need(field, n));
  pos_ += n;
  return Status::OK();
}

Status ByteReader::Align(size_t alignment) {
  size_t pad = (alignment - (base_ + pos_) % alignment) % alignment;
  return Skip("alignment padding", pad);
}

Status ByteReader::View(std::string_view field, size_t n, std::span<const uint8_t>* out) {
  BeginField();
  VIGIL_RETURN_IF_ERROR(Need(field, n));
  *out = data_.subspan(pos_, n);
  pos_ += n;
  return Status::OK();
}

namespace {
template <typename T>
Status ReadPod(ByteReader* r, std::span<const uint8_t> data, size_t* pos, std::string_view field, T* out) {
  r->BeginField();
  if (sizeof(T) > data.size() - *pos) {
    return r->Error(field, "truncated: need " + std::to_string(sizeof(T)) + " bytes, " +
                               std::to_string(data.size() - *pos) + " left");
  }
  std::memcpy(out, data.data() + *pos, sizeof(T));
  *pos += sizeof(T);
  return Status::OK();
}
}  // namespace

Status ByteReader::U8(std::string_view field, uint8_t* out) {
  return ReadPod(this, data_, &pos_, field, out);
}
Status ByteReader::U32(std::string_view field, uint32_t* out) {
  return ReadPod(this, data_, &pos_, field, out);
}
Status ByteReader::U64(std::string_view field, uint64_t* out) {
  return ReadPod(this, data_, &pos_, field, out);
}
Status ByteReader::I64(std::string_view field, int64_t* out) {
  return ReadPod(this, data_, &pos_, field, out);
}
Status ByteReader::F32(std::string_view field, float* out) { return ReadPod(this, data_, &pos_, field, out); }
Status ByteReader::F64(std::string_view field, double* out) {
  return ReadPod(this, data_, &pos_, field, out);
}

Status ByteReader::Str(std::string_view field, std::string* out, uint32_t max_len) {
  uint32_t n = 0;
  VIGIL_RETURN_IF_ERROR(U32(field, &n));
  const size_t start = last_start_;
  if (n > max_len)
    return Error(field, "string length " + std::to_string(n) + " exceeds limit " + std::to_string(max_len));
  last_start_ = pos_;
  VIGIL_RETURN_IF_ERROR(Need(field, n));
  last_start_ = start;
  out->assign(reinterpret_cast<const char*>(data_.data() + pos_), n);
  pos_ += n;
  return Status::OK();
}

namespace {
template <typename T>
Status ReadArray(ByteReader* r, std::span<const uint8_t> data, size_t* pos, std::string_view field,
                 std::vector<T>* out, uint64_t max_count) {
  uint64_t n = 0;
  VIGIL_RETURN_IF_ERROR(r->U64(field, &n));
  if (n > max_count) {
    return r->Error(field,
                    "element count " + std::to_string(n) + " exceeds limit " + std::to_string(max_count));
  }
  if (n > r->remaining() / sizeof(T)) {
    return r->Error(field, "truncated: need " + std::to_string(n * sizeof(T)) + " bytes, " +
                               std::to_string(r->remaining()) + " left");
  }
  out->resize(n);
  if (n > 0) std::memcpy(out->data(), data.data() + *pos, n * sizeof(T));
  *pos += n * sizeof(T);
  return Status::OK();
}
}  // namespace

Status ByteReader::F32Array(std::string_view field, std::vector<float>* out, uint64_t max_count) {
  return ReadArray(this, data_, &pos_, field, out, max_count);
}
Status ByteReader::F64Array(std::string_view field, std::vector<double>* out, uint64_t max_count) {
  return ReadArray(this, data_, &pos_, field, out, max_count);
}
Status ByteReader::U32Array(std::string_view field, std::vector<uint32_t>* out, uint64_t max_count) {
  return ReadArray(this, data_, &pos_, field, out, max_count);
}

}  // namespace vigil::core
