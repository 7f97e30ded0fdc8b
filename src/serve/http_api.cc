#include "serve/http_api.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "io/timestamp.h"
#include "serve/records.h"

namespace vigil::serve {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kPrometheusText[] = "text/plain; version=0.0.4";
constexpr size_t kMaxLimit = 10000;
// Few operators and one scraper: a small pool keeps idle threads out of the service.
constexpr size_t kServerThreads = 4;
// Stop waits for idle keep-alive connections to time out; keep that wait short.
constexpr time_t kKeepAliveSeconds = 1;

void SetJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(JsonText(body), kJson);
}

void SetError(httplib::Response& res, int status, const std::string& message) {
  SetJson(res, status, {{"error", message}});
}

struct ListenAddress {
  std::string host;
  int port = 0;
};

// "host:port" or "[v6]:port". Resolution and binding are left to the server.
Result<ListenAddress> ParseListen(const std::string& listen) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("HTTP listen address '" + listen + "': " + why +
                                   " (expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080)");
  };
  ListenAddress out;
  std::string_view port_text;
  if (listen.starts_with('[')) {
    const size_t close = listen.find(']');
    if (close == std::string::npos) return bad("no ']' after the IPv6 address");
    out.host = listen.substr(1, close - 1);
    if (close + 1 >= listen.size() || listen[close + 1] != ':') return bad("no port after ']'");
    port_text = std::string_view(listen).substr(close + 2);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return bad("no port");
    out.host = listen.substr(0, colon);
    if (out.host.find(':') != std::string::npos) return bad("an IPv6 address needs brackets");
    port_text = std::string_view(listen).substr(colon + 1);
  }
  if (out.host.empty()) return bad("no host");
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string_view::npos) {
    return bad("port '" + std::string(port_text) + "' is not a number 0-65535");
  }
  out.port = std::stoi(std::string(port_text));
  if (out.port > 65535) return bad("port " + std::to_string(out.port) + " is out of range 0-65535");
  return out;
}

// httplib reports only "failed"; resolving first lets the message say why.
Status CheckResolves(const std::string& listen, const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* result = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0) {
    return Status::IOError("cannot listen on '" + listen + "': host '" + host + "' does not resolve (" +
                           gai_strerror(rc) + ")");
  }
  freeaddrinfo(result);
  return Status::OK();
}

// Time depends on the length of what was sent (known to the sender), never on how much of the
// token it got right.
bool TokenMatches(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() != expected.size() ? 1 : 0;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  }
  return diff == 0;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// A 400 for one query parameter, naming it and the value.
struct QueryError {
  std::string parameter;
  std::string value;
  std::string message;
};

nlohmann::json ToJson(const QueryError& e) {
  return {{"error", e.message}, {"parameter", e.parameter}, {"value", e.value}};
}

std::optional<QueryError> ParseSince(const std::string& value, double& since) {
  Result<double> t = io::ParseTimestamp(value);
  if (!t.ok()) {
    // An unencoded "+01:00" offset arrives as " 01:00"; try it back as "+" before giving up.
    if (const size_t space = value.rfind(' '); space != std::string::npos) {
      std::string plus = value;
      plus[space] = '+';
      Result<double> retry = io::ParseTimestamp(plus);
      if (retry.ok()) t = std::move(retry);
    }
  }
  if (!t.ok()) {
    return QueryError{"since", value,
                      "query parameter 'since': '" + value + "' is not a time (" + t.status().message() +
                          "); expected epoch seconds or e.g. 2020-03-09T10:14:33Z"};
  }
  if (!std::isfinite(*t)) {
    return QueryError{"since", value, "query parameter 'since': '" + value + "' is not a finite time"};
  }
  since = *t;
  return std::nullopt;
}

std::optional<QueryError> ParseLimit(const std::string& value, size_t& limit) {
  const bool digits =
      !value.empty() && value.size() <= 6 && value.find_first_not_of("0123456789") == std::string::npos;
  const size_t n = digits ? std::stoul(value) : 0;
  if (!digits || n < 1 || n > kMaxLimit) {
    return QueryError{
        "limit", value,
        "query parameter 'limit': '" + value + "' is not an integer 1-" + std::to_string(kMaxLimit)};
  }
  limit = n;
  return std::nullopt;
}

