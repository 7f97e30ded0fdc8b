// vigil serve: readings in (MQTT, or a CSV replayed at a chosen rate), scores and alarms out
// (MQTT topics, stdout, SQLite), metrics and an HTTP API for operators.
//
//   VIGIL_ASSIGN_OR_RETURN(serve::ServeConfig config, serve::LoadServeConfig("vigil.toml"));
//   VIGIL_ASSIGN_OR_RETURN(auto service, serve::Service::Create(config, {}));
//   std::thread stopper([&] { wait_for_signal(); service->Shutdown(); });
//   Status s = service->Run();   // until Shutdown() (or the CSV source ends)
//
// Threads: the MQTT network thread journals each message and queues it; Run()'s thread scores
// and publishes; a committer thread writes each batch to the store while scoring goes on; HTTP
// requests run on their own threads.
// Crash safety: a message is journaled (state_dir) before the broker is acknowledged; the store
// commits scores, alarms, refusals and every line's scoring state in one transaction with the
// journal position they reach. After kill -9, Run() first replays the journal past that
// position: nothing acknowledged is lost, and replayed alarms keep their ids, so none is stored
// twice. Alarms raised while replaying are stored but not published again.
// Overload: the ingest queue holds at most queue_capacity messages. Policy "block" stops reading
// from the broker while it is full (the broker queues, up to its own limits); policy "drop"
// refuses the message as queue_full before journaling it (counted per line, dead-lettered; the
// broker considers it delivered, so it is gone by policy).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <optional>
#include <thread>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "serve/bounded_queue.h"
#include "serve/event_store.h"
#include "serve/http_api.h"
#include "serve/ingest_journal.h"
#include "serve/line_scorer.h"
#include "serve/metrics.h"
#include "serve/mqtt_link.h"
#include "serve/serve_config.h"

namespace vigil::serve {

struct ServeOptions {
  std::string source;       // empty: MQTT; otherwise a CSV file (or "-" for stdin) to replay
  std::string source_line;  // the line the CSV feeds (default: the first line)
  double rate = 0;          // CSV readings per second (0 = as fast as possible)
  bool print_alarms = true; // each alarm event as one JSON line on stdout
};

class Service {
 public:
  // Loads every model of this worker's lines, opens the store and the journal, and checks
  // that the HTTP address can be bound. Errors name the line, file or key at fault.
  static Result<std::unique_ptr<Service>> Create(const ServeConfig& config, const ServeOptions& options);
  ~Service();

  Status Run();
  // Asks Run() to finish: stop ingesting, score what is queued, commit, return. Thread-safe.
  void Shutdown();

  int http_port() const;
  MetricsRegistry& metrics() { return metrics_; }

 private:
  struct Ingested {
    uint64_t seq = 0;
    double received_unix = 0;
    std::chrono::steady_clock::time_point arrived;
    std::string topic;
    std::string payload;
    uint32_t original_bytes = 0;
  };
  struct Line {
    std::unique_ptr<LineScorer> scorer;
    Counter* scored;
    Counter* duplicates;
    Counter* alarms;
    Counter* rejects[kRejectReasonCount];
  };

  Service(const ServeConfig& config, const ServeOptions& options);
  Status Init();
  Status StartHttp();
  Status ReplayJournal();
  Status RunMqtt();
  Status RunSource();
  void OnMessage(std::string_view topic, std::string_view payload);
  // Scores one message and adds its effects to the pending batch. `live`: publish its alarms.
  void Handle(const Ingested& item, bool live);
  void HandleOutcome(Line& line, const LineOutcome& o, const Ingested& item, bool live);
  void Reject(Line* line, RejectReason reason, const std::string& detail, const Ingested& item, bool live);
  // Hands the pending batch and every line's checkpoint to the committer thread.
  Status Commit();
  // Commit() when the batch is full or the commit interval has passed; a failure is kept in
  // score_status_. Holding score_mu_.
  void MaybeCommit();
  // Commit() and wait until the store has it.
  Status Flush();
  void CommitLoop();
  void StartCommitter();
  void StopCommitter();
  Line* FindLine(const std::string& topic);
  void Publish(const std::string& topic, const std::string& payload, int qos);
  nlohmann::json LinesJson();
  void AnnounceReady();

  const ServeConfig config_;
  const ServeOptions options_;
  MetricsRegistry metrics_;
  std::vector<Line> lines_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<IngestJournal> journal_;
  std::unique_ptr<HttpApi> http_;
  std::unique_ptr<MqttLink> mqtt_;
  BoundedQueue<Ingested> queue_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> healthy_{false};  // Run() is scoring
  std::atomic<bool> broker_up_{true};  // connected (always true when replaying a CSV)
  size_t max_payload_ = 0;  // the largest max_payload_bytes of any line

  // The scorer: whoever holds score_mu_ scores, in journal order. The MQTT network thread scores
  // a message itself when the queue is empty and the lock is free (no thread hand-off, no
  // wake-up); otherwise it queues the message for the scoring thread, which drains the queue
  // under the lock, so nothing queued is overtaken. Without a broker (replay, --source) only the
  // main thread scores.
  std::mutex score_mu_;
  Status score_status_;  // guarded by score_mu_: the first commit failure
  // Guarded by score_mu_.
  CommitBatch batch_;
  uint64_t batch_seq_ = 0;  // the journal position the pending batch reaches
  size_t batch_readings_ = 0;
  std::chrono::steady_clock::time_point last_commit_;

  // The committer thread writes batches to the store while scoring goes on.
  struct CommitJob {
    CommitBatch batch;
    uint64_t seq = 0;
  };
  std::thread committer_;
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::optional<CommitJob> commit_job_;  // guarded by commit_mu_: handed off, not yet taken
  bool commit_busy_ = false;             // guarded by commit_mu_: a batch is being written
  bool commit_stop_ = false;             // guarded by commit_mu_
  Status commit_status_;                 // guarded by commit_mu_: the first failure

  mutable std::mutex lines_mu_;  // guards reads of line status from HTTP threads vs scoring

  // Metrics (owned by metrics_).
  Gauge* queue_depth_;
  Counter* queue_dropped_;
  Counter* received_;
  Counter* unknown_topic_;
  Counter* commits_;
  Counter* replayed_;
  Counter* state_resets_;
  Counter* publish_failures_;
  Gauge* mqtt_connected_;
  Counter* mqtt_reconnects_;
  Histogram* latency_;
  Histogram* commit_seconds_;
};

}  // namespace vigil::serve
