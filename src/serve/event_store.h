// The service's memory on disk: alarms, rolling score history, rejected readings and each
// line's checkpoint, in one SQLite file an engineer can query later.
//
//   VIGIL_ASSIGN_OR_RETURN(auto store, serve::EventStore::Open({.path = "vigil.db"}));
//   serve::CommitBatch batch;
//   batch.scores.push_back({.line = "pump-1", .ts = 1583748873, .score = 0.4, .threshold = 2.1});
//   batch.checkpoints.push_back({.line = "pump-1", .journal_seq = 812, .last_ts = 1583748873});
//   VIGIL_ASSIGN_OR_RETURN(serve::CommitResult r, store->Commit(batch));
//   VIGIL_ASSIGN_OR_RETURN(auto alarms, store->Alarms({.line = "pump-1", .limit = 20}));
//
// Contract
// - Commit applies a whole batch in one transaction: after a crash either all of it is in the
//   file or none of it. Committing the same batch again (a replay of the ingest journal after a
//   crash) leaves exactly the same rows: every record has a natural key and is merged, not appended.
// - Durability: WAL journal with synchronous=NORMAL. A transaction whose Commit returned survives
//   the process being killed (kill -9, a crash); a power loss or OS crash may roll back the last
//   few committed transactions (never corrupts the file). Replaying is idempotent, so the service
//   recovers those from its ingest journal (as far as that journal reached the disk); that is
//   why skipping the fsync on every commit is worth it at several batches per second.
// - Several processes may open the same file: readers (`vigil events`, the HTTP API) read while
//   the service writes and never see half a batch. Waits for a lock up to 5 s, then IOError.
//   One writing process per file is expected; a second writer is safe but contends for the lock.
// - Thread-safety: every method may be called from any thread; calls are serialized by an
//   internal mutex (one SQLite connection per EventStore).
// - Errors: IOError (cannot open/read/write the file, lock timeout), NotFound (missing file and
//   create_if_missing = false), Corruption (not an SQLite file, damaged rows), DataError (a
//   store of another schema version or not a vigil store), InvalidArgument (a record that cannot
//   be stored: non-finite key, NaN peak score). Messages name the path. No exception escapes.
//
// Schema (PRAGMA user_version = 1; a file of a newer version is refused, never rewritten):
//
//   CREATE TABLE alarms (line TEXT NOT NULL, start_ts REAL NOT NULL,
//                        end_ts REAL,           -- NULL while open
//                        peak_score REAL NOT NULL,
//                        threshold REAL,        -- NULL when NaN
//                        readings INTEGER NOT NULL,
//                        channels TEXT NOT NULL, -- JSON [{"channel":"Pressure","share":0.75}, ...]
//                                                -- (bytes of a name that are not UTF-8 become U+FFFD)
//                        PRIMARY KEY (line, start_ts)) WITHOUT ROWID;
//   CREATE INDEX alarms_by_start ON alarms (start_ts);
//   CREATE TABLE scores (line TEXT NOT NULL, ts REAL NOT NULL,
//                        score REAL, threshold REAL,  -- NULL when NaN
//                        alarm INTEGER NOT NULL,      -- 0 or 1
//                        PRIMARY KEY (line, ts)) WITHOUT ROWID;
//   CREATE TABLE score_counts (line TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
//                        -- rows per line in scores, kept by Commit so pruning never counts
//   CREATE TABLE rejects (seq INTEGER PRIMARY KEY,   -- the uint64 seq's bit pattern as int64
//                         line TEXT NOT NULL,        -- '' when no line matched the topic
//                         reason TEXT NOT NULL,      -- RejectReasonName: "wrong_type", ...
//                         detail TEXT NOT NULL, payload BLOB NOT NULL, received_unix REAL);
//   CREATE INDEX rejects_by_line ON rejects (line, seq);
//   CREATE TABLE checkpoints (line TEXT PRIMARY KEY, journal_seq INTEGER NOT NULL,
//                             last_ts REAL,          -- NULL when no reading was scored yet
//                             state BLOB NOT NULL) WITHOUT ROWID;
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "serve/records.h"
#include "vigil/status.h"

