#include "serve/http_api.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace vigil::serve {
namespace {

HttpOptions Listen(std::string address) {
  HttpOptions options;
  options.listen = std::move(address);
  return options;
}

HttpOptions WithToken(std::string token) {
  HttpOptions options;
  options.bearer_token = std::move(token);
  return options;
}

// A running API on a free loopback port, with handlers whose answers the test controls.
class HttpApiTest : public ::testing::Test {
 protected:
  void StartApi(HttpOptions options = {}, bool with_metrics = true) {
    options.listen = "127.0.0.1:0";
    HttpHandlers handlers;
    handlers.healthy = [this] { return healthy_.load(); };
    handlers.lines = [] { return nlohmann::json{{"lines", {{{"name", "pump-1"}, {"scored", 12}}}}}; };
    handlers.alarms = [this](const AlarmQueryParams& q) -> Result<nlohmann::json> {
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_query_ = q;
        ++alarm_calls_;
      }
      if (alarms_mode_ == Mode::kError) return Status::IOError("event store is locked");
      if (alarms_mode_ == Mode::kThrow) throw std::runtime_error("boom in alarms");
      return nlohmann::json{{"alarms", nlohmann::json::array()}, {"limit", q.limit}};
    };
    Result<std::unique_ptr<HttpApi>> api =
        HttpApi::Start(options, with_metrics ? &registry_ : nullptr, handlers);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(api).value();
    ASSERT_GT(api_->port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", api_->port());
    client_->set_read_timeout(10, 0);
  }

  AlarmQueryParams LastQuery() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_query_;
  }

  int AlarmCalls() {
    std::lock_guard<std::mutex> lock(mu_);
    return alarm_calls_;
  }

  static nlohmann::json Body(const httplib::Result& r) { return nlohmann::json::parse(r->body); }

  enum class Mode { kOk, kError, kThrow };

  MetricsRegistry registry_;
  std::atomic<bool> healthy_{true};
  std::atomic<Mode> alarms_mode_{Mode::kOk};
  std::mutex mu_;
  AlarmQueryParams last_query_;  // guarded by mu_
  int alarm_calls_ = 0;          // guarded by mu_
  std::unique_ptr<HttpApi> api_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpApiTest, HealthzFollowsTheHandler) {
  StartApi();
  httplib::Result r = client_->Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
  healthy_ = false;
  r = client_->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "unhealthy\n");
}

