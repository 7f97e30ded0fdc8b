#include "serve/service.h"

#include <mosquitto.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

#include "vigil/csv.h"

namespace vigil::serve {
namespace {

using Clock = std::chrono::steady_clock;

double NowUnix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Excerpt(std::string_view payload) { return std::string(payload.substr(0, 256)); }

}  // namespace

Service::Service(const ServeConfig& config, const ServeOptions& options)
    : config_(config), options_(options), queue_(config.service.queue_capacity) {}

Service::~Service() {
  if (mqtt_) mqtt_->Stop();
  if (http_) http_->Stop();
  StopCommitter();
}

Result<std::unique_ptr<Service>> Service::Create(const ServeConfig& config, const ServeOptions& options) {
  std::unique_ptr<Service> s(new Service(config, options));
  VIGIL_RETURN_IF_ERROR(s->Init());
  return s;
}

Status Service::Init() {
  const bool replaying = !options_.source.empty();
  if (!replaying && !config_.broker.enabled) {
    return Status::InvalidArgument(config_.path + ": no [broker] table: give one, or replay a CSV with --source");
  }
  for (const LineConfig& lc : config_.lines) {
    if (replaying) {
      const std::string& want = options_.source_line.empty() ? config_.lines.front().name : options_.source_line;
      if (lc.name != want) continue;
    } else if (!LineBelongsToWorker(lc.name, config_.service.worker_index, config_.service.worker_count)) {
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<LineScorer> scorer, LineScorer::Create(lc));
    Line line;
    line.scorer = std::move(scorer);
    const Labels l = {{"line", lc.name}};
    line.scored = &metrics_.GetCounter("vigil_readings_total", "Readings scored", l);
    line.duplicates = &metrics_.GetCounter("vigil_duplicates_total", "Redelivered readings skipped (already scored)", l);
    line.alarms = &metrics_.GetCounter("vigil_alarms_total", "Alarms raised", l);
    for (size_t r = 0; r < kRejectReasonCount; ++r) {
      line.rejects[r] = &metrics_.GetCounter("vigil_rejects_total", "Readings refused, by reason",
                                             {{"line", lc.name}, {"reason", RejectReasonName(static_cast<RejectReason>(r))}});
    }
    lines_.push_back(std::move(line));
  }
  for (const LineConfig& lc : config_.lines) max_payload_ = std::max(max_payload_, lc.max_payload_bytes);
  if (lines_.empty()) {
    if (replaying) return Status::InvalidArgument("--line '" + options_.source_line + "' is not a line of " + config_.path);
    return Status::InvalidArgument("worker " + std::to_string(config_.service.worker_index + 1) + "/" +
                                   std::to_string(config_.service.worker_count) + " owns none of the " +
                                   std::to_string(config_.lines.size()) + " lines in " + config_.path);
  }
  queue_depth_ = &metrics_.GetGauge("vigil_queue_depth", "Messages waiting to be scored");
  metrics_.GetGauge("vigil_queue_capacity", "Ingest queue capacity").Set(static_cast<double>(queue_.capacity()));
  queue_dropped_ = &metrics_.GetCounter("vigil_queue_dropped_total", "Messages refused because the queue was full");
  received_ = &metrics_.GetCounter("vigil_messages_received_total", "MQTT messages received");
  unknown_topic_ = &metrics_.GetCounter("vigil_unknown_topic_total", "Messages on a topic no line matches");
  commits_ = &metrics_.GetCounter("vigil_store_commits_total", "Store transactions committed");
  replayed_ = &metrics_.GetCounter("vigil_journal_replayed_total", "Journal records replayed at start");
  state_resets_ = &metrics_.GetCounter("vigil_state_resets_total", "Lines whose checkpoint was of another model");
  publish_failures_ = &metrics_.GetCounter("vigil_publish_failures_total", "Alarm/score publishes that failed");
  mqtt_connected_ = &metrics_.GetGauge("vigil_mqtt_connected", "1 while connected to the broker");
  mqtt_reconnects_ = &metrics_.GetCounter("vigil_mqtt_reconnects_total", "Reconnections to the broker");
  latency_ = &metrics_.GetHistogram("vigil_ingest_latency_seconds", "Arrival to scored and published",
                                    LatencyBucketsSeconds());
  commit_seconds_ = &metrics_.GetHistogram("vigil_store_commit_seconds", "Store commit duration", LatencyBucketsSeconds());

  StoreOptions so;
  so.path = config_.store.path;
  so.max_score_rows = config_.store.max_score_rows;
  so.max_score_age_s = config_.store.max_score_age_s;
  VIGIL_ASSIGN_OR_RETURN(store_, EventStore::Open(so));
  if (!replaying) {
    // Where each line stood at the last commit.
    VIGIL_ASSIGN_OR_RETURN(std::vector<LineCheckpoint> checkpoints, store_->LoadCheckpoints());
    for (const LineCheckpoint& c : checkpoints) {
      batch_seq_ = std::max(batch_seq_, c.journal_seq);
      for (Line& line : lines_) {
        if (line.scorer->config().name != c.line || c.state.empty()) continue;
        Status loaded = line.scorer->LoadState(c.state);
        if (loaded.code() == StatusCode::kInvalidArgument) {
          // The state belongs to another model (the file was refitted or replaced): this line's
          // scoring starts fresh; its readings are not replayed into the new model's history.
          std::cerr << "vigil serve: line '" << c.line << "': " << loaded.message()
                    << "; the line's scoring state starts fresh\n";
          state_resets_->Add();
        } else if (!loaded.ok()) {
          return loaded.WithPrefix(config_.store.path + ": checkpoint: ");
        }
      }
    }
    VIGIL_ASSIGN_OR_RETURN(journal_, IngestJournal::Open(config_.service.state_dir));
    if (journal_->last_seq() < batch_seq_) {
      // The journal was removed while the store kept its position: number on from there so
      // sequence numbers (the refusals' keys) stay unique.
      VIGIL_RETURN_IF_ERROR(journal_->AdvanceTo(batch_seq_));
    }
  }
  return Status::OK();
}

Service::Line* Service::FindLine(const std::string& topic) {
  for (Line& line : lines_) {
    bool match = false;
    if (mosquitto_topic_matches_sub(line.scorer->config().topic.c_str(), topic.c_str(), &match) == MOSQ_ERR_SUCCESS &&
        match) {
      return &line;
    }
  }
  return nullptr;
}

void Service::Publish(const std::string& topic, const std::string& payload, int qos) {
  if (!mqtt_ || topic.empty()) return;
  if (!mqtt_->Publish(topic, payload, qos).ok()) publish_failures_->Add();
}

void Service::Reject(Line* line, RejectReason reason, const std::string& detail, const Ingested& item, bool live) {
  RejectRecord r;
  r.seq = item.seq;
  r.line = line ? line->scorer->config().name : "";
  r.reason = reason;
  r.detail = detail;
  r.payload = Excerpt(item.payload);
  r.received_unix = item.received_unix;
  if (line) line->rejects[static_cast<size_t>(reason)]->Add();
  if (live && !config_.service.dead_letter_topic.empty()) {
    nlohmann::json j = ToJson(r);
    j["topic"] = item.topic;
    Publish(config_.service.dead_letter_topic, JsonText(j), 1);
  }
  batch_.rejects.push_back(std::move(r));
}

void Service::HandleOutcome(Line& line, const LineOutcome& o, const Ingested& item, bool live) {
  const LineConfig& lc = line.scorer->config();
  switch (o.kind) {
    case LineOutcome::kRejected:
      Reject(&line, o.reject.reason, o.reject.detail, item, live);
      return;
    case LineOutcome::kDuplicate:
      line.duplicates->Add();
      return;
    case LineOutcome::kScored:
      break;
  }
  line.scored->Add();
  batch_.scores.push_back(o.score);
  if (live && !lc.score_topic.empty()) Publish(lc.score_topic, JsonText(ToJson(o.score)), 0);
  if (o.alarm) {
    nlohmann::json j = ToJson(*o.alarm);
    j["event"] = o.alarm->open() ? "raised" : "cleared";
    const std::string text = JsonText(j);
    if (o.alarm->open()) line.alarms->Add();
    if (live) Publish(lc.alarm_topic, text, 1);
    if (live && options_.print_alarms) std::cout << text << std::endl;
    batch_.alarms.push_back(*o.alarm);
  }
}

void Service::Handle(const Ingested& item, bool live) {
  Line* line = FindLine(item.topic);
  std::lock_guard<std::mutex> lock(lines_mu_);
  if (line == nullptr) {
    unknown_topic_->Add();
    Reject(nullptr, RejectReason::kUnknownTopic, "topic '" + item.topic + "' matches no line", item, live);
  } else {
    HandleOutcome(*line, line->scorer->Process(item.payload, item.original_bytes), item, live);
  }
  batch_seq_ = std::max(batch_seq_, item.seq);
  ++batch_readings_;
  if (live) {
    latency_->Observe(std::chrono::duration<double>(Clock::now() - item.arrived).count());
  }
}

Status Service::Commit() {
  CommitJob job;
  {
    std::lock_guard<std::mutex> lock(lines_mu_);
    // Replaying a CSV is not resumable: its lines' checkpoints are left as they were.
    for (Line& line : lines_) {
      if (!journal_) break;
      LineCheckpoint c;
      c.line = line.scorer->config().name;
      c.journal_seq = batch_seq_;
      c.last_ts = line.scorer->last_ts();
      c.state = line.scorer->SaveState();
      batch_.checkpoints.push_back(std::move(c));
    }
  }
  job.batch = std::move(batch_);
  job.seq = batch_seq_;
  batch_ = CommitBatch{};
  batch_readings_ = 0;
  last_commit_ = Clock::now();
  // Hand it to the committer; wait only while the previous batch is still being written (at
  // most two batches in memory).
  std::unique_lock<std::mutex> lock(commit_mu_);
  commit_cv_.wait(lock, [&] { return (!commit_job_ && !commit_busy_) || !commit_status_.ok(); });
  if (!commit_status_.ok()) return commit_status_;
  commit_job_ = std::move(job);
  commit_cv_.notify_all();
  return Status::OK();
}

Status Service::Flush() {
  VIGIL_RETURN_IF_ERROR(Commit());
  std::unique_lock<std::mutex> lock(commit_mu_);
  commit_cv_.wait(lock, [&] { return (!commit_job_ && !commit_busy_) || !commit_status_.ok(); });
  return commit_status_;
}

void Service::CommitLoop() {
  std::unique_lock<std::mutex> lock(commit_mu_);
  while (true) {
    commit_cv_.wait(lock, [&] { return commit_job_.has_value() || commit_stop_; });
    if (!commit_job_) return;  // stopping, nothing left
    CommitJob job = std::move(*commit_job_);
    commit_job_.reset();
    commit_busy_ = true;
    lock.unlock();
    const auto start = Clock::now();
    Status s = Status::OK();
    Result<CommitResult> r = store_->Commit(job.batch);
    if (!r.ok()) {
      s = r.status().WithPrefix(config_.store.path + ": ");
    } else {
      commits_->Add();
      commit_seconds_->Observe(std::chrono::duration<double>(Clock::now() - start).count());
      // Only now are the journal's records up to job.seq no longer needed.
      if (journal_) s = journal_->Release(job.seq);
    }
    lock.lock();
    commit_busy_ = false;
    if (!s.ok() && commit_status_.ok()) commit_status_ = std::move(s);
    commit_cv_.notify_all();
  }
}

void Service::StartCommitter() { committer_ = std::thread([this] { CommitLoop(); }); }

void Service::StopCommitter() {
  if (!committer_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    commit_stop_ = true;
    commit_cv_.notify_all();
  }
  committer_.join();
}

Status Service::ReplayJournal() {
  const uint64_t from = batch_seq_;
  Status inner = Status::OK();
  VIGIL_RETURN_IF_ERROR(journal_->Replay(from, [&](const JournalRecord& r) {
    Ingested item;
    item.seq = r.seq;
    item.received_unix = r.received_unix;
    item.arrived = Clock::now();
    item.topic = std::string(r.topic);
    item.payload = std::string(r.payload);
    item.original_bytes = r.original_bytes;
    Handle(item, /*live=*/false);
    replayed_->Add();
    if (inner.ok() && batch_readings_ >= config_.store.commit_max_readings) inner = Commit();
  }));
  VIGIL_RETURN_IF_ERROR(inner);
  return Flush();
}

void Service::OnMessage(std::string_view topic, std::string_view payload) {
  received_->Add();
  if (config_.service.overload == OverloadPolicy::kDrop && queue_.size() >= queue_.capacity()) {
    // Policy "drop": refused before it is journaled, so memory and disk stay bounded however
    // long the overload lasts. Counted per line and reported on the dead-letter topic.
    queue_dropped_->Add();
    if (Line* line = FindLine(std::string(topic))) line->rejects[static_cast<size_t>(RejectReason::kQueueFull)]->Add();
    if (!config_.service.dead_letter_topic.empty()) {
      nlohmann::json j = {{"reason", RejectReasonName(RejectReason::kQueueFull)},
                          {"detail", "ingest queue full (overload policy drop)"},
                          {"topic", std::string(topic)},
                          {"payload", Excerpt(payload)},
                          {"received_unix", NowUnix()}};
      Publish(config_.service.dead_letter_topic, JsonText(j), 0);
    }
    return;
  }
  // Bound what one message may cost in disk and memory: an oversize payload is kept cut (it
  // is refused as oversize either way).
  const std::string_view kept = payload.size() > max_payload_ ? payload.substr(0, 256) : payload;
  Ingested item;
  item.received_unix = NowUnix();
  item.arrived = Clock::now();
  item.topic = std::string(topic);
  item.payload = std::string(kept);
  item.original_bytes = static_cast<uint32_t>(std::min<size_t>(payload.size(), UINT32_MAX));
  Result<uint64_t> seq = journal_->Append(topic, kept, item.received_unix, item.original_bytes);
  if (!seq.ok()) {
    // Without the journal the message could be lost in a crash: stop rather than acknowledge
    // what is not safe (the broker keeps it for the next start).
    std::cerr << "vigil serve: " << seq.status().message() << "; stopping\n";
    healthy_ = false;
    std::_Exit(1);
  }
  item.seq = *seq;
  {
    // Only this thread pushes and only the scorer pops, so an empty queue seen under score_mu_
    // stays empty: nothing waits that this message could overtake.
    std::unique_lock<std::mutex> scoring(score_mu_, std::try_to_lock);
    if (scoring.owns_lock() && !stop_ && queue_.size() == 0) {
      Handle(item, /*live=*/true);
      MaybeCommit();
      return;
    }
  }
  queue_.Push(std::move(item));  // policy "block": waits for room
  queue_depth_->Set(static_cast<double>(queue_.size()));
}

Status Service::StartHttp() {
  if (!config_.http.enabled) return Status::OK();
  HttpOptions ho;
  ho.listen = config_.http.listen;
  ho.bearer_token = config_.http.bearer_token;
  HttpHandlers h;
  h.healthy = [this] { return healthy_.load() && broker_up_.load(); };
  h.lines = [this] { return LinesJson(); };
  h.alarms = [this](const AlarmQueryParams& p) -> Result<nlohmann::json> {
    AlarmQuery q;
    q.since = p.since;
    q.line = p.line;
    q.limit = p.limit;
    VIGIL_ASSIGN_OR_RETURN(std::vector<AlarmRecord> alarms, store_->Alarms(q));
    nlohmann::json out = nlohmann::json::array();
    for (const AlarmRecord& a : alarms) out.push_back(ToJson(a));
    return out;
  };
  VIGIL_ASSIGN_OR_RETURN(http_, HttpApi::Start(ho, &metrics_, std::move(h)));
  return Status::OK();
}

nlohmann::json Service::LinesJson() {
  std::lock_guard<std::mutex> lock(lines_mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const Line& line : lines_) {
    const LineConfig& lc = line.scorer->config();
    const LineStatus& s = line.scorer->status();
    auto num = [](double v) -> nlohmann::json { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
    nlohmann::json j = {{"name", lc.name},           {"topic", lc.topic},
                        {"model", lc.model},         {"detector", line.scorer->model().detector().name()},
                        {"channels", line.scorer->model().schema().names()},
                        {"scored", s.scored},        {"rejected", s.rejected},
                        {"duplicates", s.duplicates}, {"alarms", s.alarms},
                        {"last_ts", num(line.scorer->last_ts())}, {"last_score", num(s.last_score)},
                        {"threshold", num(s.threshold)}};
    const auto& open = line.scorer->open_alarm();
    j["open_alarm"] = open ? ToJson(*open) : nlohmann::json(nullptr);
    out.push_back(std::move(j));
  }
  return out;
}

void Service::AnnounceReady() {
  // One line on stderr that scripts (and tests) wait for; it names the bound HTTP port.
  std::cerr << "vigil serve: ready: " << lines_.size() << " line(s)";
  if (http_) std::cerr << ", http " << config_.http.listen.substr(0, config_.http.listen.rfind(':')) << ":" << http_->port();
  if (options_.source.empty()) {
    std::cerr << ", broker " << config_.broker.host << ":" << config_.broker.port << ", replayed " << replayed_->value()
              << " journaled message(s)";
  } else {
    std::cerr << ", replaying " << options_.source;
  }
  std::cerr << std::endl;
}

int Service::http_port() const { return http_ ? http_->port() : 0; }

void Service::Shutdown() {
  stop_ = true;
  queue_.Close();
}

Status Service::Run() {
  last_commit_ = Clock::now();
  StartCommitter();
  Status s = options_.source.empty() ? ReplayJournal() : Status::OK();
  if (s.ok()) s = StartHttp();
  if (s.ok()) s = options_.source.empty() ? RunMqtt() : RunSource();
  StopCommitter();
  return s;
}

Status Service::RunMqtt() {
  std::vector<std::string> subscriptions;
  for (const Line& line : lines_) {
    const std::string& topic = line.scorer->config().topic;
    subscriptions.push_back(config_.service.share_group.empty() ? topic
                                                                : "$share/" + config_.service.share_group + "/" + topic);
  }
  MqttLink::Callbacks cb;
  cb.on_message = [this](std::string_view topic, std::string_view payload) { OnMessage(topic, payload); };
  cb.on_connection = [this](bool up, const std::string& why) {
    mqtt_connected_->Set(up ? 1 : 0);
    broker_up_ = up;
    if (up) mqtt_reconnects_->Add();
    std::cerr << "vigil serve: broker " << why << "\n";
  };
  VIGIL_ASSIGN_OR_RETURN(mqtt_, MqttLink::Connect(config_.broker, subscriptions, cb));
  mqtt_connected_->Set(1);
  healthy_ = true;
  AnnounceReady();
  const auto interval = std::chrono::milliseconds(config_.store.commit_interval_ms);
  Status status = Status::OK();
  while (status.ok()) {
    queue_.WaitFor(interval);
    std::lock_guard<std::mutex> scoring(score_mu_);
    while (std::optional<Ingested> item = queue_.TryPop()) {
      Handle(*item, /*live=*/true);
      MaybeCommit();
    }
    queue_depth_->Set(static_cast<double>(queue_.size()));
    MaybeCommit();
    status = score_status_;
    if (stop_) break;  // closed and drained
  }
  healthy_ = false;
  // Stop taking messages, score what is queued, and commit.
  mqtt_->Stop();
  std::lock_guard<std::mutex> scoring(score_mu_);
  while (std::optional<Ingested> item = queue_.TryPop()) Handle(*item, false);
  if (status.ok()) status = Flush();
  return status;
}

void Service::MaybeCommit() {
  if (batch_readings_ == 0 || !score_status_.ok()) return;
  if (batch_readings_ >= config_.store.commit_max_readings ||
      Clock::now() - last_commit_ >= std::chrono::milliseconds(config_.store.commit_interval_ms)) {
    score_status_ = Commit();
  }
}

Status Service::RunSource() {
  Line& line = lines_.front();
  const Model& model = line.scorer->model();
  CsvOptions csv;
  csv.columns = model.schema().names();
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader, CsvReader::Open(options_.source, csv));
  healthy_ = true;
  AnnounceReady();
  const auto start = Clock::now();
  CsvRow row;
  uint64_t n = 0;
  Status status = Status::OK();
  while (status.ok() && !stop_) {
    Result<bool> more = reader->Next(&row);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    if (options_.rate > 0) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(static_cast<double>(n) / options_.rate)));
    }
    Ingested item;
    item.seq = ++n;
    item.received_unix = NowUnix();
    item.arrived = Clock::now();
    item.topic = line.scorer->config().topic;
    {
      std::lock_guard<std::mutex> lock(lines_mu_);
      HandleOutcome(line, line.scorer->ProcessReading(row.timestamp, row.values), item, /*live=*/true);
    }
    ++batch_readings_;
    latency_->Observe(std::chrono::duration<double>(Clock::now() - item.arrived).count());
    if (batch_readings_ >= config_.store.commit_max_readings) status = Commit();
  }
  healthy_ = false;
  if (status.ok()) status = Flush();
  return status;
}

}  // namespace vigil::serve