namespace vigil::serve {

struct StoreOptions {
  std::string path{};  // created with its schema if missing (unless create_if_missing is false)
  // Rolling score history, enforced per line inside every Commit that adds scores to that line
  // (one busy line cannot push a quiet line's history out):
  uint64_t max_score_rows = 1000000;  // keep at most this many rows per line (0 = no limit)
  double max_score_age_s = 0;         // drop a line's rows older than its newest ts - this (0 = no limit)
  // false: a missing file is NotFound and nothing is created (listing tools must not leave
  // empty stores behind a mistyped path).
  bool create_if_missing = true;
};

// Everything one commit stores. (Members carry {} so designated initializers may omit them without
// -Wmissing-field-initializers.) Records are applied in order, alarms first, so an alarm raised
// and updated in the same batch ends up merged.
struct CommitBatch {
  std::vector<AlarmRecord> alarms{};          // upsert by (line, start_ts), see Commit
  std::vector<ScoreRecord> scores{};          // upsert by (line, ts): the latest values win
  std::vector<RejectRecord> rejects{};        // insert-or-ignore by seq
  std::vector<LineCheckpoint> checkpoints{};  // replace by line
};

struct CommitResult {
  size_t alarms_inserted = 0;  // alarms whose (line, start_ts) was not stored before
  size_t alarms_updated = 0;   // stored alarms this batch changed (a replay changes none)
  size_t scores_pruned = 0;    // score rows dropped by max_score_rows / max_score_age_s
};

// Which alarms to list. An alarm matches `since` when any part of it lies at or after `since`:
// it started then or later, or it ended then or later, or it is still open. "Alarms since 10:00"
// thus includes the one that began at 09:55 and is still going.
struct AlarmQuery {
  double since = -std::numeric_limits<double>::infinity();  // NaN is InvalidArgument
  std::string line{};                                       // empty = all lines
  size_t limit = 1000;                                      // 0 = no limit
  bool newest_first = true;                                 // order by start_ts
};

class EventStore {
 public:
  // Opens (or creates) the store at options.path, checks its schema version and prepares the
  // statements every Commit reuses.
  static Result<std::unique_ptr<EventStore>> Open(const StoreOptions& options);
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // One transaction for the whole batch: all or nothing. Merging rules, which make a replay of
  // the same batch a no-op:
  // - alarm already stored: end_ts is set when the record has one (an open record never reopens
  //   a closed alarm), peak_score and readings keep the larger value; threshold and channels
  //   stay as first stored (they describe the reading that raised it).
  // - score already stored: score, threshold and alarm are replaced.
  // - reject already stored (same seq): left as is.
  // - checkpoint: replaced.
  // Then score history is pruned on each line the batch added scores to.
  Result<CommitResult> Commit(const CommitBatch& batch);

  // Every line's checkpoint, by line name.
  Result<std::vector<LineCheckpoint>> LoadCheckpoints();

  // Alarms matching q (see AlarmQuery), ties in start_ts ordered by line.
  Result<std::vector<AlarmRecord>> Alarms(const AlarmQuery& q);
  // Scores of `line` (empty = all lines) with ts >= since, oldest first, at most `limit`
  // (0 = no limit).
  Result<std::vector<ScoreRecord>> Scores(const std::string& line, double since, size_t limit);
  // Rejects of `line` (empty = all, including those that matched no line) received at or after
  // `since`, newest (highest seq) first, at most `limit` (0 = no limit).
  Result<std::vector<RejectRecord>> Rejects(const std::string& line, size_t limit,
                                            double since = -std::numeric_limits<double>::infinity());

  struct Counts {
    uint64_t alarms = 0, scores = 0, rejects = 0;
  };
  // Rows stored for `line` (empty = all lines).
  Result<Counts> Count(const std::string& line = "");

  const std::string& path() const;

 private:
  struct Impl;
  explicit EventStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  // owns the connection, the prepared statements and the mutex
};

}  // namespace vigil::serve
