#include "serve/mqtt_link.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "serve/mosquitto_broker.h"

namespace vigil::serve {
namespace {

using vigil::testing::MosquittoBroker;

// Collects received messages; waits for a count.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::string>> got;
  MqttLink::Callbacks Callbacks() {
    MqttLink::Callbacks cb;
    cb.on_message = [this](std::string_view t, std::string_view p) {
      std::lock_guard<std::mutex> lock(mu);
      got.emplace_back(std::string(t), std::string(p));
      cv.notify_all();
    };
    return cb;
  }
  bool WaitFor(size_t n, int seconds = 10) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(seconds), [&] { return got.size() >= n; });
  }
};

BrokerConfig Config(int port, std::string client_id) {
  BrokerConfig c;
  c.enabled = true;
  c.port = port;
  c.client_id = std::move(client_id);
  c.connect_timeout_ms = 3000;
  return c;
}

class MqttLinkTest : public ::testing::Test {
 protected:
  void StartBroker(std::vector<MosquittoBroker::User> users = {}, bool tls = false) {
    broker_ = std::make_unique<MosquittoBroker>(std::move(users), tls);
    if (!broker_->available()) GTEST_SKIP() << "mosquitto is not installed";
    ASSERT_TRUE(broker_->Start()) << broker_->error();
  }
  std::unique_ptr<MosquittoBroker> broker_;
};

TEST_F(MqttLinkTest, PublishesAndReceivesOnSubscribedTopics) {
  StartBroker();
  Inbox inbox;
  auto sub = MqttLink::Connect(Config(broker_->port(), "sub"), {"plant/+/readings"}, inbox.Callbacks());
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  auto pub = MqttLink::Connect(Config(broker_->port(), "pub"), {}, {});
  ASSERT_TRUE(pub.ok()) << pub.status().message();
  // Connect() returned after the SUBACK: nothing published from here on is missed.
  ASSERT_TRUE((*pub)->Publish("plant/a/readings", "hello", 1).ok());
  ASSERT_TRUE((*pub)->Publish("plant/b/other", "not mine", 1).ok());
  ASSERT_TRUE((*pub)->Publish("plant/b/readings", "second", 1).ok());
  ASSERT_TRUE(inbox.WaitFor(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // anything else would show up now
  std::lock_guard<std::mutex> lock(inbox.mu);
  ASSERT_EQ(inbox.got.size(), 2u);
  EXPECT_EQ(inbox.got[0].first, "plant/a/readings");
  EXPECT_EQ(inbox.got[0].second, "hello");
  EXPECT_EQ(inbox.got[1].first, "plant/b/readings");
  EXPECT_EQ(inbox.got[1].second, "second");
}

TEST_F(MqttLinkTest, PersistentSessionKeepsWhatWasPublishedWhileAway) {
  StartBroker();
  {
    Inbox inbox;
    auto sub = MqttLink::Connect(Config(broker_->port(), "away"), {"q/#"}, inbox.Callbacks());
    ASSERT_TRUE(sub.ok()) << sub.status().message();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // SUBACK
  }
  auto pub = MqttLink::Connect(Config(broker_->port(), "pub2"), {}, {});
  ASSERT_TRUE(pub.ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*pub)->Publish("q/x", std::to_string(i), 1).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Inbox inbox;
  auto back = MqttLink::Connect(Config(broker_->port(), "away"), {"q/#"}, inbox.Callbacks());
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(inbox.WaitFor(20)) << "got " << inbox.got.size();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(inbox.got[static_cast<size_t>(i)].second, std::to_string(i)) << "in order";
}

TEST_F(MqttLinkTest, ReconnectsByItselfAfterABrokerRestart) {
  StartBroker();
  Inbox inbox;
  auto sub = MqttLink::Connect(Config(broker_->port(), "survivor"), {"r/#"}, inbox.Callbacks());
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(broker_->Restart()) << broker_->error();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (((*sub)->reconnects() == 0 || !(*sub)->connected()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE((*sub)->connected());
  EXPECT_GE((*sub)->reconnects(), 1u);
  auto pub = MqttLink::Connect(Config(broker_->port(), "pub3"), {}, {});
  ASSERT_TRUE(pub.ok());
  ASSERT_TRUE((*pub)->Publish("r/1", "after restart", 1).ok());
  ASSERT_TRUE(inbox.WaitFor(1));
}

TEST_F(MqttLinkTest, WrongPasswordIsRefusedWithAClearError) {
  StartBroker({{"vigil", "right"}});
  BrokerConfig c = Config(broker_->port(), "auth");
  c.username = "vigil";
  c.password = "wrong";
  auto link = MqttLink::Connect(c, {}, {});
  ASSERT_FALSE(link.ok());
  EXPECT_EQ(link.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(link.status().message().find("refused"), std::string::npos) << link.status().message();
  c.password = "right";
  auto ok = MqttLink::Connect(c, {}, {});
  EXPECT_TRUE(ok.ok()) << ok.status().message();
}

TEST_F(MqttLinkTest, TlsWithTheBrokersCaConnectsAndWithoutItFails) {
  StartBroker({}, /*tls=*/true);
  Inbox inbox;
  BrokerConfig c = Config(broker_->port(), "tls-sub");
  c.ca_file = broker_->ca_file();
  auto sub = MqttLink::Connect(c, {"s/#"}, inbox.Callbacks());
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  BrokerConfig p = Config(broker_->port(), "tls-pub");
  p.ca_file = broker_->ca_file();
  auto pub = MqttLink::Connect(p, {}, {});
  ASSERT_TRUE(pub.ok()) << pub.status().message();
  ASSERT_TRUE((*pub)->Publish("s/1", "over tls", 1).ok());
  ASSERT_TRUE(inbox.WaitFor(1));
  EXPECT_EQ(inbox.got[0].second, "over tls");
  BrokerConfig plain = Config(broker_->port(), "plain");
  plain.connect_timeout_ms = 1000;
  EXPECT_FALSE(MqttLink::Connect(plain, {}, {}).ok()) << "a plain connection to a TLS listener must fail";
  BrokerConfig missing = Config(broker_->port(), "missing-ca");
  missing.ca_file = "/nonexistent/ca.pem";
  auto bad = MqttLink::Connect(missing, {}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("TLS"), std::string::npos) << bad.status().message();
}

TEST(MqttLinkNoBrokerTest, UnreachableBrokerFailsWithinTheTimeout) {
  BrokerConfig c = Config(vigil::testing::FreeLoopbackPort(), "nobody");
  c.connect_timeout_ms = 300;
  const auto start = std::chrono::steady_clock::now();
  auto link = MqttLink::Connect(c, {}, {});
  ASSERT_FALSE(link.ok());
  EXPECT_EQ(link.status().code(), StatusCode::kIOError);
  EXPECT_NE(link.status().message().find("127.0.0.1:" + std::to_string(c.port)), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace vigil::serve
