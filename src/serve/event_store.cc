#include "serve/event_store.h"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <string_view>
#include <utility>

namespace vigil::serve {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;
// The WAL file is truncated back to this after a checkpoint, so one burst does not leave a
// large file behind for good.
constexpr int64_t kJournalSizeLimit = 64 << 20;

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE alarms (line TEXT NOT NULL, start_ts REAL NOT NULL, end_ts REAL, peak_score REAL NOT NULL,
                     threshold REAL, readings INTEGER NOT NULL, channels TEXT NOT NULL,
                     PRIMARY KEY (line, start_ts)) WITHOUT ROWID;
CREATE INDEX alarms_by_start ON alarms (start_ts);
CREATE TABLE scores (line TEXT NOT NULL, ts REAL NOT NULL, score REAL, threshold REAL, alarm INTEGER NOT NULL,
                     PRIMARY KEY (line, ts)) WITHOUT ROWID;
CREATE TABLE score_counts (line TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE rejects (seq INTEGER PRIMARY KEY, line TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL,
                      payload BLOB NOT NULL, received_unix REAL);
CREATE INDEX rejects_by_line ON rejects (line, seq);
CREATE TABLE checkpoints (line TEXT PRIMARY KEY, journal_seq INTEGER NOT NULL, last_ts REAL,
                          state BLOB NOT NULL) WITHOUT ROWID;
)sql";

// Statements of the write path, prepared once per connection.
constexpr const char* kBeginWrite = "BEGIN IMMEDIATE";
constexpr const char* kBeginRead = "BEGIN";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";
constexpr const char* kAlarmInsert =
    "INSERT OR IGNORE INTO alarms (line, start_ts, end_ts, peak_score, threshold, readings, channels) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
// Only touches the row when something moves, so a replay reports no updates.
constexpr const char* kAlarmMerge =
    "UPDATE alarms SET end_ts = COALESCE(?3, end_ts), peak_score = MAX(peak_score, ?4), "
    "readings = MAX(readings, ?5) WHERE line = ?1 AND start_ts = ?2 AND "
    "(end_ts IS NOT COALESCE(?3, end_ts) OR peak_score < ?4 OR readings < ?5)";
constexpr const char* kScoreInsert =
    "INSERT OR IGNORE INTO scores (line, ts, score, threshold, alarm) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kScoreUpdate =
    "UPDATE scores SET score = ?3, threshold = ?4, alarm = ?5 WHERE line = ?1 AND ts = ?2";
constexpr const char* kCountGet = "SELECT n FROM score_counts WHERE line = ?1";
constexpr const char* kCountSet =
    "INSERT INTO score_counts (line, n) VALUES (?1, ?2) ON CONFLICT (line) DO UPDATE SET n = excluded.n";
constexpr const char* kNewestScore = "SELECT MAX(ts) FROM scores WHERE line = ?1";
constexpr const char* kPruneOlder = "DELETE FROM scores WHERE line = ?1 AND ts < ?2";
// Deletes the ?2 oldest rows of a line; walks only those rows of the (line, ts) key.
constexpr const char* kPruneOldest =
    "DELETE FROM scores WHERE line = ?1 AND "
    "ts <= (SELECT ts FROM scores WHERE line = ?1 ORDER BY ts LIMIT 1 OFFSET ?2 - 1)";
constexpr const char* kRejectInsert =
    "INSERT OR IGNORE INTO rejects (seq, line, reason, detail, payload, received_unix) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kCheckpointPut =
    "INSERT OR REPLACE INTO checkpoints (line, journal_seq, last_ts, state) VALUES (?1, ?2, ?3, ?4)";

// One prepared statement. Bind*/Step report failures through the connection (sqlite3_errmsg).
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  // Clears the previous run. Also ends the statement's implicit read, which matters in WAL
  // mode: a statement left mid-result pins a snapshot and blocks checkpoints.
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  // NaN is stored as NULL (SQLite has no NaN) and read back as NaN.
  void Bind(int i, double v) {
    if (std::isnan(v)) {
      sqlite3_bind_null(stmt_, i);
    } else {
      sqlite3_bind_double(stmt_, i, v);
    }
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // uint64 values keep their bit pattern (seq numbers above 2^63 read back unchanged).
  void Bind(int i, uint64_t v) { sqlite3_bind_int64(stmt_, i, static_cast<int64_t>(v)); }
  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int i, const void* data, size_t size) {
    // A null pointer would bind NULL; an empty blob is still a value.
    if (size == 0) {
      sqlite3_bind_zeroblob(stmt_, i, 0);
    } else {
      sqlite3_bind_blob(stmt_, i, data, static_cast<int>(size), SQLITE_TRANSIENT);
    }
  }