TEST_F(HttpApiTest, MetricsServesTheRegistryAndCountsResponsesByCode) {
  StartApi();
  registry_.GetCounter("vigil_test_total", "A test counter.", {{"line", "a"}}).Add(5);
  ASSERT_TRUE(client_->Get("/healthz"));
  ASSERT_TRUE(client_->Get("/healthz"));
  ASSERT_TRUE(client_->Get("/nope"));
  httplib::Result r = client_->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_NE(r->body.find("# TYPE vigil_test_total counter\nvigil_test_total{line=\"a\"} 5\n"),
            std::string::npos)
      << r->body;
  // The scrape itself is counted after it renders.
  EXPECT_NE(r->body.find("# TYPE vigil_http_requests_total counter\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("vigil_http_requests_total{code=\"200\"} 2\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("vigil_http_requests_total{code=\"404\"} 1\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("vigil_http_requests_total{code=\"500\"} 0\n"), std::string::npos) << r->body;
  EXPECT_EQ(
      registry_
          .GetCounter("vigil_http_requests_total", "HTTP responses sent, by status code.", {{"code", "200"}})
          .value(),
      3u);
}

TEST_F(HttpApiTest, LinesReturnsTheHandlersJson) {
  StartApi();
  httplib::Result r = client_->Get("/api/lines");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Body(r)["lines"][0]["name"], "pump-1");
  EXPECT_EQ(Body(r)["lines"][0]["scored"], 12);
}

TEST_F(HttpApiTest, AlarmsDefaultsWhenNoParameters) {
  StartApi();
  httplib::Result r = client_->Get("/api/alarms");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Body(r)["limit"], 100);
  const AlarmQueryParams q = LastQuery();
  EXPECT_TRUE(std::isinf(q.since) && q.since < 0);
  EXPECT_EQ(q.line, "");
  EXPECT_EQ(q.limit, 100u);
}

TEST_F(HttpApiTest, AlarmsPassesParsedParameters) {
  StartApi();
  httplib::Result r = client_->Get("/api/alarms?since=1583748873.5&line=pump%201&limit=7");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  AlarmQueryParams q = LastQuery();
  EXPECT_EQ(q.since, 1583748873.5);
  EXPECT_EQ(q.line, "pump 1");
  EXPECT_EQ(q.limit, 7u);

  // ISO time with an offset; the client percent-encodes the "+".
  r = client_->Get("/api/alarms?since=2020-03-09T10:14:33.5+01:00&limit=10000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  q = LastQuery();
  EXPECT_EQ(q.since, 1583745273.5);
  EXPECT_EQ(q.limit, 10000u);
}

TEST_F(HttpApiTest, AlarmsTakesAnUnencodedPlusInTheOffset) {
  StartApi();
  client_->set_url_encode(false);  // send the "+" raw, as a hand-typed URL does; the server reads a space
  httplib::Result r = client_->Get("/api/alarms?since=2020-03-09T10:14:33+01:00");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(LastQuery().since, 1583745273.0);
  // A date and time separated by "+" (read as a space) parses as it is.
  r = client_->Get("/api/alarms?since=2020-03-09+10:14:33");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(LastQuery().since, 1583748873.0);
}

TEST_F(HttpApiTest, AlarmsRejectsBadParametersNamingThem) {
  StartApi();
  struct Case {
    const char* query;
    const char* parameter;
    const char* value;
    const char* message_part;
  };
  const Case cases[] = {
      {"limit=0", "limit", "0", "not an integer 1-10000"},
      {"limit=10001", "limit", "10001", "not an integer 1-10000"},
      {"limit=abc", "limit", "abc", "'abc'"},
      {"limit=-5", "limit", "-5", "'-5'"},
      {"limit=", "limit", "", "not an integer"},
      {"since=yesterday", "since", "yesterday", "'yesterday' is not a time"},
      {"since=2020-13-01", "since", "2020-13-01", "month 13"},
      {"since=1&since=2", "since", "1", "more than once"},
      {"lines=pump", "lines", "pump", "unknown query parameter 'lines'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    httplib::Result r = client_->Get(std::string("/api/alarms?") + c.query);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    const nlohmann::json body = Body(r);
    EXPECT_EQ(body["parameter"], c.parameter);
    EXPECT_EQ(body["value"], c.value);
    EXPECT_NE(body["error"].get<std::string>().find(c.message_part), std::string::npos) << body.dump();
  }
  EXPECT_EQ(AlarmCalls(), 0);  // a bad query never reaches the store
}

TEST_F(HttpApiTest, HandlerErrorIs500WithItsMessage) {
  StartApi();
  alarms_mode_ = Mode::kError;
  httplib::Result r = client_->Get("/api/alarms");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_NE(Body(r)["error"].get<std::string>().find("event store is locked"), std::string::npos) << r->body;
}

TEST_F(HttpApiTest, HandlerThatThrowsIs500AndTheServerLivesOn) {
  StartApi();
  alarms_mode_ = Mode::kThrow;
  httplib::Result r = client_->Get("/api/alarms");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(Body(r)["error"].get<std::string>().find("boom in alarms"), std::string::npos) << r->body;
  alarms_mode_ = Mode::kOk;
  r = client_->Get("/api/alarms");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(
      registry_
          .GetCounter("vigil_http_requests_total", "HTTP responses sent, by status code.", {{"code", "500"}})
          .value(),
      1u);
}

TEST_F(HttpApiTest, UnknownPathAndMethodAre404Json) {
  StartApi();
  httplib::Result r = client_->Get("/api/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Body(r)["error"], "no endpoint GET /api/nothing");
  r = client_->Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Body(r)["error"], "no endpoint POST /metrics");
}

TEST_F(HttpApiTest, TokenGuardsEverythingButHealthz) {
  StartApi(WithToken("s3cret-token"));
  // Missing.
  httplib::Result r = client_->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_NE(Body(r)["error"].get<std::string>().find("authentication required"), std::string::npos);
  // Wrong: same length, a prefix, longer, and another scheme.
  for (const char* header :
       {"Bearer s3cret-tokeX", "Bearer s3cret", "Bearer s3cret-token-and-more", "Basic czNjcmV0LXRva2Vu"}) {
    SCOPED_TRACE(header);
    r = client_->Get("/api/lines", {{"Authorization", header}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
  }
  // Unknown paths do not reveal themselves without a token.
  r = client_->Get("/api/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  // Right (the scheme is case-insensitive).
  r = client_->Get("/api/lines", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = client_->Get("/api/alarms?limit=3", {{"Authorization", "bearer s3cret-token"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(LastQuery().limit, 3u);
  // Health probes need no token.
  r = client_->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  r = client_->Get("/metrics", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("vigil_http_requests_total{code=\"401\"} 6\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("vigil_http_requests_total{code=\"200\"} 3\n"), std::string::npos) << r->body;
}

TEST_F(HttpApiTest, WithoutRegistryMetricsIs404AndTheRestWorks) {
  StartApi({}, /*with_metrics=*/false);
  httplib::Result r = client_->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = client_->Get("/api/lines");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpApiStartTest, MissingHandlersAnswer503) {
  Result<std::unique_ptr<HttpApi>> api = HttpApi::Start(Listen("127.0.0.1:0"), nullptr, {});
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  httplib::Client client("127.0.0.1", (*api)->port());
  for (const char* path : {"/healthz", "/api/lines", "/api/alarms"}) {
    httplib::Result r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 503) << path;
  }
}

TEST_F(HttpApiTest, StopClosesThePortAndIsIdempotent) {
  StartApi();
  ASSERT_TRUE(client_->Get("/healthz"));
  api_->Stop();
  httplib::Result r = client_->Get("/healthz");
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error(), httplib::Error::Connection);
  api_->Stop();
  api_.reset();  // the destructor stops again, harmlessly
}

TEST(HttpApiStartTest, StopRightAfterStartDoesNotHang) {
  for (int i = 0; i < 20; ++i) {
    Result<std::unique_ptr<HttpApi>> api = HttpApi::Start(Listen("127.0.0.1:0"), nullptr, {});
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    (*api)->Stop();
  }
}

TEST(HttpApiStartTest, PortInUseIsAnErrorNamingTheAddress) {
  Result<std::unique_ptr<HttpApi>> first = HttpApi::Start(Listen("127.0.0.1:0"), nullptr, {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string address = "127.0.0.1:" + std::to_string((*first)->port());
  Result<std::unique_ptr<HttpApi>> second = HttpApi::Start(Listen(address), nullptr, {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIOError);
  EXPECT_NE(second.status().message().find("cannot listen on '" + address + "'"), std::string::npos)
      << second.status().ToString();
  EXPECT_NE(second.status().message().find("in use"), std::string::npos) << second.status().ToString();
}

TEST(HttpApiStartTest, BadAddressesAreErrorsNamingTheAddress) {
  struct Case {
    const char* listen;
    StatusCode code;
    const char* message_part;
  };
  const Case cases[] = {
      {"nohost.invalid:80", StatusCode::kIOError, "host 'nohost.invalid' does not resolve"},
      {"1.2.3.4", StatusCode::kInvalidArgument, "no port"},
      {"127.0.0.1:", StatusCode::kInvalidArgument, "port '' is not a number"},
      {"127.0.0.1:http", StatusCode::kInvalidArgument, "port 'http' is not a number"},
      {"127.0.0.1:99999", StatusCode::kInvalidArgument, "out of range"},
      {":8080", StatusCode::kInvalidArgument, "no host"},
      {"::1:8080", StatusCode::kInvalidArgument, "needs brackets"},
      {"[::1", StatusCode::kInvalidArgument, "no ']'"},
      {"[::1]", StatusCode::kInvalidArgument, "no port"},
      // A resolvable address that is not this machine's.
      {"192.0.2.1:8080", StatusCode::kIOError, "cannot listen on '192.0.2.1:8080'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.listen);
    Result<std::unique_ptr<HttpApi>> api = HttpApi::Start(Listen(c.listen), nullptr, {});
    ASSERT_FALSE(api.ok());
    EXPECT_EQ(api.status().code(), c.code) << api.status().ToString();
    EXPECT_NE(api.status().message().find(std::string("'") + c.listen + "'"), std::string::npos)
        << api.status().ToString();
    EXPECT_NE(api.status().message().find(c.message_part), std::string::npos) << api.status().ToString();
  }
}

TEST(HttpApiStartTest, NoHostIsAnErrorNamingIt) {
  // The brief's example: a name that does not resolve. ".invalid" above is guaranteed never to;
  // a bare name normally does not either, but a resolver could answer for it, so only check
  // that a failure names the address.
  Result<std::unique_ptr<HttpApi>> api = HttpApi::Start(Listen("nohost:80"), nullptr, {});
  if (!api.ok()) {
    EXPECT_NE(api.status().message().find("'nohost:80'"), std::string::npos) << api.status().ToString();
  }
}

TEST(HttpApiStartTest, ListensOnIpv6Loopback) {
  Result<std::unique_ptr<HttpApi>> api = HttpApi::Start(Listen("[::1]:0"), nullptr, {});
  if (!api.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << api.status().ToString();
  httplib::Client client("::1", (*api)->port());
  httplib::Result r = client.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);  // no handler given
}

}  // namespace
}  // namespace vigil::serve
