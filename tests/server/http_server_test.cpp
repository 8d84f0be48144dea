// HttpServer against a trivial handler on an ephemeral port: round trips, keep-alive and
// pipelining, limits, timeouts, hundreds of slow clients, graceful stop and the metrics text.
#include "server/http/http_server.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/http/metrics.h"
#include "tests/support/http_client.h"

namespace kit::server {
namespace {

using namespace std::chrono_literals;
using test::http_request;
using test::HttpConnection;
using Clock = std::chrono::steady_clock;

Response echo_handler(const Request& req) {
  Response r;
  r.content_type = "text/plain";
  if (req.path == "/sleep") std::this_thread::sleep_for(300ms);
  if (req.path == "/throw") throw std::runtime_error("boom");
  if (req.path == "/big") {
    r.body = std::string(2 * 1024 * 1024, 'x');
    return r;
  }
  r.body = req.method + " " + req.path;
  for (const auto& [k, v] : req.query) r.body += " q:" + k + "=" + v;
  if (auto h = req.header("x-test")) r.body += " h:" + *h;
  r.body += " remote:" + req.remote_address;
  r.body += " body:" + req.body;
  r.set_header("X-Handled", "yes");
  return r;
}

class ServerRunner {
 public:
  explicit ServerRunner(HttpServerOptions opt = {}, HttpServer::Handler handler = echo_handler) {
    opt.host = "127.0.0.1";
    opt.port = 0;
    server_ = std::make_unique<HttpServer>(std::move(opt), std::move(handler));
    thread_ = std::thread([this] { server_->run(); });
  }
  ~ServerRunner() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }
  // stop() and wait for run() to return, at most `limit`; true if it did.
  bool stop_within(std::chrono::milliseconds limit) {
    auto done = std::async(std::launch::async, [this] { stop(); });
    return done.wait_for(limit) == std::future_status::ready;
  }
  int port() const { return server_->port(); }
  HttpServer& server() { return *server_; }

 private:
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST(HttpServerTest, GetAndPostRoundTrip) {
  ServerRunner s;
  ASSERT_GT(s.port(), 0);
  auto get = http_request("127.0.0.1", s.port(), "GET", "/a%20b/c?x=1%2B2&y=a+b&z", "",
                          {{"X-Test", "Value"}});
  ASSERT_EQ(get.error, "");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "GET /a b/c q:x=1+2 q:y=a b q:z= h:Value remote:127.0.0.1 body:");
  EXPECT_EQ(get.header("x-handled"), "yes");
  EXPECT_EQ(get.header("content-type"), "text/plain");

