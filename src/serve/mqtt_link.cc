#include "serve/mqtt_link.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

namespace vigil::serve {
namespace {

std::once_flag g_lib_init;

Status MosqError(const std::string& what, int rc) {
  return Status::IOError(what + ": " + mosquitto_strerror(rc));
}

}  // namespace

Result<std::unique_ptr<MqttLink>> MqttLink::Connect(const BrokerConfig& config, std::vector<std::string> subscriptions,
                                                    Callbacks callbacks) {
  std::call_once(g_lib_init, [] { mosquitto_lib_init(); });
  std::unique_ptr<MqttLink> link(new MqttLink(std::move(subscriptions), std::move(callbacks)));
  const std::string where = "broker " + config.host + ":" + std::to_string(config.port);
  // clean_session = false: a persistent session, the broker queues for us while we are away.
  link->mosq_ = mosquitto_new(config.client_id.c_str(), false, link.get());
  if (link->mosq_ == nullptr) return Status::IOError("cannot create an MQTT client for " + where);
  mosquitto* m = link->mosq_;
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  // Small packets (PUBACKs, alarms) go out at once: with Nagle's algorithm a publish waits for
  // the previous packet's TCP acknowledgement, up to the 40 ms delayed-ACK timer.
  mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_connect_v5_callback_set(m, &MqttLink::OnConnect);
  mosquitto_disconnect_v5_callback_set(m, &MqttLink::OnDisconnect);
  mosquitto_message_v5_callback_set(m, &MqttLink::OnMessage);
  mosquitto_publish_v5_callback_set(m, &MqttLink::OnPublished);
  mosquitto_subscribe_v5_callback_set(m, &MqttLink::OnSubscribe);
  mosquitto_reconnect_delay_set(m, 1, 5, true);
  if (!config.username.empty()) {
    int rc = mosquitto_username_pw_set(m, config.username.c_str(),
                                       config.password.empty() ? nullptr : config.password.c_str());
    if (rc != MOSQ_ERR_SUCCESS) return MosqError("credentials for " + where, rc);
  }
  if (!config.ca_file.empty()) {
    int rc = mosquitto_tls_set(m, config.ca_file.c_str(), nullptr,
                               config.cert_file.empty() ? nullptr : config.cert_file.c_str(),
                               config.key_file.empty() ? nullptr : config.key_file.c_str(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) return MosqError("TLS files for " + where, rc);
  }
  mosquitto_property* props = nullptr;
  mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, config.session_expiry_s);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config.connect_timeout_ms);
  int rc = MOSQ_ERR_UNKNOWN;
  // The TCP connect is retried until the deadline: the broker may still be starting.
  while (true) {
    rc = mosquitto_connect_bind_v5(m, config.host.c_str(), config.port, config.keepalive_s, nullptr, props);
    if (rc == MOSQ_ERR_SUCCESS || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  mosquitto_property_free_all(&props);
  if (rc != MOSQ_ERR_SUCCESS) return MosqError("cannot connect to " + where, rc);
  rc = mosquitto_loop_start(m);
  if (rc != MOSQ_ERR_SUCCESS) return MosqError("cannot start the MQTT network thread", rc);
  link->loop_started_ = true;
  std::unique_lock<std::mutex> lock(link->mu_);
  auto ready = [&] { return link->answered_ && (link->connect_rc_ != 0 || link->subscribed_); };
  if (!link->cv_.wait_until(lock, deadline, ready)) {
    return Status::IOError(where + (link->answered_ ? " did not confirm the subscriptions" : " did not answer the connection") +
                           " within " + std::to_string(config.connect_timeout_ms) + " ms");
  }
  if (!link->refused_topic_.empty()) {
    return Status::InvalidArgument(where + " refused the subscription to '" + link->refused_topic_ +
                                   "' (check the broker's ACL for this user)");
  }
  if (link->connect_rc_ != 0) {
    const std::string reason = mosquitto_reason_string(link->connect_rc_);
    if (link->connect_rc_ == MQTT_RC_BAD_USERNAME_OR_PASSWORD || link->connect_rc_ == MQTT_RC_NOT_AUTHORIZED) {
      return Status::InvalidArgument(where + " refused the connection: " + reason + " (check broker.username / password)");
    }
    return Status::IOError(where + " refused the connection: " + reason);
  }
  return link;
}

MqttLink::~MqttLink() {
  Stop();
  if (mosq_ != nullptr) mosquitto_destroy(mosq_);
}

void MqttLink::Stop() {
  if (mosq_ == nullptr || !loop_started_) return;
  mosquitto_disconnect_v5(mosq_, MQTT_RC_NORMAL_DISCONNECTION, nullptr);
  mosquitto_loop_stop(mosq_, true);
  loop_started_ = false;
  connected_ = false;
}

int MqttLink::Subscribe() {
  std::vector<char*> topics;
  for (const auto& s : subscriptions_) topics.push_back(const_cast<char*>(s.c_str()));
  int mid = -1;
  if (!topics.empty() &&
      mosquitto_subscribe_multiple(mosq_, &mid, static_cast<int>(topics.size()), topics.data(), 1, 0, nullptr) !=
          MOSQ_ERR_SUCCESS) {
    return -1;
  }
  return mid;
}

void MqttLink::OnSubscribe(mosquitto*, void* self_ptr, int mid, int count, const int* granted, const mosquitto_property*) {
  auto* self = static_cast<MqttLink*>(self_ptr);
  std::lock_guard<std::mutex> lock(self->mu_);
  if (mid != self->subscribe_mid_ || self->subscribed_) return;
  for (int i = 0; i < count && i < static_cast<int>(self->subscriptions_.size()); ++i) {
    if (granted[i] >= 0x80 && self->refused_topic_.empty()) self->refused_topic_ = self->subscriptions_[static_cast<size_t>(i)];
  }
  self->subscribed_ = true;
  self->cv_.notify_all();
}

void MqttLink::OnConnect(mosquitto*, void* self_ptr, int rc, int, const mosquitto_property*) {
  auto* self = static_cast<MqttLink*>(self_ptr);
  if (rc == 0) {
    const int mid = self->Subscribe();
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      if (!self->answered_) {
        self->subscribe_mid_ = mid;
        self->subscribed_ = self->subscriptions_.empty();
      }
    }
    self->connected_ = true;
    if (self->connects_++ > 0) {
      ++self->reconnects_;
      if (self->callbacks_.on_connection) self->callbacks_.on_connection(true, "reconnected");
    }
  } else if (self->connects_ > 0 && self->callbacks_.on_connection) {
    self->callbacks_.on_connection(false, std::string("refused: ") + mosquitto_reason_string(rc));
  }
  std::lock_guard<std::mutex> lock(self->mu_);
  if (!self->answered_) {
    self->answered_ = true;
    self->connect_rc_ = rc;
    self->cv_.notify_all();
  }
}

void MqttLink::OnDisconnect(mosquitto*, void* self_ptr, int rc, const mosquitto_property*) {
  auto* self = static_cast<MqttLink*>(self_ptr);
  const bool was = self->connected_.exchange(false);
  if (was && rc != 0 && self->callbacks_.on_connection) {
    self->callbacks_.on_connection(false, std::string("connection lost: ") + mosquitto_strerror(rc));
  }
}

namespace {

// Acknowledges what has arrived at the TCP level at once instead of after the delayed-ACK timer.
// A broker that leaves Nagle's algorithm on (mosquitto's default, set_tcp_nodelay false) holds
// each small packet for us until our kernel has acknowledged the previous one. A reading's ACK
// rides on our PUBACK for it, but the broker's PUBACK for an alarm we published gets no reply,
// so without this the next reading waited in the broker for the delayed-ACK timer (~16 ms at
// 1 000 readings/s). Linux leaves quick-ACK mode by itself, so it is armed at each such PUBACK.
void AckNow(mosquitto* m) {
  const int one = 1;
  if (const int fd = mosquitto_socket(m); fd >= 0) ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

}  // namespace

void MqttLink::OnPublished(mosquitto* m, void*, int, int, const mosquitto_property*) { AckNow(m); }

void MqttLink::OnMessage(mosquitto*, void* self_ptr, const mosquitto_message* msg, const mosquitto_property*) {
  auto* self = static_cast<MqttLink*>(self_ptr);
  if (!self->callbacks_.on_message) return;
  self->callbacks_.on_message(std::string_view(msg->topic),
                              std::string_view(static_cast<const char*>(msg->payload),
                                               static_cast<size_t>(std::max(msg->payloadlen, 0))));
}

Status MqttLink::Publish(const std::string& topic, std::string_view payload, int qos, bool retain) {
  const int rc = mosquitto_publish_v5(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(),
                                      qos, retain, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) return MosqError("publish to '" + topic + "'", rc);
  return Status::OK();
}

}  // namespace vigil::serve
