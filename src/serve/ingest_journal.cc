#include "serve/ingest_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/crc32.h"

namespace vigil::serve {
namespace {

namespace fs = std::filesystem;
constexpr size_t kHeader = 8;                 // length + crc
constexpr size_t kBodyFixed = 8 + 8 + 4 + 4;  // seq, time, payload size on arrival, topic length
constexpr uint32_t kMaxBody = 256u << 20;

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint32_t Crc(const char* p, size_t n) { return core::Crc32({reinterpret_cast<const uint8_t*>(p), n}); }

std::string SegmentName(uint64_t first_seq) {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.log", static_cast<unsigned long long>(first_seq));
  return name;
}

Result<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read journal segment '" + path + "'");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Walks the records of one segment. Returns the byte length of the valid prefix; `bad` is set
// to a description when it stops early because of a torn or corrupt record.
size_t WalkSegment(const std::string& data, uint64_t* last_seq, std::string* bad,
                   const std::function<void(const JournalRecord&)>& fn) {
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < kHeader) {
      *bad = "truncated record header";
      return pos;
    }
    const uint32_t len = GetU32(data.data() + pos);
    const uint32_t crc = GetU32(data.data() + pos + 4);
    if (len < kBodyFixed || len > kMaxBody || data.size() - pos - kHeader < len) {
      *bad = "record length " + std::to_string(len) + " runs past the end";
      return pos;
    }
    const char* body = data.data() + pos + kHeader;
    if (Crc(body, len) != crc) {
      *bad = "checksum mismatch";
      return pos;
    }
    JournalRecord r;
    r.seq = GetU64(body);
    uint64_t time_bits = GetU64(body + 8);
    std::memcpy(&r.received_unix, &time_bits, 8);
    r.original_bytes = GetU32(body + 16);
    const uint32_t topic_len = GetU32(body + 20);
    if (topic_len > len - kBodyFixed || r.seq <= *last_seq) {
      *bad = topic_len > len - kBodyFixed ? "topic length past the record" : "sequence number not increasing";
      return pos;
    }
    r.topic = std::string_view(body + kBodyFixed, topic_len);
    r.payload = std::string_view(body + kBodyFixed + topic_len, len - kBodyFixed - topic_len);
    *last_seq = r.seq;
    if (fn) fn(r);
    pos += kHeader + len;
  }
  return pos;
}

}  // namespace

Result<std::unique_ptr<IngestJournal>> IngestJournal::Open(const std::string& dir, JournalOptions options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create journal directory '" + dir + "': " + ec.message());
  std::unique_ptr<IngestJournal> j(new IngestJournal(dir, options));
  VIGIL_RETURN_IF_ERROR(j->Scan());
  return j;
}

IngestJournal::~IngestJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Status IngestJournal::Scan() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() != 24 || name.substr(20) != ".log") continue;
    if (name.find_first_not_of("0123456789", 0) != 20) continue;
    segments_.push_back({std::stoull(name.substr(0, 20)), e.path().string()});
  }
  if (ec) return Status::IOError("cannot list journal directory '" + dir_ + "': " + ec.message());
  std::sort(segments_.begin(), segments_.end(), [](const Segment& a, const Segment& b) { return a.first_seq < b.first_seq; });
  for (size_t i = 0; i < segments_.size(); ++i) {
    VIGIL_ASSIGN_OR_RETURN(std::string data, ReadAll(segments_[i].path));
    std::string bad;
    const uint64_t before = last_seq_;
    const size_t good = WalkSegment(data, &last_seq_, &bad, nullptr);
    if (good < data.size()) {
      if (i + 1 < segments_.size()) {
        return Status::Corruption("journal segment '" + segments_[i].path + "' at byte " + std::to_string(good) + ": " +
                                  bad);
      }
      // The end of the last segment: a write cut short by a crash. Cut it off.
      truncated_bytes_ = data.size() - good;
      if (::truncate(segments_[i].path.c_str(), static_cast<off_t>(good)) != 0) {
        return Status::IOError("cannot truncate '" + segments_[i].path + "': " + std::strerror(errno));
      }
      data.resize(good);
    }
    if (before == last_seq_ && i + 1 == segments_.size() && data.empty()) {
      // An empty last segment: its name still says where numbering continues.
      last_seq_ = std::max(last_seq_, segments_[i].first_seq - 1);
    }
    if (i + 1 == segments_.size()) tail_bytes_ = data.size();
  }
  if (segments_.empty()) return OpenTail(1);
  fd_ = ::open(segments_.back().path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return Status::IOError("cannot open '" + segments_.back().path + "': " + std::strerror(errno));
  return Status::OK();
}

