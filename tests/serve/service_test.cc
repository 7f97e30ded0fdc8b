// vigil serve end to end: the real CLI, a real mosquitto, real SQLite files.
#include "serve/service.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <mutex>
#include <set>

#include "serve/event_store.h"
#include "serve/mosquitto_broker.h"
#include "serve/mqtt_link.h"
#include "serve/serve_process.h"

namespace vigil::serve {
namespace {

using vigil::testing::MosquittoBroker;
using vigil::testing::ServeProcess;

const std::string kData = VIGIL_REPO_DATA_DIR;

StoreOptions StoreAt(const std::string& path) {
  StoreOptions o;
  o.path = path;
  o.create_if_missing = false;  // the service creates it; the test only reads
  return o;
}

// Messages received on some topics.
struct Listener {
  std::mutex mu;
  std::vector<nlohmann::json> messages;
  std::unique_ptr<MqttLink> link;
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return messages.size();
  }
  std::vector<nlohmann::json> Snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return messages;
  }
};

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = vigil::testing::TestDir("vigil_serve"); }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "kept for inspection: " << dir_ << "\n";
    } else {
      std::filesystem::remove_all(dir_);
    }
  }

  void StartBroker(std::vector<MosquittoBroker::User> users = {}) {
    broker_ = std::make_unique<MosquittoBroker>(std::move(users));
    if (!broker_->available()) GTEST_SKIP() << "mosquitto is not installed";
    ASSERT_TRUE(broker_->Start()) << broker_->error();
  }

  // Fits a PCA model on the shipped normal sample (once per test).
  std::string Model() {
    const std::string path = dir_ + "/pump.vgm";
    if (!std::filesystem::exists(path)) {
      auto r = vigil::testing::Vigil("fit --detector pca -i " + kData + "/normal.csv -o " + path);
      EXPECT_EQ(r.code, 0) << r.err;
    }
    return path;
  }

  // A config for `lines` lines named pump-1.. on topics plant/<name>/readings.
  std::string WriteConfig(const std::string& name, const std::string& extra = "", int lines = 1,
                          const std::string& client_id = "vigil-test", int commit_interval_ms = 20) {
    std::ostringstream c;
    c << "[broker]\nport = " << broker_->port() << "\nclient_id = \"" << client_id << "\"\nconnect_timeout_ms = 5000\n"
      << "[store]\npath = \"" << name << ".db\"\ncommit_interval_ms = " << commit_interval_ms
      << "\ncommit_max_readings = 100000\n"
      << "[http]\nlisten = \"127.0.0.1:0\"\n"
      << "[service]\nstate_dir = \"" << name << "-state\"\n"
      << extra;
    for (int i = 1; i <= lines; ++i) {
      c << "[[line]]\nname = \"pump-" << i << "\"\ntopic = \"plant/pump-" << i << "/readings\"\nmodel = \"" << Model()
        << "\"\n";
    }
    const std::string path = dir_ + "/" + name + ".toml";
    std::ofstream(path) << c.str();
    return path;
  }

  std::unique_ptr<MqttLink> Publisher(const std::string& id = "publisher") {
    BrokerConfig b;
    b.enabled = true;
    b.port = broker_->port();
    b.client_id = id;
    auto link = MqttLink::Connect(b, {}, {});
    EXPECT_TRUE(link.ok()) << link.status().message();
    return link.ok() ? std::move(*link) : nullptr;
  }

  std::unique_ptr<Listener> Listen(const std::vector<std::string>& topics, const std::string& id) {
    auto l = std::make_unique<Listener>();
    BrokerConfig b;
    b.enabled = true;
    b.port = broker_->port();
    b.client_id = id;
    MqttLink::Callbacks cb;
    Listener* raw = l.get();
    cb.on_message = [raw](std::string_view, std::string_view payload) {
      std::lock_guard<std::mutex> lock(raw->mu);
      raw->messages.push_back(nlohmann::json::parse(payload));
    };
    auto link = MqttLink::Connect(b, topics, cb);
    EXPECT_TRUE(link.ok()) << link.status().message();
    if (link.ok()) l->link = std::move(*link);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // SUBACK before publishing
    return l;
  }

  // Waits until the store at `db` accounts for `n` readings (scored + refused) of `line`.
  EventStore::Counts WaitForReadings(const std::string& db, uint64_t n, const std::string& line = "",
                                     int seconds = 60) {
    EventStore::Counts counts{};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::filesystem::exists(db)) {
        auto store = EventStore::Open(StoreAt(db));
        if (store.ok()) {
          auto c = (*store)->Count(line);
          if (c.ok()) {
            counts = *c;
            if (counts.scores + counts.rejects >= n) return counts;
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return counts;
  }

  std::vector<AlarmRecord> StoredAlarms(const std::string& db) {
    auto store = EventStore::Open(StoreAt(db));
    EXPECT_TRUE(store.ok()) << store.status().message();
    AlarmQuery q;
    q.limit = 100000;
    q.newest_first = false;
    auto alarms = (*store)->Alarms(q);
    EXPECT_TRUE(alarms.ok());
    return alarms.ok() ? *alarms : std::vector<AlarmRecord>{};
  }

  std::string Serve(const std::string& config, const std::string& more = "") { return "--config " + config + " " + more; }

  std::string dir_;
  std::unique_ptr<MosquittoBroker> broker_;
};

TEST_F(ServeTest, AlarmsReachTheOutputTopicAndTheStore) {
  StartBroker();
  const std::string config = WriteConfig("e2e");
  auto alarms = Listen({"vigil/alarms/#"}, "alarm-listener");
  ServeProcess serve(Serve(config), dir_);
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/faulty.csv");
  auto pub = Publisher();
  for (const auto& p : payloads) ASSERT_TRUE(pub->Publish("plant/pump-1/readings", p, 1).ok());
  const auto counts = WaitForReadings(dir_ + "/e2e.db", payloads.size());
  EXPECT_EQ(counts.scores, payloads.size());
  EXPECT_EQ(counts.rejects, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto stored = StoredAlarms(dir_ + "/e2e.db");
  ASSERT_GE(stored.size(), 1u) << "the faulty sample holds a closed valve";
  std::set<std::string> raised;
  for (const auto& m : alarms->Snapshot()) {
    if (m["event"] == "raised") {
      raised.insert(m["id"].get<std::string>());
      EXPECT_FALSE(m["channels"].empty()) << m.dump();
    }
  }
  EXPECT_EQ(raised.size(), stored.size());
  for (const auto& a : stored) EXPECT_TRUE(raised.count(a.Id())) << a.Id();
  // Alarms are also printed on stdout, one JSON object per line.
  EXPECT_NE(serve.out().find("\"event\":\"raised\""), std::string::npos);
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0) << serve.err();
  auto listed = vigil::testing::Vigil("events --store " + dir_ + "/e2e.db --format json");
  EXPECT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find(stored.front().Id()), std::string::npos);
}