  double ColumnDouble(int i) const {
    if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(stmt_, i);
  }
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  std::string ColumnText(int i) const {
    const unsigned char* p = sqlite3_column_text(stmt_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, i)) : std::string();
  }
  std::string ColumnBlobString(int i) const {
    const void* p = sqlite3_column_blob(stmt_, i);
    return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, i)) : std::string();
  }
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_;
};

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

std::string StoreName(const std::string& path) { return "event store '" + path + "'"; }

Status SqlError(sqlite3* db, int rc, const std::string& path, std::string_view what) {
  std::string msg =
      StoreName(path) + ": " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
      return Status::Corruption(StoreName(path) + " is not an SQLite database (" + sqlite3_errstr(rc) + ")");
    case SQLITE_CORRUPT:
      return Status::Corruption(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::IOError(msg + " (another process held the lock for more than " +
                             std::to_string(kBusyTimeoutMs / 1000) + " s)");
    default:
      return Status::IOError(msg);
  }
}

// Shares are floats: a JSON whose numbers are float prints each share as the shortest text that
// reads back as the same float ("0.62", not 0.6200000047683716) and parses it back with strtof,
// so the column is readable with the sqlite3 shell and round-trips bit for bit.
using ChannelJson =
    nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

// Names that are not valid UTF-8 (a Latin-1 CSV header) are stored with U+FFFD for the bad bytes
// rather than failing the batch, which a replay would then fail forever.
std::string ChannelsJson(const std::vector<std::pair<std::string, float>>& channels) {
  ChannelJson j = ChannelJson::array();
  for (const auto& [name, share] : channels) j.push_back({{"channel", name}, {"share", share}});
  return j.dump(-1, ' ', false, ChannelJson::error_handler_t::replace);
}

Result<std::vector<std::pair<std::string, float>>> ParseChannels(const std::string& text) {
  ChannelJson j = ChannelJson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) return Status::Corruption("channels is not a JSON array: " + text);
  std::vector<std::pair<std::string, float>> out;
  out.reserve(j.size());
  for (const auto& item : j) {
    if (!item.is_object() || !item.contains("channel") || !item["channel"].is_string() ||
        !item.contains("share") || !(item["share"].is_number() || item["share"].is_null())) {
      return Status::Corruption("channels entry is not {\"channel\": text, \"share\": number}: " +
                                item.dump(-1, ' ', false, ChannelJson::error_handler_t::replace));
    }
    const ChannelJson& share = item["share"];
    // dump() writes NaN as null.
    float value = share.is_null() ? std::numeric_limits<float>::quiet_NaN() : share.get<float>();
    out.emplace_back(item["channel"].get<std::string>(), value);
  }
  return out;
}

Result<RejectReason> ParseReason(const std::string& name) {
  for (uint32_t i = 0; i < kRejectReasonCount; ++i) {
    auto reason = static_cast<RejectReason>(i);
    if (name == RejectReasonName(reason)) return reason;
  }
  return Status::Corruption("unknown reject reason '" + name + "'");
}

int64_t SqlLimit(size_t limit) { return limit == 0 ? -1 : static_cast<int64_t>(limit); }

std::string Describe(const AlarmRecord& a) { return "alarm " + a.Id(); }