std::optional<QueryError> ParseAlarmQuery(const httplib::Params& params, AlarmQueryParams& query) {
  static const std::set<std::string, std::less<>> kKnown = {"since", "line", "limit"};
  for (const auto& [name, value] : params) {
    if (!kKnown.contains(name)) {
      return QueryError{name, value, "unknown query parameter '" + name + "' (known: since, line, limit)"};
    }
    if (params.count(name) > 1) {
      return QueryError{name, value, "query parameter '" + name + "' given more than once"};
    }
  }
  for (const auto& [name, value] : params) {
    std::optional<QueryError> error;
    if (name == "since") {
      error = ParseSince(value, query.since);
    } else if (name == "limit") {
      error = ParseLimit(value, query.limit);
    } else {
      query.line = value;
    }
    if (error) return error;
  }
  return std::nullopt;
}

}  // namespace

// Everything a request needs, owned by the HttpApi and outliving the server's threads.
struct HttpApi::Routes {
  std::string token;
  MetricsRegistry* metrics;
  HttpHandlers handlers;
  // Counters for the usual codes, registered up front so that they read 0 rather than being
  // absent (rate() and alerts on 5xx want the series to exist) and so that counting them is
  // lock-free. Const after construction.
  std::map<int, Counter*> by_code;

  static constexpr char kRequestsName[] = "vigil_http_requests_total";
  static constexpr char kRequestsHelp[] = "HTTP responses sent, by status code.";

  Routes(std::string token_in, MetricsRegistry* metrics_in, HttpHandlers handlers_in)
      : token(std::move(token_in)), metrics(metrics_in), handlers(std::move(handlers_in)) {
    if (metrics == nullptr) return;
    for (const int code : {200, 400, 401, 404, 500, 503}) {
      by_code[code] = &metrics->GetCounter(kRequestsName, kRequestsHelp, {{"code", std::to_string(code)}});
    }
  }

  void Count(int status) const {
    if (metrics == nullptr) return;
    if (auto it = by_code.find(status); it != by_code.end()) {
      it->second->Add();
    } else {
      metrics->GetCounter(kRequestsName, kRequestsHelp, {{"code", std::to_string(status)}}).Add();
    }
  }

  // Handled (a 401 is set) when the request may not go on.
  httplib::Server::HandlerResponse Authorize(const httplib::Request& req, httplib::Response& res) const {
    if (token.empty() || req.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
    const std::string header = req.get_header_value("Authorization");
    std::string_view given = header;
    const size_t space = given.find(' ');
    const bool is_bearer =
        space != std::string_view::npos && EqualsIgnoreCase(given.substr(0, space), "Bearer");
    std::string message;
    if (header.empty()) {
      message = "authentication required: send 'Authorization: Bearer <token>'";
    } else if (!is_bearer) {
      message = "Authorization header is not 'Bearer <token>'";
    } else {
      given.remove_prefix(space);
      while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
      if (TokenMatches(given, token)) return httplib::Server::HandlerResponse::Unhandled;
      message = "invalid bearer token";
    }
    SetError(res, 401, message);
    res.set_header("WWW-Authenticate", "Bearer");
    return httplib::Server::HandlerResponse::Handled;
  }

  void Healthz(httplib::Response& res) const {
    const bool ok = handlers.healthy && handlers.healthy();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "ok\n" : "unhealthy\n", "text/plain");
  }

  void Metrics(httplib::Response& res) const {
    if (metrics == nullptr) return SetError(res, 404, "no metrics registry in this service");
    res.set_content(metrics->RenderPrometheus(), kPrometheusText);
  }

  void Lines(httplib::Response& res) const {
    if (!handlers.lines) return SetError(res, 503, "/api/lines is not available");
    SetJson(res, 200, handlers.lines());
  }

  void Alarms(const httplib::Request& req, httplib::Response& res) const {
    AlarmQueryParams query;
    if (std::optional<QueryError> error = ParseAlarmQuery(req.params, query)) {
      return SetJson(res, 400, ToJson(*error));
    }
    if (!handlers.alarms) return SetError(res, 503, "/api/alarms is not available");
    Result<nlohmann::json> alarms = handlers.alarms(query);
    if (!alarms.ok()) return SetError(res, 500, alarms.status().ToString());
    SetJson(res, 200, *alarms);
  }