Status IngestJournal::OpenTail(uint64_t first_seq) {
  const std::string path = (fs::path(dir_) / SegmentName(first_seq)).string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create journal segment '" + path + "': " + std::strerror(errno));
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  tail_bytes_ = 0;
  segments_.push_back({first_seq, path});
  return Status::OK();
}

Status IngestJournal::Replay(uint64_t after_seq, const std::function<void(const JournalRecord&)>& fn) {
  std::vector<Segment> segments;
  {
    std::lock_guard<std::mutex> lock(mu_);
    segments = segments_;
  }
  uint64_t last = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    // Skip segments that end before after_seq (the next one starts at or below it).
    if (i + 1 < segments.size() && segments[i + 1].first_seq <= after_seq + 1) continue;
    VIGIL_ASSIGN_OR_RETURN(std::string data, ReadAll(segments[i].path));
    std::string bad;
    last = 0;
    const size_t good = WalkSegment(data, &last, &bad, [&](const JournalRecord& r) {
      if (r.seq > after_seq) fn(r);
    });
    if (good < data.size()) {
      return Status::Corruption("journal segment '" + segments[i].path + "' at byte " + std::to_string(good) + ": " + bad);
    }
  }
  return Status::OK();
}

Result<uint64_t> IngestJournal::Append(std::string_view topic, std::string_view payload, double received_unix,
                                       uint32_t original_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t body = kBodyFixed + topic.size() + payload.size();
  if (body > kMaxBody) return Status::InvalidArgument("message of " + std::to_string(body) + " bytes is too large to journal");
  if (tail_bytes_ > 0 && tail_bytes_ + kHeader + body > options_.segment_bytes) {
    VIGIL_RETURN_IF_ERROR(OpenTail(last_seq_ + 1));
  }
  const uint64_t seq = last_seq_ + 1;
  buf_.resize(kHeader + body);
  char* b = buf_.data() + kHeader;
  PutU64(b, seq);
  uint64_t time_bits;
  std::memcpy(&time_bits, &received_unix, 8);
  PutU64(b + 8, time_bits);
  PutU32(b + 16, std::max<uint32_t>(original_bytes, static_cast<uint32_t>(payload.size())));
  PutU32(b + 20, static_cast<uint32_t>(topic.size()));
  std::memcpy(b + kBodyFixed, topic.data(), topic.size());
  if (!payload.empty()) std::memcpy(b + kBodyFixed + topic.size(), payload.data(), payload.size());
  PutU32(buf_.data(), static_cast<uint32_t>(body));
  PutU32(buf_.data() + 4, Crc(b, body));
  size_t done = 0;
  while (done < buf_.size()) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Leave no half record behind: later appends must start at a record boundary.
      if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(tail_bytes_)) != 0) {
        return Status::IOError("journal write failed and the partial record could not be removed");
      }
      return Status::IOError(std::string("journal write failed: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (options_.sync_each_append && ::fdatasync(fd_) != 0) {
    return Status::IOError(std::string("journal fdatasync failed: ") + std::strerror(errno));
  }
  tail_bytes_ += buf_.size();
  last_seq_ = seq;
  return seq;
}

Status IngestJournal::Release(uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  // A segment can go when the next one starts at or below seq + 1 (all its records <= seq).
  // The last segment stays: it is the one being appended to.
  size_t drop = 0;
  while (drop + 1 < segments_.size() && segments_[drop + 1].first_seq <= seq + 1) ++drop;
  for (size_t i = 0; i < drop; ++i) {
    if (::unlink(segments_[i].path.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError("cannot delete journal segment '" + segments_[i].path + "': " + std::strerror(errno));
    }
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(drop));
  return Status::OK();
}

Status IngestJournal::AdvanceTo(uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  if (seq <= last_seq_) return Status::OK();
  VIGIL_RETURN_IF_ERROR(OpenTail(seq + 1));
  last_seq_ = seq;
  return Status::OK();
}

uint64_t IngestJournal::last_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_seq_;
}

size_t IngestJournal::segment_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segments_.size();
}

}  // namespace vigil::serve