  auto post = http_request("127.0.0.1", s.port(), "POST", "/items", "{\"a\":1}",
                           {{"Content-Type", "application/json"}});
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(post.body, "POST /items remote:127.0.0.1 body:{\"a\":1}");
}

TEST(HttpServerTest, KeepAliveReusesOneConnectionAndPipelines) {
  ServerRunner s;
  HttpConnection c("127.0.0.1", s.port());
  ASSERT_TRUE(c.connected()) << c.error();
  for (int i = 0; i < 3; ++i) {
    auto r = c.request("GET", "/k" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_FALSE(r.closed);
    EXPECT_EQ(r.body.rfind("GET /k" + std::to_string(i), 0), 0u);
  }
  // Two requests in one write: answered in order on the same connection.
  ASSERT_TRUE(
      c.send_raw("GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /p2 HTTP/1.1\r\nHost: x\r\n"
                 "Content-Length: 3\r\n\r\nabc"));
  auto r1 = c.read_response();
  auto r2 = c.read_response();
  EXPECT_EQ(r1.body.rfind("GET /p1", 0), 0u) << r1.error;
  EXPECT_EQ(r2.body.rfind("POST /p2", 0), 0u) << r2.error;
  EXPECT_NE(r2.body.find("body:abc"), std::string::npos);
  EXPECT_EQ(s.server().metrics().value("kit_http_connections_total"), 1);
}

TEST(HttpServerTest, Http10AndConnectionCloseAreHonoured) {
  ServerRunner s;
  HttpConnection c("127.0.0.1", s.port());
  auto r = c.request("GET", "/x", "", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.closed);
  EXPECT_TRUE(c.wait_closed(2s));

  HttpConnection c10("127.0.0.1", s.port());
  ASSERT_TRUE(c10.send_raw("GET /old HTTP/1.0\r\n\r\n"));
  auto r10 = c10.read_response();
  EXPECT_EQ(r10.status, 200);
  EXPECT_TRUE(c10.wait_closed(2s));
}

TEST(HttpServerTest, BodyOverTheLimitAnswers413AsJson) {
  HttpServerOptions opt;
  opt.body_limit_bytes = 1024;
  ServerRunner s(opt);
  auto ok = http_request("127.0.0.1", s.port(), "POST", "/small", std::string(1024, 'a'));
  EXPECT_EQ(ok.status, 200);
  auto big = http_request("127.0.0.1", s.port(), "POST", "/big", std::string(4096, 'a'));
  EXPECT_EQ(big.status, 413) << big.error;
  EXPECT_EQ(big.header("content-type"), "application/json");
  EXPECT_EQ(
      big.body,
      "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"the request body exceeds 1024 "
      "bytes\",\"field\":\"body\"}}");
  EXPECT_TRUE(big.closed);

  // A chunked body that grows past the limit is refused as well.
  HttpConnection c("127.0.0.1", s.port());
  std::string chunked = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) chunked += "200\r\n" + std::string(512, 'b') + "\r\n";
  chunked += "0\r\n\r\n";
  ASSERT_TRUE(c.send_raw(chunked));
  EXPECT_EQ(c.read_response().status, 413);
  EXPECT_EQ(s.server().metrics().value("kit_http_rejected_total", {{"reason", "body_limit"}}), 2);
}

TEST(HttpServerTest, MalformedRequestsAnswer400) {
  ServerRunner s;
  for (const std::string raw :
       {"GARBAGE\r\n\r\n", "GET /x HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n",
        "GET /x HTTP/9.9\r\n\r\n", "GET /bad%zz HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET noslash HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    HttpConnection c("127.0.0.1", s.port());
    ASSERT_TRUE(c.send_raw(raw));
    auto r = c.read_response(3s);
    EXPECT_EQ(r.status, 400) << raw << " " << r.error;
    EXPECT_NE(r.body.find("\"code\":\"malformed_request\""), std::string::npos) << r.body;
    EXPECT_TRUE(c.wait_closed(3s)) << raw;
  }
  // The server is still fine.
  EXPECT_EQ(http_request("127.0.0.1", s.port(), "GET", "/after").status, 200);
}

TEST(HttpServerTest, HandlerExceptionAnswers500Json) {
  ServerRunner s;
  auto r = http_request("127.0.0.1", s.port(), "GET", "/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(
      r.body,
      "{\"error\":{\"code\":\"internal\",\"message\":\"internal server error\",\"field\":\"\"}}");
}

TEST(HttpServerTest, ExpectContinueIsAnswered) {
  ServerRunner s;
  HttpConnection c("127.0.0.1", s.port());
  ASSERT_TRUE(
      c.send_raw("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                 "Content-Length: 5\r\n\r\n"));
  auto interim = c.read_response(2s);
  EXPECT_EQ(interim.status, 100) << interim.error;
  ASSERT_TRUE(c.send_raw("hello"));
  auto r = c.read_response(2s);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("body:hello"), std::string::npos);
}

TEST(HttpServerTest, HeaderTimeoutAnswers408AndCloses) {
  HttpServerOptions opt;
  opt.header_read_timeout = 300ms;
  ServerRunner s(opt);
  HttpConnection c("127.0.0.1", s.port());
  ASSERT_TRUE(c.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n"));  // and never the blank line
  const auto t0 = Clock::now();
  auto r = c.read_response(3s);
  EXPECT_EQ(r.status, 408) << r.error;
  EXPECT_TRUE(c.wait_closed(2s));
  EXPECT_LT(Clock::now() - t0, 2s);

  // A connection that sends nothing is closed without an answer.
  HttpConnection quiet("127.0.0.1", s.port());
  EXPECT_TRUE(quiet.wait_closed(2s));
  EXPECT_EQ(s.server().metrics().value("kit_http_rejected_total", {{"reason", "timeout"}}), 1);
}

TEST(HttpServerTest, BodyTimeoutAnswers408) {
  HttpServerOptions opt;
  opt.request_timeout = 300ms;
  ServerRunner s(opt);
  HttpConnection c("127.0.0.1", s.port());
  ASSERT_TRUE(c.send_raw("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  auto r = c.read_response(3s);
  EXPECT_EQ(r.status, 408) << r.error;
}

TEST(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  HttpServerOptions opt;
  opt.idle_timeout = 300ms;
  ServerRunner s(opt);
  HttpConnection c("127.0.0.1", s.port());
  EXPECT_EQ(c.request("GET", "/one").status, 200);
  const auto t0 = Clock::now();
  EXPECT_TRUE(c.wait_closed(3s));
  EXPECT_GE(Clock::now() - t0, 200ms);
  EXPECT_LT(Clock::now() - t0, 2s);
}

void raise_fd_limit(rlim_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  if (lim.rlim_cur >= wanted) return;
  lim.rlim_cur = std::min(wanted, lim.rlim_max);
  setrlimit(RLIMIT_NOFILE, &lim);
}

// Hundreds of idle or stalled connections (slowloris) do not block other users: each holds a
// socket and a timer, no thread.
TEST(HttpServerTest, FiveHundredSlowClientsDoNotBlockOthers) {
  raise_fd_limit(4096);
  HttpServerOptions opt;
  opt.io_threads = 1;
  opt.worker_threads = 2;
  ServerRunner s(opt);
  std::vector<HttpConnection> slow;
  slow.reserve(500);
  for (int i = 0; i < 500; ++i) {
    slow.emplace_back("127.0.0.1", s.port());
    ASSERT_TRUE(slow.back().connected()) << i << ": " << slow.back().error();
    if (i % 3 == 0) {
      ASSERT_TRUE(slow.back().send_raw("GET /st"));  // half a request line
    } else if (i % 3 == 1) {
      ASSERT_TRUE(slow.back().send_raw("POST /x HTTP/1.1\r\nHost: y\r\n"));  // no blank line
    }
  }
  // Every connection has been accepted (the server holds 500 sockets), and yet:
  for (int i = 0; i < 50 && s.server().metrics().value("kit_http_open_connections") < 500; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(s.server().metrics().value("kit_http_open_connections"), 500);
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    auto r = http_request("127.0.0.1", s.port(), "GET", "/normal", "", {}, 1s);
    const auto took = Clock::now() - t0;
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_LT(took, 1s);
  }
  // A keep-alive user among them too.
  HttpConnection user("127.0.0.1", s.port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(user.request("GET", "/ka", "", {}, 1s).status, 200);
}

TEST(HttpServerTest, GracefulStopFinishesInFlightRequests) {
  ServerRunner s;
  HttpConnection idle("127.0.0.1", s.port());
  EXPECT_EQ(idle.request("GET", "/warm").status, 200);  // now an idle keep-alive connection

  HttpConnection busy("127.0.0.1", s.port());
  ASSERT_TRUE(busy.send_request("GET", "/sleep"));
  std::this_thread::sleep_for(100ms);  // the handler is sleeping
  const auto t0 = Clock::now();
  EXPECT_TRUE(s.stop_within(5s));
  EXPECT_GE(Clock::now() - t0, 150ms);  // stop waited for the handler
  auto r = busy.read_response(2s);
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body.rfind("GET /sleep", 0), 0u);
  EXPECT_TRUE(r.closed);  // "Connection: close" while draining
  EXPECT_TRUE(busy.wait_closed(1s));
  EXPECT_TRUE(idle.wait_closed(1s));
  HttpConnection late("127.0.0.1", s.port(), 500ms);
  EXPECT_FALSE(late.connected());
}

TEST(HttpServerTest, GracefulStopWritesLargeResponsesCompletely) {
  ServerRunner s;
  HttpConnection c("127.0.0.1", s.port());
  ASSERT_TRUE(c.send_request("GET", "/big"));
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(s.stop_within(5s));
  auto r = c.read_response(5s);
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body.size(), 2u * 1024 * 1024);
}

TEST(HttpServerTest, DrainDeadlineCutsHandlersThatTakeTooLong) {
  HttpServerOptions opt;
  opt.drain_timeout = 100ms;
  ServerRunner s(opt);
  HttpConnection busy("127.0.0.1", s.port());
  ASSERT_TRUE(busy.send_request("GET", "/sleep"));
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(s.stop_within(3s));
  EXPECT_TRUE(busy.wait_closed(1s));
}

TEST(HttpServerTest, StopBeforeRunReturns) {
  HttpServerOptions opt;
  opt.port = 0;
  HttpServer server(opt, echo_handler);
  server.stop();
  server.run();
  EXPECT_TRUE(server.draining());
}

TEST(HttpServerTest, MetricsCountRequestsByClassAndLatency) {
  std::vector<AccessRecord> log;
  std::mutex log_mutex;
  HttpServerOptions opt;
  opt.access_log = [&](const AccessRecord& r) {
    std::lock_guard lock(log_mutex);
    log.push_back(r);
  };
  opt.route_label = RouteLabels({"/api/v1/patients/{id}", "/throw"});
  ServerRunner s(opt);
  EXPECT_EQ(http_request("127.0.0.1", s.port(), "GET", "/api/v1/patients/12?q=secret").status, 200);
  EXPECT_EQ(http_request("127.0.0.1", s.port(), "GET", "/api/v1/patients/13").status, 200);
  EXPECT_EQ(http_request("127.0.0.1", s.port(), "GET", "/throw").status, 500);
  s.stop();  // counted once written, which may come just after the client has read the answer
  const std::string text = s.server().metrics().render();
  EXPECT_NE(text.find("# TYPE kit_http_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("kit_http_requests_total{method=\"GET\",class=\"2xx\"} 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("kit_http_requests_total{method=\"GET\",class=\"5xx\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("kit_http_request_duration_seconds_count{route=\"/api/v1/patients/{id}\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kit_http_request_duration_seconds_bucket{route=\"/api/v1/patients/{id}\","
                      "le=\"+Inf\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE kit_http_open_connections gauge"), std::string::npos);
  EXPECT_NE(text.find("kit_http_requests_in_flight 0"), std::string::npos);
  std::lock_guard lock(log_mutex);
  ASSERT_EQ(log.size(), 3u);
  std::sort(log.begin(), log.end(),
            [](const AccessRecord& a, const AccessRecord& b) { return a.path < b.path; });
  EXPECT_EQ(log[0].path, "/api/v1/patients/12");  // no query string in the log
  EXPECT_EQ(log[0].method, "GET");
  EXPECT_EQ(log[0].status, 200);
  EXPECT_EQ(log[0].remote, "127.0.0.1");
  EXPECT_EQ(log[2].path, "/throw");
  EXPECT_EQ(log[2].status, 500);
}

TEST(HttpServerTest, BindingATakenPortThrows) {
  ServerRunner s;
  HttpServerOptions opt;
  opt.port = static_cast<std::uint16_t>(s.port());
  EXPECT_THROW(HttpServer(opt, echo_handler), std::system_error);
}

TEST(HttpTargetTest, SplitsAndDecodes) {
  std::string path;
  std::map<std::string, std::string> q;
  ASSERT_TRUE(split_target("/a/%C3%A9?x=%41&x=2&flag&e=a%3Db+c", path, q));
  EXPECT_EQ(path, "/a/\xC3\xA9");
  EXPECT_EQ(q.at("x"), "A");  // the first occurrence wins
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.at("e"), "a=b c");
  EXPECT_FALSE(split_target("/a%2", path, q));
  EXPECT_FALSE(split_target("/a%00", path, q));
  EXPECT_FALSE(split_target("relative", path, q));
  ASSERT_TRUE(split_target("/plus+stays", path, q));
  EXPECT_EQ(path, "/plus+stays");
}

TEST(MetricsRegistryTest, RendersPrometheusText) {
  MetricsRegistry m;
  m.describe_counter("jobs_total", "Jobs done.");
  m.add_counter("jobs_total", {{"kind", "a\"b"}}, 2);
  m.set_gauge("temperature", 21.5);
  m.describe_histogram("lat_seconds", "Latency.", {0.1, 1});
  m.observe("lat_seconds", 0.05);
  m.observe("lat_seconds", 0.5);
  m.observe("lat_seconds", 5);
  EXPECT_EQ(m.render(),
            "# HELP jobs_total Jobs done.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{kind=\"a\\\"b\"} 2\n"
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"0.1\"} 1\n"
            "lat_seconds_bucket{le=\"1\"} 2\n"
            "lat_seconds_bucket{le=\"+Inf\"} 3\n"
            "lat_seconds_sum 5.55\n"
            "lat_seconds_count 3\n"
            "# TYPE temperature gauge\n"
            "temperature 21.5\n");
}

}  // namespace
}  // namespace kit::server
