// The ingest journal: every MQTT message is appended here before the broker is told it
// arrived, so a reading the broker considers delivered survives kill -9 of the process.
//
//   VIGIL_ASSIGN_OR_RETURN(auto j, serve::IngestJournal::Open("state/journal"));
//   j->Replay(after_seq, [&](const serve::JournalRecord& r) { process(r); });  // at start
//   uint64_t seq = *j->Append(topic, payload, now);      // from the MQTT thread
//   j->Release(committed_seq);                            // after the store committed it
//
// Records live in segment files "<seq of first record, 20 digits>.log" in the directory;
// a segment is rolled at 16 MiB and deleted once every record in it is released. Each record
// is [u32 body length][u32 CRC-32 of body][body: u64 seq, f64 received unix time, u32 payload size on
// arrival, u32 topic length, topic, payload (possibly cut: see Append)], little-endian. Appends are write(2) calls (no fsync): they survive a
// process crash, not a power cut (sync_each_append trades throughput for that). A torn or
// corrupt record at the end of the last segment (a crash mid-write) is cut off at open with a
// warning count; corruption anywhere else is an error naming the file and byte offset.
// Thread-safety: Append and Release may be called from different threads (internal mutex);
// Replay only before the first Append.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/status.h"

namespace vigil::serve {

struct JournalRecord {
  uint64_t seq = 0;
  double received_unix = 0;
  std::string_view topic;
  std::string_view payload;
  uint32_t original_bytes = 0;  // the payload's size on arrival (more than payload.size() when cut)
};

struct JournalOptions {
  uint64_t segment_bytes = 16u << 20;
  bool sync_each_append = false;
};

class IngestJournal {
 public:
  static Result<std::unique_ptr<IngestJournal>> Open(const std::string& dir, JournalOptions options = {});
  ~IngestJournal();

  // Calls `fn` for every record with seq > after_seq, in order.
  Status Replay(uint64_t after_seq, const std::function<void(const JournalRecord&)>& fn);
  // Appends one record; returns its sequence number (1, 2, ... continuing across restarts).
  // `original_bytes` > payload.size() records that an oversize payload was cut before
  // journaling (it will be refused; only its start is kept, to bound disk and memory).
  Result<uint64_t> Append(std::string_view topic, std::string_view payload, double received_unix,
                          uint32_t original_bytes = 0);
  // Records up to `seq` are no longer needed: deletes the segments that hold only such records.
  Status Release(uint64_t seq);

  // Continues numbering after `seq` when the journal is behind it (a journal directory removed
  // while the store kept its position). No-op when already at or past it.
  Status AdvanceTo(uint64_t seq);

  uint64_t last_seq() const;
  // Bytes cut off a torn tail when opening (0 after a clean stop).
  uint64_t truncated_bytes() const { return truncated_bytes_; }
  size_t segment_count() const;

 private:
  IngestJournal(std::string dir, JournalOptions options) : dir_(std::move(dir)), options_(options) {}
  Status Scan();
  Status OpenTail(uint64_t first_seq);

  const std::string dir_;
  const JournalOptions options_;
  uint64_t truncated_bytes_ = 0;

  mutable std::mutex mu_;
  struct Segment {
    uint64_t first_seq;
    std::string path;
  };
  std::vector<Segment> segments_;  // guarded by mu_, ordered by first_seq
  int fd_ = -1;                    // the last segment, open for append
  uint64_t tail_bytes_ = 0;
  uint64_t last_seq_ = 0;
  std::vector<char> buf_;  // one record being encoded
};

}  // namespace vigil::serve