// kill -9 twice mid-stream, restart each time: every reading is scored exactly once and the
// alarms are exactly those of an uninterrupted run (no loss, no duplicates).
TEST_F(ServeTest, KillNineMidStreamLosesNothingAndDuplicatesNothing) {
  StartBroker();
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/faulty.csv");
  const size_t n = payloads.size();
  auto pub = Publisher();

  // Reference: an uninterrupted run.
  {
    const std::string config = WriteConfig("ref", "", 1, "vigil-ref");
    ServeProcess serve(Serve(config, "--quiet"), dir_);
    serve.Start();
    ASSERT_TRUE(serve.WaitReady()) << serve.err();
    for (const auto& p : payloads) ASSERT_TRUE(pub->Publish("plant/pump-1/readings", p, 1).ok());
    ASSERT_EQ(WaitForReadings(dir_ + "/ref.db", n).scores, n);
    serve.Signal(SIGTERM);
    ASSERT_EQ(serve.Wait(), 0);
  }
  // Commits only at a clean stop: whatever is scored before a kill lives in the journal alone,
  // so every restart must replay it.
  const std::string config = WriteConfig("crash", "", 1, "vigil-crash", 60000);
  ServeProcess serve(Serve(config, "--quiet"), dir_);
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  size_t sent = 0;
  auto send = [&](size_t upto) {
    for (; sent < upto; ++sent) {
      ASSERT_TRUE(pub->Publish("plant/pump-1/readings", payloads[sent], 1).ok());
      if (sent % 16 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  send(n / 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  serve.Signal(SIGKILL);  // mid-stream: some readings scored, some journaled only, some in flight
  EXPECT_EQ(serve.Wait(), -1);
  send(n / 2);  // while vigil is down: the broker keeps them
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  send(2 * n / 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(15));
  serve.Signal(SIGKILL);
  EXPECT_EQ(serve.Wait(), -1);
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  EXPECT_EQ(serve.err().find("replayed 0 "), std::string::npos) << serve.err();
  send(n);
  // Clean stops commit; restart until the broker has delivered the last in-flight readings.
  EventStore::Counts counts{};
  for (int round = 0; round < 20 && counts.scores + counts.rejects < n; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    serve.Signal(SIGTERM);
    ASSERT_EQ(serve.Wait(), 0) << serve.err();
    counts = WaitForReadings(dir_ + "/crash.db", 0);
    if (counts.scores + counts.rejects < n) {
      serve.Start();
      ASSERT_TRUE(serve.WaitReady()) << serve.err();
    }
  }
  EXPECT_EQ(counts.scores, n);
  EXPECT_EQ(counts.rejects, 0u);

  const auto ref = StoredAlarms(dir_ + "/ref.db");
  const auto got = StoredAlarms(dir_ + "/crash.db");
  ASSERT_GE(ref.size(), 1u);
  ASSERT_EQ(got.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    EXPECT_EQ(got[i].Id(), ref[i].Id());
    EXPECT_EQ(got[i].end_ts, ref[i].end_ts) << ref[i].Id();
    EXPECT_EQ(got[i].readings, ref[i].readings) << ref[i].Id();
    EXPECT_DOUBLE_EQ(got[i].peak_score, ref[i].peak_score) << ref[i].Id();
  }
}

TEST_F(ServeTest, EveryBadPayloadClassIsRefusedCountedAndDeadLettered) {
  StartBroker();
  const std::string config = WriteConfig("bad", "dead_letter_topic = \"vigil/dead\"\n");
  auto dead = Listen({"vigil/dead"}, "dead-listener");
  ServeProcess serve(Serve(config, "--quiet"), dir_);
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  const auto good = vigil::testing::SkabJsonPayloads(kData + "/normal.csv");
  auto pub = Publisher();
  const std::string t = "plant/pump-1/readings";
  ASSERT_TRUE(pub->Publish(t, good[10], 1).ok());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"malformed", "{\"ts\": 1,"},
      {"malformed", "\xff\xfe{ not utf-8"},
      {"oversize", std::string(70000, ' ')},
      {"unknown_channel", R"({"ts": 2e9, "Vibration": 1})"},
      {"missing_channel", R"({"ts": 2e9, "Pressure": 1})"},
      {"wrong_type", R"({"ts": 2e9, "Accelerometer1RMS": "high"})"},
      {"non_finite", R"({"ts": 2e9, "Accelerometer1RMS": 1e300})"},
      {"missing_timestamp", R"({"Accelerometer1RMS": 1})"},
      {"out_of_order", good[0]},  // older than good[10]
  };
  for (const auto& [reason, payload] : bad) ASSERT_TRUE(pub->Publish(t, payload, 1).ok());
  ASSERT_TRUE(pub->Publish(t, good[11], 1).ok());  // still scoring afterwards
  const auto counts = WaitForReadings(dir_ + "/bad.db", bad.size() + 2);
  EXPECT_EQ(counts.scores, 2u);
  EXPECT_EQ(counts.rejects, bad.size());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (dead->size() < bad.size() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::set<std::string> reasons;
  for (const auto& m : dead->Snapshot()) reasons.insert(m["reason"].get<std::string>());
  httplib::Client http("127.0.0.1", serve.HttpPort());
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics) << "HTTP on port " << serve.HttpPort();
  std::map<std::string, int> expected;
  for (const auto& [reason, payload] : bad) ++expected[reason];
  for (const auto& [reason, count] : expected) {
    EXPECT_TRUE(reasons.count(reason)) << reason;
    const std::string series =
        "vigil_rejects_total{line=\"pump-1\",reason=\"" + reason + "\"} " + std::to_string(count);
    EXPECT_NE(metrics->body.find(series), std::string::npos) << series << "\n" << metrics->body.substr(0, 3000);
  }
  EXPECT_NE(metrics->body.find("vigil_readings_total{line=\"pump-1\"} 2"), std::string::npos);
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

// Under overload with policy "drop" every message is either scored or counted as dropped, and
// each drop is reported on the dead-letter topic.
TEST_F(ServeTest, DropPolicyAccountsForEveryMessage) {
  StartBroker();
  const std::string config =
      WriteConfig("drop", "queue_capacity = 2\noverload = \"drop\"\ndead_letter_topic = \"vigil/dead\"\n");
  auto dead = Listen({"vigil/dead"}, "dead-listener");
  ServeProcess serve(Serve(config, "--quiet"), dir_);
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/faulty.csv");
  auto pub = Publisher();
  for (const auto& p : payloads) ASSERT_TRUE(pub->Publish("plant/pump-1/readings", p, 1).ok());
  httplib::Client http("127.0.0.1", serve.HttpPort());
  auto value = [](const std::string& text, const std::string& series) -> double {
    const size_t at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::atof(text.c_str() + at + series.size() + 2);
  };
  double received = 0, scored = 0, dropped = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = http.Get("/metrics");
    ASSERT_TRUE(m);
    received = value(m->body, "vigil_messages_received_total");
    scored = value(m->body, "vigil_readings_total{line=\"pump-1\"}");
    dropped = value(m->body, "vigil_queue_dropped_total");
    EXPECT_EQ(value(m->body, "vigil_rejects_total{line=\"pump-1\",reason=\"queue_full\"}"), dropped);
    if (received == static_cast<double>(payloads.size()) && scored + dropped == received) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(received, static_cast<double>(payloads.size()));
  EXPECT_EQ(scored + dropped, received);
  RecordProperty("dropped", std::to_string(dropped));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  size_t dead_drops = 0;
  for (const auto& m : dead->Snapshot()) dead_drops += m["reason"] == "queue_full" ? 1 : 0;
  EXPECT_EQ(static_cast<double>(dead_drops), dropped);
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
  const auto counts = WaitForReadings(dir_ + "/drop.db", 0);
  EXPECT_EQ(static_cast<double>(counts.scores), scored) << "what was scored is stored";
}

TEST_F(ServeTest, WrongBrokerPasswordExitsWithAUserError) {
  StartBroker({{"vigil", "right"}});
  const std::string config = WriteConfig("auth");
  std::ofstream(config, std::ios::app) << "";
  // Rewrite with credentials.
  std::string text = vigil::testing::ReadFile(config);
  text.replace(text.find("[broker]\n"), 9, "[broker]\nusername = \"vigil\"\npassword = \"wrong\"\n");
  std::ofstream(config) << text;
  auto r = vigil::testing::Vigil("serve --config " + config);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r.err;
}

TEST_F(ServeTest, HttpNeedsTheBearerTokenWhenOneIsConfigured) {
  StartBroker();
  std::string config = WriteConfig("token");
  std::string text = vigil::testing::ReadFile(config);
  text.replace(text.find("[http]\n"), 7, "[http]\nbearer_token = \"let-me-in\"\n");
  std::ofstream(config) << text;
  ServeProcess serve(Serve(config, "--quiet"), dir_);
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  httplib::Client http("127.0.0.1", serve.HttpPort());
  auto health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto denied = http.Get("/api/lines");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  auto allowed = http.Get("/api/lines", {{"Authorization", "Bearer let-me-in"}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  auto lines = nlohmann::json::parse(allowed->body);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["name"], "pump-1");
  EXPECT_EQ(lines[0]["detector"], "pca");
  auto metrics = http.Get("/metrics", {{"Authorization", "Bearer let-me-in"}});
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("vigil_http_requests_total{code=\"401\"} 1"), std::string::npos) << metrics->body;
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

TEST_F(ServeTest, ReconnectsByItselfWhenTheBrokerRestarts) {
  StartBroker();
  const std::string config = WriteConfig("restart");
  ServeProcess serve(Serve(config, "--quiet"), dir_);
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/faulty.csv");
  {
    auto pub = Publisher();
    for (size_t i = 0; i < 200; ++i) ASSERT_TRUE(pub->Publish("plant/pump-1/readings", payloads[i], 1).ok());
    ASSERT_EQ(WaitForReadings(dir_ + "/restart.db", 200).scores, 200u);
  }
  ASSERT_TRUE(broker_->Restart()) << broker_->error();
  auto pub = Publisher("publisher-2");
  for (size_t i = 200; i < 400; ++i) ASSERT_TRUE(pub->Publish("plant/pump-1/readings", payloads[i], 1).ok());
  EXPECT_EQ(WaitForReadings(dir_ + "/restart.db", 400).scores, 400u) << serve.err();
  EXPECT_NE(serve.err().find("reconnected"), std::string::npos) << serve.err();
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

// Two workers in one share group, four lines: every reading is scored exactly once, each
// line entirely by one worker.
TEST_F(ServeTest, TwoWorkersOnASharedSubscriptionProcessEachReadingOnce) {
  StartBroker();
  const std::string shared = "share_group = \"vigil\"\n";
  const std::string c1 = WriteConfig("w1", shared, 4, "vigil-w1");
  const std::string c2 = WriteConfig("w2", shared, 4, "vigil-w2");
  ServeProcess w1(Serve(c1, "--quiet --worker 1/2"), dir_);
  ServeProcess w2(Serve(c2, "--quiet --worker 2/2"), dir_);
  w1.Start();
  w2.Start();
  ASSERT_TRUE(w1.WaitReady()) << w1.err();
  ASSERT_TRUE(w2.WaitReady()) << w2.err();
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/faulty.csv");
  constexpr size_t kPerLine = 100;
  auto pub = Publisher();
  for (size_t i = 0; i < kPerLine; ++i) {
    for (int line = 1; line <= 4; ++line) {
      ASSERT_TRUE(pub->Publish("plant/pump-" + std::to_string(line) + "/readings", payloads[i], 1).ok());
    }
  }
  uint64_t total = 0;
  for (int line = 1; line <= 4; ++line) {
    const std::string name = "pump-" + std::to_string(line);
    const bool first = LineBelongsToWorker(name, 0, 2);
    const auto owner = WaitForReadings(dir_ + (first ? "/w1.db" : "/w2.db"), kPerLine, name, 30);
    const auto other = WaitForReadings(dir_ + (first ? "/w2.db" : "/w1.db"), 0, name, 1);
    EXPECT_EQ(owner.scores, kPerLine) << name;
    EXPECT_EQ(other.scores, 0u) << name;
    total += owner.scores + other.scores;
  }
  EXPECT_EQ(total, 4 * kPerLine);
  w1.Signal(SIGTERM);
  w2.Signal(SIGTERM);
  EXPECT_EQ(w1.Wait(), 0);
  EXPECT_EQ(w2.Wait(), 0);
}

TEST_F(ServeTest, ReplaysACsvWithoutABroker) {
  const std::string model = Model();
  const std::string config = dir_ + "/replay.toml";
  std::ofstream(config) << "[store]\npath = \"replay.db\"\n[http]\nenabled = false\n"
                        << "[[line]]\nname = \"pump-1\"\ntopic = \"plant/pump-1\"\nmodel = \"" << model << "\"\n";
  auto r = vigil::testing::Vigil("serve --config " + config + " --source " + kData + "/faulty.csv --rate 0");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"event\":\"raised\""), std::string::npos);
  auto store = EventStore::Open(StoreAt(dir_ + "/replay.db"));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Count("pump-1")->scores, 745u);
  auto missing = vigil::testing::Vigil("serve --config " + config);
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("--source"), std::string::npos) << missing.err;
}

// A model file refitted while vigil was stopped: the line starts fresh instead of refusing to run.
TEST_F(ServeTest, ARefittedModelStartsItsLineFresh) {
  StartBroker();
  const std::string config = WriteConfig("refit");
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/faulty.csv");
  auto pub = Publisher();
  {
    ServeProcess serve(Serve(config, "--quiet"), dir_);
    serve.Start();
    ASSERT_TRUE(serve.WaitReady()) << serve.err();
    for (size_t i = 0; i < 50; ++i) ASSERT_TRUE(pub->Publish("plant/pump-1/readings", payloads[i], 1).ok());
    ASSERT_EQ(WaitForReadings(dir_ + "/refit.db", 50).scores, 50u);
    serve.Signal(SIGTERM);
    ASSERT_EQ(serve.Wait(), 0);
  }
  auto refit = vigil::testing::Vigil("fit --detector zscore -i " + kData + "/normal.csv -o " + Model());
  ASSERT_EQ(refit.code, 0) << refit.err;
  ServeProcess serve(Serve(config, "--quiet"), dir_);
  serve.Start();
  ASSERT_TRUE(serve.WaitReady()) << serve.err();
  EXPECT_NE(serve.err().find("starts fresh"), std::string::npos) << serve.err();
  for (size_t i = 50; i < 100; ++i) ASSERT_TRUE(pub->Publish("plant/pump-1/readings", payloads[i], 1).ok());
  EXPECT_EQ(WaitForReadings(dir_ + "/refit.db", 100).scores, 100u);
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

TEST_F(ServeTest, ConfigErrorsExitTwoNamingTheLocation) {
  const std::string config = dir_ + "/bad.toml";
  std::ofstream(config) << "[broker]\nport = \"x\"\n";
  auto r = vigil::testing::Vigil("serve --config " + config);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad.toml:2:"), std::string::npos) << r.err;
  std::ofstream(config) << "[[line]]\nname = \"a\"\ntopic = \"t\"\nmodel = \"nope.vgm\"\n";
  r = vigil::testing::Vigil("serve --config " + config + " --source " + kData + "/faulty.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("line 'a'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nope.vgm"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vigil::serve