  // Gives unknown paths and the server's own errors a JSON body like every other error.
  httplib::Server::HandlerResponse FillError(const httplib::Request& req, httplib::Response& res) const {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404) {
      SetError(res, 404, "no endpoint " + req.method + " " + req.path);
    } else {
      // The server's own refusals (malformed request, URI too long, ...): the code says it.
      SetError(res, res.status, "request refused with HTTP status " + std::to_string(res.status));
    }
    return httplib::Server::HandlerResponse::Handled;
  }

  // The service's handlers may throw (nlohmann::json does on misuse); a request fails, never
  // the process.
  template <typename F>
  static void Guard(httplib::Response& res, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      SetError(res, 500, std::string("internal error: ") + e.what());
    } catch (...) {
      SetError(res, 500, "internal error: unknown exception");
    }
  }
};

Result<std::unique_ptr<HttpApi>> HttpApi::Start(const HttpOptions& options, MetricsRegistry* metrics,
                                                HttpHandlers handlers) {
  VIGIL_ASSIGN_OR_RETURN(ListenAddress address, ParseListen(options.listen));
  VIGIL_RETURN_IF_ERROR(CheckResolves(options.listen, address.host));

  std::unique_ptr<HttpApi> api(new HttpApi());
  api->routes_ = std::make_unique<Routes>(options.bearer_token, metrics, std::move(handlers));
  api->server_ = std::make_unique<httplib::Server>();
  const Routes* routes = api->routes_.get();
  httplib::Server& server = *api->server_;

  server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server.set_keep_alive_timeout(kKeepAliveSeconds);
  // httplib's default is SO_REUSEPORT, which would let a second server share a port that is
  // already taken instead of failing. SO_REUSEADDR still allows a quick restart.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_pre_routing_handler(
      [routes](const httplib::Request& req, httplib::Response& res) { return routes->Authorize(req, res); });
  server.Get("/healthz", [routes](const httplib::Request&, httplib::Response& res) {
    Routes::Guard(res, [&] { routes->Healthz(res); });
  });
  server.Get("/metrics", [routes](const httplib::Request&, httplib::Response& res) {
    Routes::Guard(res, [&] { routes->Metrics(res); });
  });
  server.Get("/api/lines", [routes](const httplib::Request&, httplib::Response& res) {
    Routes::Guard(res, [&] { routes->Lines(res); });
  });
  server.Get("/api/alarms", [routes](const httplib::Request& req, httplib::Response& res) {
    Routes::Guard(res, [&] { routes->Alarms(req, res); });
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [routes](const httplib::Request& req, httplib::Response& res) { return routes->FillError(req, res); }));
  // Backstop for anything thrown outside the guarded handlers (the pre-routing check, say).
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    Routes::Guard(res, [&] { std::rethrow_exception(ep); });
  });
  // Runs after the error handler and before the response is written, so the count is final
  // and a client that has its answer also sees it counted.
  server.set_post_routing_handler(
      [routes](const httplib::Request&, httplib::Response& res) { routes->Count(res.status); });

  errno = 0;
  if (address.port == 0) {
    api->port_ = server.bind_to_any_port(address.host);
  } else {
    api->port_ = server.bind_to_port(address.host, address.port) ? address.port : -1;
  }
  if (api->port_ < 0) {
    const int error = errno;
    return Status::IOError("cannot listen on '" + options.listen +
                           "': " + (error != 0 ? std::strerror(error) : "the address cannot be bound"));
  }

  // The socket already listens: connections queue from here on. The accept loop starts on its
  // own thread; waiting for it to run means a Stop right after Start cannot be missed (httplib
  // ignores stop() until the loop has started).
  auto loop_ended = std::make_shared<std::atomic<bool>>(false);
  api->thread_ = std::thread([&server, loop_ended] {
    server.listen_after_bind();
    loop_ended->store(true);
  });
  while (!server.is_running() && !loop_ended->load()) std::this_thread::yield();
  return api;
}

void HttpApi::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

HttpApi::~HttpApi() { Stop(); }

}  // namespace vigil::serve
