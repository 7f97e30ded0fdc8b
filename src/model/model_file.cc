#include "model/model_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/byte_io.h"
#include "core/crc32.h"
#include "vigil/model.h"

namespace vigil::model {

std::vector<uint8_t> WrapPayload(std::span<const uint8_t> payload, uint32_t version, uint64_t created_unix) {
  core::ByteWriter w;
  w.Raw(kMagic, sizeof kMagic);
  w.U32(version);
  w.U32(kHeaderSize);
  w.U64(payload.size());
  w.U32(core::Crc32(payload));
  w.U32(0);
  w.U64(created_unix);
  w.Align(kHeaderSize);
  w.Raw(payload.data(), payload.size());
  return std::move(w.bytes());
}

Result<Unwrapped> UnwrapPayload(std::span<const uint8_t> bytes, const std::string& source) {
  if (bytes.empty()) return Status::Corruption(source + ": empty file (not a vigil model)");
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return Status::Corruption(source + ": offset 0: not a vigil model (bad magic; expected \"VIGILMDL\")");
  }
  core::ByteReader r(bytes, source);
  Unwrapped out;
  uint32_t header_size = 0, crc = 0, reserved = 0;
  uint64_t payload_size = 0;
  VIGIL_RETURN_IF_ERROR(r.Skip("magic", sizeof kMagic));
  VIGIL_RETURN_IF_ERROR(r.U32("format_version", &out.version));
  if (out.version == 0 || out.version > kModelFormatVersion) {
    return r.Error("format_version", "unsupported model format version " + std::to_string(out.version) +
                                         " (this build reads versions 1 to " +
                                         std::to_string(kModelFormatVersion) + ")");
  }
  VIGIL_RETURN_IF_ERROR(r.U32("header_size", &header_size));
  if (header_size != kHeaderSize)
    return r.Error("header_size", "expected 64, found " + std::to_string(header_size));
  VIGIL_RETURN_IF_ERROR(r.U64("payload_size", &payload_size));
  VIGIL_RETURN_IF_ERROR(r.U32("payload_crc32", &crc));
  VIGIL_RETURN_IF_ERROR(r.U32("reserved", &reserved));
  VIGIL_RETURN_IF_ERROR(r.U64("created_unix", &out.created_unix));
  if (bytes.size() < kHeaderSize) {
    return Status::Corruption(source + ": offset " + std::to_string(bytes.size()) + ": truncated header (" +
                              std::to_string(bytes.size()) + " of 64 bytes)");
  }
  const uint64_t available = bytes.size() - kHeaderSize;
  if (payload_size != available) {
    return Status::Corruption(source + ": offset 16: payload size field says " +
                              std::to_string(payload_size) + " bytes but the file holds " +
                              std::to_string(available) +
                              (payload_size > available ? " (truncated file)" : " (trailing bytes)"));
  }
  out.payload = bytes.subspan(kHeaderSize);
  uint32_t actual = core::Crc32(out.payload);
  if (actual != crc) {
    char buf[96];
    std::snprintf(buf, sizeof buf, ": offset 24: checksum mismatch (header 0x%08x, payload 0x%08x)", crc,
                  actual);
    return Status::Corruption(source + buf + ": the file is damaged");
  }
  return out;
}

Result<MappedFile> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError(path + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError(path + ": not a regular file");
  }
  size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedFile(nullptr, 0);
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) return Status::IOError(path + ": cannot map: " + std::strerror(err));
  return MappedFile(static_cast<const uint8_t*>(p), size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(path + ": cannot create: " + std::strerror(errno));
  size_t pos = 0;
  while (pos < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + pos, bytes.size() - pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError(path + ": write failed: " + std::strerror(err));
    }
    pos += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError(path + ": cannot flush: " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError(path + ": cannot rename into place: " + std::strerror(err));
  }
  return Status::OK();
}

}  // namespace vigil::model