Status ValidateBatch(const CommitBatch& batch) {
  for (const AlarmRecord& a : batch.alarms) {
    if (!std::isfinite(a.start_ts))
      return Status::InvalidArgument("alarm of line '" + a.line + "': start_ts " +
                                     std::to_string(a.start_ts) + " is not a finite time");
    if (std::isinf(a.end_ts))
      return Status::InvalidArgument(Describe(a) + ": end_ts is infinite (NaN means still open)");
    if (std::isnan(a.peak_score)) return Status::InvalidArgument(Describe(a) + ": peak_score is NaN");
  }
  for (const ScoreRecord& s : batch.scores) {
    if (!std::isfinite(s.ts))
      return Status::InvalidArgument("score of line '" + s.line + "': ts " + std::to_string(s.ts) +
                                     " is not a finite time");
  }
  for (const LineCheckpoint& c : batch.checkpoints) {
    if (std::isinf(c.last_ts))
      return Status::InvalidArgument("checkpoint of line '" + c.line + "': last_ts is infinite");
  }
  return Status::OK();
}

}  // namespace

struct EventStore::Impl {
  // Const after Open.
  StoreOptions options;
  std::unique_ptr<sqlite3, DbCloser> db;  // declared first: closed after the statements

  // Guarded by mu: the connection and everything prepared on it.
  std::mutex mu;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements;

  Status Error(int rc, std::string_view what) const { return SqlError(db.get(), rc, options.path, what); }

  // The statement for `sql`, prepared on first use and reused after (reset, bindings cleared).
  Result<Statement*> Prepared(std::string_view sql) {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      sqlite3_stmt* raw = nullptr;
      int rc = sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      if (rc != SQLITE_OK) return Error(rc, "preparing \"" + std::string(sql) + "\"");
      it = statements.emplace(std::string(sql), std::make_unique<Statement>(raw)).first;
    }
    it->second->Reset();
    return it->second.get();
  }

  // Runs a statement that returns no rows. Returns sqlite3_changes. The error message is
  // `what` + `subject`, assembled only on failure (this runs once per stored row).
  Result<int> Run(Statement* s, std::string_view what, std::string_view subject = {}) {
    int rc = sqlite3_step(s->get());
    sqlite3_reset(s->get());
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error(rc, std::string(what) + std::string(subject));
    return sqlite3_changes(db.get());
  }
  Status Exec(std::string_view sql) {
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(sql));
    VIGIL_ASSIGN_OR_RETURN(int changes, Run(s, sql));
    (void)changes;
    return Status::OK();
  }
  // Steps a query: true = a row is ready, false = done.
  Result<bool> Next(Statement* s, std::string_view what) {
    int rc = sqlite3_step(s->get());
    if (rc == SQLITE_ROW) return true;
    sqlite3_reset(s->get());
    if (rc == SQLITE_DONE) return false;
    return Error(rc, what);
  }
  // First column of a one-row query (NaN for NULL or no row).
  Result<double> QueryDouble(Statement* s, std::string_view what) {
    VIGIL_ASSIGN_OR_RETURN(bool row, Next(s, what));
    double v = row ? s->ColumnDouble(0) : std::numeric_limits<double>::quiet_NaN();
    s->Reset();
    return v;
  }
  Result<int64_t> QueryInt(Statement* s, std::string_view what) {
    VIGIL_ASSIGN_OR_RETURN(bool row, Next(s, what));
    int64_t v = row ? s->ColumnInt(0) : 0;
    s->Reset();
    return v;
  }
  Result<std::string> QueryText(std::string_view sql) {
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(sql));
    VIGIL_ASSIGN_OR_RETURN(bool row, Next(s, sql));
    std::string v = row ? s->ColumnText(0) : std::string();
    s->Reset();
    return v;
  }

  // Runs `body` inside BEGIN/COMMIT; any error rolls everything back.
  template <typename Body>
  auto InTransaction(const char* begin, Body&& body) -> decltype(body()) {
    VIGIL_RETURN_IF_ERROR(Exec(begin));
    auto result = body();
    if (result.ok()) {
      Status committed = Exec(kCommit);
      if (committed.ok()) return result;
      result = std::move(committed);
    }
    // The transaction may already be gone (SQLite rolls back by itself on some errors).
    if (!sqlite3_get_autocommit(db.get())) (void)Exec(kRollback);
    return result;
  }

  Status SetUp();
  Status CreateSchema();
  Result<CommitResult> Apply(const CommitBatch& batch);
  Result<size_t> PruneScores(const std::string& line, int64_t inserted);
};

