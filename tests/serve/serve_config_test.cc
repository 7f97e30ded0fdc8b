#include "serve/serve_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace vigil::serve {
namespace {

constexpr const char* kMinimal = R"(
[[line]]
name = "pump-1"
topic = "plant/pump-1/readings"
model = "models/pump.vgm"
)";

Result<ServeConfig> Parse(const std::string& text) { return ParseServeConfig(text, "vigil.toml", "/etc/vigil"); }

void ExpectError(const std::string& text, const std::string& fragment) {
  Result<ServeConfig> c = Parse(text);
  ASSERT_FALSE(c.ok()) << "accepted:\n" << text;
  EXPECT_NE(c.status().message().find(fragment), std::string::npos) << c.status().message();
}

TEST(ServeConfigTest, MinimalConfigTakesDefaultsAndResolvesPaths) {
  Result<ServeConfig> c = Parse(kMinimal);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->broker.enabled);
  ASSERT_EQ(c->lines.size(), 1u);
  const LineConfig& l = c->lines[0];
  EXPECT_EQ(l.model, "/etc/vigil/models/pump.vgm");
  EXPECT_EQ(l.alarm_topic, "vigil/alarms/pump-1");
  EXPECT_EQ(l.format, PayloadFormat::kJson);
  EXPECT_EQ(l.unknown_channels, ChannelPolicy::kReject);
  EXPECT_EQ(c->store.path, "/etc/vigil/vigil.db");
  EXPECT_EQ(c->service.state_dir, "/etc/vigil/vigil-state");
  EXPECT_EQ(c->http.listen, "127.0.0.1:8080");
  EXPECT_EQ(c->service.worker_count, 1u);
}

TEST(ServeConfigTest, FullConfigIsRead) {
  Result<ServeConfig> c = Parse(R"(
[broker]
host = "10.0.0.5"
port = 8883
client_id = "vigil-a"
username = "vigil"
password = "s3cret"
keepalive_s = 20
session_expiry_s = 3600

[store]
path = "/var/lib/vigil/events.db"
max_score_rows = 5000
max_score_age_s = 86400.0
commit_interval_ms = 50

[http]
listen = "0.0.0.0:9000"
bearer_token = "tok"

[service]
queue_capacity = 500
overload = "drop"
share_group = "vigil"
worker = "2/3"

[[line]]
name = "a"
topic = "plant/a/#"
format = "csv"
model = "/models/a.vgm"
csv_columns = ["ts", "x", "y"]
missing_channels = "hold"
unknown_channels = "ignore"
score_topic = "vigil/scores/a"
max_payload_bytes = 1024

[[line]]
name = "b"
topic = "plant/b/#"
model = "b.vgm"
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->broker.enabled);
  EXPECT_EQ(c->broker.port, 8883);
  EXPECT_EQ(c->broker.password, "s3cret");
  EXPECT_EQ(c->store.max_score_rows, 5000u);
  EXPECT_EQ(c->store.commit_interval_ms, 50);
  EXPECT_EQ(c->http.bearer_token, "tok");
  EXPECT_EQ(c->service.overload, OverloadPolicy::kDrop);
  EXPECT_EQ(c->service.worker_index, 1u);
  EXPECT_EQ(c->service.worker_count, 3u);
  ASSERT_EQ(c->lines.size(), 2u);
  EXPECT_EQ(c->lines[0].format, PayloadFormat::kCsv);
  EXPECT_EQ(c->lines[0].csv_columns, (std::vector<std::string>{"ts", "x", "y"}));
  EXPECT_EQ(c->lines[0].missing_channels, MissingPolicy::kHold);
  EXPECT_EQ(c->lines[0].max_payload_bytes, 1024u);
  EXPECT_EQ(c->lines[1].model, "/etc/vigil/b.vgm");
}

TEST(ServeConfigTest, ErrorsNameTheFileLineAndColumn) {
  ExpectError("[broker]\nport = 70000\n" + std::string(kMinimal), "vigil.toml:2:");
  ExpectError("[broker]\nport = 70000\n" + std::string(kMinimal), "out of range 1..65535");
  ExpectError("[broker]\nhots = \"x\"\n" + std::string(kMinimal), "unknown key 'broker.hots'");
  ExpectError("[broker]\nport = \"1883\"\n" + std::string(kMinimal), "expected an integer");
  ExpectError("[broker\n", "vigil.toml:1:");
  ExpectError("", "at least one [[line]]");
  ExpectError("[[line]]\nname = \"a\"\ntopic = \"t\"\n", "missing required key 'model'");
  ExpectError(std::string(kMinimal) + "format = \"xml\"\n", "'xml' is not one of json, csv");
  ExpectError(std::string(kMinimal) + "[service]\nworker = \"3/2\"\n", "not K/N");
  ExpectError(std::string(kMinimal) + "[service]\nshare_group = \"a/b\"\n", "share_group");
  ExpectError(std::string(kMinimal) + std::string(kMinimal), "line name 'pump-1' is used twice");
  ExpectError("[[line]]\nname = \"bad name\"\ntopic = \"t\"\nmodel = \"m\"\n", "may hold only");
  ExpectError("[[line]]\nname = \"a\"\ntopic = \"t\"\nmodel = \"m\"\nalarm_topic = \"x/#\"\n", "wildcards");
  ExpectError("[http]\nbearer_token = \"a\"\ntoken_file = \"b\"\n" + std::string(kMinimal), "not both");
  ExpectError("[broker]\ncert_file = \"c\"\n" + std::string(kMinimal), "go together");
}

TEST(ServeConfigTest, SecretsComeFromFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("vigil_cfg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "pw") << "from-file\n";
  std::ofstream(dir / "token") << "tok-file";
  std::ofstream(dir / "vigil.toml") << "[broker]\nusername = \"u\"\npassword_file = \"pw\"\n[http]\ntoken_file = \"token\"\n"
                                    << kMinimal;
  Result<ServeConfig> c = LoadServeConfig((dir / "vigil.toml").string());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->broker.password, "from-file");
  EXPECT_EQ(c->http.bearer_token, "tok-file");
  EXPECT_EQ(c->lines[0].model, (dir / "models/pump.vgm").string());
  std::filesystem::remove(dir / "pw");
  Result<ServeConfig> missing = LoadServeConfig((dir / "vigil.toml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("password_file"), std::string::npos);
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(LoadServeConfig((dir / "vigil.toml").string()).ok());
}

TEST(ServeConfigTest, WorkersPartitionLinesExactlyOnce) {
  for (uint32_t n = 1; n <= 4; ++n) {
    for (int line = 0; line < 50; ++line) {
      const std::string name = "line-" + std::to_string(line);
      int owners = 0;
      for (uint32_t i = 0; i < n; ++i) owners += LineBelongsToWorker(name, i, n) ? 1 : 0;
      EXPECT_EQ(owners, 1) << name << " with " << n << " workers";
    }
  }
}

}  // namespace
}  // namespace vigil::serve
