// The HTTP endpoints operators use to watch vigil serve.
//
//   serve::HttpHandlers handlers;
//   handlers.healthy = [&] { return service.Healthy(); };
//   handlers.lines = [&] { return service.LinesJson(); };
//   handlers.alarms = [&](const serve::AlarmQueryParams& q) { return store.QueryAlarms(q); };
//   Result<std::unique_ptr<serve::HttpApi>> api =
//       serve::HttpApi::Start({.listen = "127.0.0.1:8080", .bearer_token = token}, &registry, handlers);
//   if (!api.ok()) return api.status();   // "cannot listen on 127.0.0.1:8080: Address already in use"
//   ...
//   (*api)->Stop();                       // or let it go out of scope
//
// Endpoints (GET):
//   /healthz      200 "ok\n" when healthy() is true, else 503 "unhealthy\n". Never needs a token,
//                 so that a load balancer or systemd watchdog can probe it.
//   /metrics      the registry in Prometheus text format 0.0.4.
//   /api/lines    JSON from lines().
//   /api/alarms   JSON from alarms(); query parameters:
//                   since  epoch seconds or a time io::ParseTimestamp accepts ("2020-03-09T10:14:33Z");
//                          a "+" in an offset must be sent as %2B ("+" in a query means space,
//                          though a time that only parses with the space read back as "+" is taken)
//                   line   only this line's alarms
//                   limit  1..10000, default 100
//                 An unknown, repeated or bad parameter is a 400 naming the parameter and value.
// Every error is a JSON object {"error": "<message>", ...}: 400 (bad query), 401 (token missing
// or wrong; with "WWW-Authenticate: Bearer"), 404 (unknown path or method), 500 (a handler
// returned an error or threw: its message), 503 (a handler the service did not provide).
//
// With a bearer token configured, every endpoint but /healthz requires the header
// "Authorization: Bearer <token>"; the token is compared in constant time.
// Every response is counted in the registry as vigil_http_requests_total{code="<status>"}.
//
// Threads: the server runs on its own threads; the handlers are called on them, possibly several
// at once, and must be thread-safe. Start returns once the socket is listening: a client may
// connect as soon as it returns. Stop and the destructor wait for requests in flight to finish.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "serve/metrics.h"
#include "vigil/status.h"

namespace httplib {
class Server;
}

namespace vigil::serve {

struct HttpOptions {
  // "host:port" or "[ipv6]:port". Port 0 picks a free port (see HttpApi::port()). The default
  // listens on loopback only: exposing the API is a deliberate choice (and wants a token).
  std::string listen = "127.0.0.1:8080";
  std::string bearer_token;  // empty: no authentication
};

// The validated query of GET /api/alarms.
struct AlarmQueryParams {
  double since = -std::numeric_limits<double>::infinity();  // alarms that started at or after it
  std::string line;                                         // empty: every line
  size_t limit = 100;                                       // at most this many
};

// Supplied by the service. Called on HTTP threads, concurrently: each must be thread-safe.
// Any of them may be left empty: its endpoint then answers 503 (/healthz: "unhealthy").
struct HttpHandlers {
  std::function<bool()> healthy;
  std::function<nlohmann::json()> lines;
  std::function<Result<nlohmann::json>(const AlarmQueryParams&)> alarms;
};

class HttpApi {
 public:
  // Binds the socket and starts serving. `metrics` may be null (then /metrics is a 404 and
  // nothing is counted); otherwise it must outlive the HttpApi. Errors: InvalidArgument for a
  // listen address that is not host:port, IOError when the host does not resolve or the address
  // cannot be bound (in use, not local); the message names the address.
  static Result<std::unique_ptr<HttpApi>> Start(const HttpOptions& options, MetricsRegistry* metrics,
                                                HttpHandlers handlers);

  ~HttpApi();  // Stop()
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // The bound port (the one picked when the options asked for port 0).
  int port() const { return port_; }

  // Closes the listening socket and waits for requests in flight. Idempotent and thread-safe;
  // must not be called from a handler. Afterwards connecting to port() is refused.
  void Stop();

 private:
  struct Routes;  // the request handling, shared with the server's threads

  HttpApi() = default;

  // Const after Start.
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Routes> routes_;
  int port_ = 0;

  std::mutex stop_mu_;
  std::thread thread_;  // runs the accept loop; guarded by stop_mu_ (joined once)
};

}  // namespace vigil::serve