Status EventStore::Impl::SetUp() {
  VIGIL_RETURN_IF_ERROR(Exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs)));
  // The first read of the file: a non-SQLite file fails here with SQLITE_NOTADB.
  VIGIL_ASSIGN_OR_RETURN(Statement * version_query, Prepared("PRAGMA user_version"));
  VIGIL_ASSIGN_OR_RETURN(int64_t version, QueryInt(version_query, "reading the schema version"));
  if (version > kSchemaVersion || version < 0) {
    return Status::DataError(StoreName(options.path) + " has schema version " + std::to_string(version) +
                             "; this vigil reads version " + std::to_string(kSchemaVersion) +
                             " (was it written by a newer vigil?)");
  }
  if (version == 0) {
    VIGIL_ASSIGN_OR_RETURN(Statement * tables, Prepared("SELECT COUNT(*) FROM sqlite_master"));
    VIGIL_ASSIGN_OR_RETURN(int64_t n, QueryInt(tables, "listing tables"));
    if (n > 0) {
      return Status::DataError(StoreName(options.path) +
                               " is an SQLite database but not a vigil event store (" + std::to_string(n) +
                               " objects, no vigil schema version)");
    }
    if (!options.create_if_missing) {
      return Status::DataError(StoreName(options.path) + " is an empty database, not a vigil event store");
    }
  }
  VIGIL_ASSIGN_OR_RETURN(std::string mode, QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal") {
    return Status::IOError(StoreName(options.path) + ": cannot use the WAL journal (journal mode stays '" +
                           mode + "'); is the file on a read-only or network file system?");
  }
  // NORMAL in WAL mode: commits survive a process crash; see the header for power loss.
  VIGIL_RETURN_IF_ERROR(Exec("PRAGMA synchronous = NORMAL"));
  VIGIL_RETURN_IF_ERROR(Exec("PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimit)));
  if (version == 0) return CreateSchema();
  return Status::OK();
}

Status EventStore::Impl::CreateSchema() {
  return InTransaction(kBeginWrite, [&]() -> Status {
    // Another process may have created it between our check and this lock.
    VIGIL_ASSIGN_OR_RETURN(Statement * version_query, Prepared("PRAGMA user_version"));
    VIGIL_ASSIGN_OR_RETURN(int64_t version, QueryInt(version_query, "reading the schema version"));
    if (version == kSchemaVersion) return Status::OK();
    char* err = nullptr;
    int rc = sqlite3_exec(db.get(), kSchemaSql, nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return Error(rc, "creating the schema");
    return Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  });
}

Result<std::unique_ptr<EventStore>> EventStore::Open(const StoreOptions& options) {
  if (options.path.empty()) return Status::InvalidArgument("event store path is empty");
  if (!(options.max_score_age_s >= 0) || std::isinf(options.max_score_age_s)) {
    return Status::InvalidArgument("event store '" + options.path + "': max_score_age_s " +
                                   std::to_string(options.max_score_age_s) +
                                   " must be a finite number of seconds >= 0 (0 = no limit)");
  }
  std::error_code ec;
  if (!options.create_if_missing && !std::filesystem::exists(options.path, ec)) {
    return Status::NotFound(StoreName(options.path) + " does not exist");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  sqlite3* raw = nullptr;
  int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.create_if_missing ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(options.path.c_str(), &raw, flags, nullptr);
  impl->db.reset(raw);  // even on failure SQLite hands back a handle to close
  if (rc != SQLITE_OK) return impl->Error(rc, "cannot open");
  sqlite3_extended_result_codes(raw, 1);
  std::lock_guard<std::mutex> lock(impl->mu);
  VIGIL_RETURN_IF_ERROR(impl->SetUp());
  return std::unique_ptr<EventStore>(new EventStore(std::move(impl)));
}

EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventStore::~EventStore() = default;

const std::string& EventStore::path() const { return impl_->options.path; }

Result<size_t> EventStore::Impl::PruneScores(const std::string& line, int64_t inserted) {
  VIGIL_ASSIGN_OR_RETURN(Statement * get, Prepared(kCountGet));
  get->Bind(1, line);
  VIGIL_ASSIGN_OR_RETURN(int64_t before, QueryInt(get, "reading the score count"));
  int64_t n = before + inserted;
  size_t pruned = 0;
  if (options.max_score_age_s > 0) {
    VIGIL_ASSIGN_OR_RETURN(Statement * newest_query, Prepared(kNewestScore));
    newest_query->Bind(1, line);
    VIGIL_ASSIGN_OR_RETURN(double newest, QueryDouble(newest_query, "reading the newest score"));
    if (!std::isnan(newest)) {
      VIGIL_ASSIGN_OR_RETURN(Statement * prune, Prepared(kPruneOlder));
      prune->Bind(1, line);
      prune->Bind(2, newest - options.max_score_age_s);
      VIGIL_ASSIGN_OR_RETURN(int deleted, Run(prune, "pruning old scores"));
      n -= deleted;
      pruned += static_cast<size_t>(deleted);
    }
  }
  if (options.max_score_rows > 0 && n > 0 && static_cast<uint64_t>(n) > options.max_score_rows) {
    VIGIL_ASSIGN_OR_RETURN(Statement * prune, Prepared(kPruneOldest));
    prune->Bind(1, line);
    prune->Bind(2, n - static_cast<int64_t>(options.max_score_rows));
    VIGIL_ASSIGN_OR_RETURN(int deleted, Run(prune, "pruning the oldest scores"));
    n -= deleted;
    pruned += static_cast<size_t>(deleted);
  }
  if (n != before) {
    VIGIL_ASSIGN_OR_RETURN(Statement * set, Prepared(kCountSet));
    set->Bind(1, line);
    set->Bind(2, n);
    VIGIL_ASSIGN_OR_RETURN(int changes, Run(set, "updating the score count"));
    (void)changes;
  }
  return pruned;
}

Result<CommitResult> EventStore::Impl::Apply(const CommitBatch& batch) {
  CommitResult result;
  if (!batch.alarms.empty()) {
    VIGIL_ASSIGN_OR_RETURN(Statement * insert, Prepared(kAlarmInsert));
    VIGIL_ASSIGN_OR_RETURN(Statement * merge, Prepared(kAlarmMerge));
    for (const AlarmRecord& a : batch.alarms) {
      insert->Bind(1, a.line);
      insert->Bind(2, a.start_ts);
      insert->Bind(3, a.end_ts);
      insert->Bind(4, a.peak_score);
      insert->Bind(5, a.threshold);
      insert->Bind(6, a.readings);
      insert->Bind(7, ChannelsJson(a.channels));
      VIGIL_ASSIGN_OR_RETURN(int inserted, Run(insert, "storing an alarm of line ", a.line));
      insert->Reset();
      if (inserted > 0) {
        ++result.alarms_inserted;
        continue;
      }
      merge->Bind(1, a.line);
      merge->Bind(2, a.start_ts);
      merge->Bind(3, a.end_ts);
      merge->Bind(4, a.peak_score);
      merge->Bind(5, a.readings);
      VIGIL_ASSIGN_OR_RETURN(int updated, Run(merge, "updating an alarm of line ", a.line));
      merge->Reset();
      result.alarms_updated += static_cast<size_t>(updated);
    }
  }
  if (!batch.scores.empty()) {
    VIGIL_ASSIGN_OR_RETURN(Statement * insert, Prepared(kScoreInsert));
    VIGIL_ASSIGN_OR_RETURN(Statement * update, Prepared(kScoreUpdate));
    std::map<std::string, int64_t, std::less<>> inserted_by_line;
    for (const ScoreRecord& s : batch.scores) {
      auto bind = [&s](Statement* st) {
        st->Bind(1, s.line);
        st->Bind(2, s.ts);
        st->Bind(3, s.score);
        st->Bind(4, s.threshold);
        st->Bind(5, int64_t{s.alarm ? 1 : 0});
      };
      bind(insert);
      VIGIL_ASSIGN_OR_RETURN(int inserted, Run(insert, "storing a score of line ", s.line));
      insert->Reset();
      if (inserted == 0) {  // a replay: the row is there already
        bind(update);
        VIGIL_ASSIGN_OR_RETURN(int updated, Run(update, "updating a score of line ", s.line));
        (void)updated;
        update->Reset();
      }
      auto it = inserted_by_line.find(s.line);
      if (it == inserted_by_line.end()) it = inserted_by_line.emplace(s.line, 0).first;
      it->second += inserted;
    }
    for (const auto& [line, inserted] : inserted_by_line) {
      VIGIL_ASSIGN_OR_RETURN(size_t pruned, PruneScores(line, inserted));
      result.scores_pruned += pruned;
    }
  }
  if (!batch.rejects.empty()) {
    VIGIL_ASSIGN_OR_RETURN(Statement * insert, Prepared(kRejectInsert));
    for (const RejectRecord& r : batch.rejects) {
      insert->Bind(1, r.seq);
      insert->Bind(2, r.line);
      insert->Bind(3, std::string_view(RejectReasonName(r.reason)));
      insert->Bind(4, r.detail);
      insert->BindBlob(5, r.payload.data(), r.payload.size());
      insert->Bind(6, r.received_unix);
      VIGIL_ASSIGN_OR_RETURN(int inserted, Run(insert, "storing a reject of line ", r.line));
      (void)inserted;
      insert->Reset();
    }
  }
  if (!batch.checkpoints.empty()) {
    VIGIL_ASSIGN_OR_RETURN(Statement * put, Prepared(kCheckpointPut));
    for (const LineCheckpoint& c : batch.checkpoints) {
      put->Bind(1, c.line);
      put->Bind(2, c.journal_seq);
      put->Bind(3, c.last_ts);
      put->BindBlob(4, c.state.data(), c.state.size());
      VIGIL_ASSIGN_OR_RETURN(int stored, Run(put, "storing the checkpoint of line ", c.line));
      (void)stored;
      put->Reset();
    }
  }
  return result;
}

Result<CommitResult> EventStore::Commit(const CommitBatch& batch) {
  VIGIL_RETURN_IF_ERROR(ValidateBatch(batch));
  if (batch.alarms.empty() && batch.scores.empty() && batch.rejects.empty() && batch.checkpoints.empty()) {
    return CommitResult{};
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->InTransaction(kBeginWrite, [&] { return impl_->Apply(batch); });
}

Result<std::vector<LineCheckpoint>> EventStore::LoadCheckpoints() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  constexpr const char* kSql = "SELECT line, journal_seq, last_ts, state FROM checkpoints ORDER BY line";
  VIGIL_ASSIGN_OR_RETURN(Statement * q, impl_->Prepared(kSql));
  std::vector<LineCheckpoint> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, impl_->Next(q, "reading checkpoints"));
    if (!row) break;
    LineCheckpoint c;
    c.line = q->ColumnText(0);
    c.journal_seq = static_cast<uint64_t>(q->ColumnInt(1));
    c.last_ts = q->ColumnDouble(2);
    std::string state = q->ColumnBlobString(3);
    c.state.assign(state.begin(), state.end());
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<AlarmRecord>> EventStore::Alarms(const AlarmQuery& query) {
  if (std::isnan(query.since)) return Status::InvalidArgument("alarm query: since is NaN");
  std::string sql =
      "SELECT line, start_ts, end_ts, peak_score, threshold, readings, channels FROM alarms "
      "WHERE (end_ts IS NULL OR end_ts >= ?1 OR start_ts >= ?1)";
  if (!query.line.empty()) sql += " AND line = ?3";
  sql += query.newest_first ? " ORDER BY start_ts DESC, line" : " ORDER BY start_ts, line";
  sql += " LIMIT ?2";
  std::lock_guard<std::mutex> lock(impl_->mu);
  VIGIL_ASSIGN_OR_RETURN(Statement * q, impl_->Prepared(sql));
  q->Bind(1, query.since);
  q->Bind(2, SqlLimit(query.limit));
  if (!query.line.empty()) q->Bind(3, query.line);
  std::vector<AlarmRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, impl_->Next(q, "reading alarms"));
    if (!row) break;
    AlarmRecord a;
    a.line = q->ColumnText(0);
    a.start_ts = q->ColumnDouble(1);
    a.end_ts = q->ColumnDouble(2);
    a.peak_score = q->ColumnDouble(3);
    a.threshold = q->ColumnDouble(4);
    a.readings = static_cast<uint64_t>(q->ColumnInt(5));
    auto channels = ParseChannels(q->ColumnText(6));
    if (!channels.ok()) {
      q->Reset();
      return Status::Corruption(StoreName(impl_->options.path) + ": " + a.Id() + ": " +
                                channels.status().message());
    }
    a.channels = std::move(channels).value();
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<ScoreRecord>> EventStore::Scores(const std::string& line, double since, size_t limit) {
  if (std::isnan(since)) return Status::InvalidArgument("score query: since is NaN");
  std::string sql = "SELECT line, ts, score, threshold, alarm FROM scores WHERE ts >= ?1";
  if (!line.empty()) sql += " AND line = ?3";
  sql += " ORDER BY ts, line LIMIT ?2";
  std::lock_guard<std::mutex> lock(impl_->mu);
  VIGIL_ASSIGN_OR_RETURN(Statement * q, impl_->Prepared(sql));
  q->Bind(1, since);
  q->Bind(2, SqlLimit(limit));
  if (!line.empty()) q->Bind(3, line);
  std::vector<ScoreRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, impl_->Next(q, "reading scores"));
    if (!row) break;
    ScoreRecord s;
    s.line = q->ColumnText(0);
    s.ts = q->ColumnDouble(1);
    s.score = q->ColumnDouble(2);
    s.threshold = q->ColumnDouble(3);
    s.alarm = q->ColumnInt(4) != 0;
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<RejectRecord>> EventStore::Rejects(const std::string& line, size_t limit, double since) {
  if (std::isnan(since)) return Status::InvalidArgument("reject query: since is NaN");
  std::string sql = "SELECT seq, line, reason, detail, payload, received_unix FROM rejects WHERE 1";
  // Rows without a receive time only match the default (unbounded) since.
  if (since != -std::numeric_limits<double>::infinity()) sql += " AND received_unix >= ?1";
  if (!line.empty()) sql += " AND line = ?3";
  sql += " ORDER BY seq DESC LIMIT ?2";
  std::lock_guard<std::mutex> lock(impl_->mu);
  VIGIL_ASSIGN_OR_RETURN(Statement * q, impl_->Prepared(sql));
  if (since != -std::numeric_limits<double>::infinity()) q->Bind(1, since);
  q->Bind(2, SqlLimit(limit));
  if (!line.empty()) q->Bind(3, line);
  std::vector<RejectRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, impl_->Next(q, "reading rejects"));
    if (!row) break;
    RejectRecord r;
    r.seq = static_cast<uint64_t>(q->ColumnInt(0));
    r.line = q->ColumnText(1);
    auto reason = ParseReason(q->ColumnText(2));
    if (!reason.ok()) {
      q->Reset();
      return Status::Corruption(StoreName(impl_->options.path) + ": reject " + std::to_string(r.seq) + ": " +
                                reason.status().message());
    }
    r.reason = *reason;
    r.detail = q->ColumnText(3);
    r.payload = q->ColumnBlobString(4);
    r.received_unix = q->ColumnDouble(5);
    out.push_back(std::move(r));
  }
  return out;
}

Result<EventStore::Counts> EventStore::Count(const std::string& line) {
  const std::string where = line.empty() ? "" : " WHERE line = ?1";
  const std::string alarms_sql = "SELECT COUNT(*) FROM alarms" + where;
  const std::string scores_sql = "SELECT COALESCE(SUM(n), 0) FROM score_counts" + where;
  const std::string rejects_sql = "SELECT COUNT(*) FROM rejects" + where;
  std::lock_guard<std::mutex> lock(impl_->mu);
  // One read transaction: the three counts come from the same snapshot.
  return impl_->InTransaction(kBeginRead, [&]() -> Result<Counts> {
    Counts counts;
    for (auto [sql, field] : {std::pair{&alarms_sql, &counts.alarms}, std::pair{&scores_sql, &counts.scores},
                              std::pair{&rejects_sql, &counts.rejects}}) {
      VIGIL_ASSIGN_OR_RETURN(Statement * q, impl_->Prepared(*sql));
      if (!line.empty()) q->Bind(1, line);
      VIGIL_ASSIGN_OR_RETURN(int64_t n, impl_->QueryInt(q, "counting rows"));
      *field = static_cast<uint64_t>(n);
    }
    return counts;
  });
}

}  // namespace vigil::serve
