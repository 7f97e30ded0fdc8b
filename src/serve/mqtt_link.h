// vigil serve's connection to the MQTT broker (libmosquitto, MQTT v5).
//
//   serve::MqttLink::Callbacks cb;
//   cb.on_message = [&](std::string_view topic, std::string_view payload) { journal + enqueue; };
//   VIGIL_ASSIGN_OR_RETURN(auto link, serve::MqttLink::Connect(config.broker, {"plant/+/readings"}, cb));
//   link->Publish("vigil/alarms/pump-1", json, 1);
//
// Delivery contract: QoS 1 subscriptions on a persistent session (clean start off, session
// expiry from the config), so the broker keeps what is published while vigil is away. The
// network thread acknowledges a message (PUBACK) only after on_message has returned for it;
// whatever on_message made durable before returning is therefore never lost, and a message
// whose on_message did not return (the process died) is delivered again after restart.
// Connect() returns once the broker has accepted the connection and every subscription (so
// nothing published after it returns is missed): InvalidArgument when the broker refuses the
// credentials or a subscription, IOError when it cannot be reached or does not answer within
// connect_timeout_ms. After that, lost connections are retried forever (0.2 s doubling
// to 5 s) and subscriptions are renewed on every reconnect.
// Thread-safety: Publish from any thread; callbacks run on the network thread, one at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "serve/serve_config.h"
#include "vigil/status.h"

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property;
typedef struct mqtt5__property mosquitto_property;

namespace vigil::serve {

class MqttLink {
 public:
  struct Callbacks {
    std::function<void(std::string_view topic, std::string_view payload)> on_message;
    // Connection changes after the first connect: (connected, reason text).
    std::function<void(bool, const std::string&)> on_connection;
  };

  static Result<std::unique_ptr<MqttLink>> Connect(const BrokerConfig& config, std::vector<std::string> subscriptions,
                                                   Callbacks callbacks);
  ~MqttLink();

  // Queues a message; IOError when not connected (it is not kept for later).
  Status Publish(const std::string& topic, std::string_view payload, int qos, bool retain = false);
  // Disconnects cleanly and stops the network thread (idempotent).
  void Stop();

  bool connected() const { return connected_.load(); }
  uint64_t reconnects() const { return reconnects_.load(); }

 private:
  MqttLink(std::vector<std::string> subscriptions, Callbacks callbacks)
      : subscriptions_(std::move(subscriptions)), callbacks_(std::move(callbacks)) {}
  static void OnConnect(mosquitto*, void* self, int rc, int flags, const mosquitto_property*);
  static void OnDisconnect(mosquitto*, void* self, int rc, const mosquitto_property*);
  static void OnMessage(mosquitto*, void* self, const struct mosquitto_message* msg, const mosquitto_property*);
  static void OnPublished(mosquitto*, void* self, int mid, int reason, const mosquitto_property*);
  static void OnSubscribe(mosquitto*, void* self, int mid, int count, const int* granted, const mosquitto_property*);
  // Sends the subscriptions; returns the packet id (or -1).
  int Subscribe();

  const std::vector<std::string> subscriptions_;
  const Callbacks callbacks_;
  mosquitto* mosq_ = nullptr;
  bool loop_started_ = false;
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> reconnects_{0};

  std::mutex mu_;  // guards the first-connect handshake below
  std::condition_variable cv_;
  bool answered_ = false;
  int connect_rc_ = -1;
  int subscribe_mid_ = -1;   // the first connection's SUBSCRIBE
  bool subscribed_ = false;  // its SUBACK arrived
  std::string refused_topic_;  // a subscription the broker refused
  uint64_t connects_ = 0;  // network thread only
};

}  // namespace vigil::serve
