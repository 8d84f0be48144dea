// HttpServer: Boost.Beast HTTP/1.1 with one strand per connection (after Beast's advanced_server
// example), handlers on a separate worker pool, and graceful draining. See http_server.h and
// docs/adr/0006-http-server.md.
#include "server/http/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <vector>

#include "server/http/security_headers.h"

namespace kit::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string status_class(int status) { return std::to_string(status / 100) + "xx"; }

using RequestParser = http::request_parser<http::string_body>;

// The limits a connection reads every request under (also parse_request_bytes).
void configure_parser(RequestParser& parser, const HttpServerOptions& opt) {
  parser.body_limit(opt.body_limit_bytes);
  parser.header_limit(static_cast<std::uint32_t>(opt.header_limit_bytes));
}

// Request smuggling: a Transfer-Encoding other than exactly "chunked" (xchunked, "chunked,
// identity", gzip, two such headers, one beside Content-Length) would be read as no body and the
// bytes after it run as a second request. RFC 9112 §6.1 and §6.3: answer 400 and close.
bool transfer_encoding_acceptable(const http::request<http::string_body>& req) {
  const std::size_t te = req.count(http::field::transfer_encoding);
  if (te == 0) return true;
  std::string value(req[http::field::transfer_encoding]);
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t") + 1);
  return te == 1 && beast::iequals(value, "chunked") && req.count(http::field::content_length) == 0;
}

// A parsed message as the handlers see it: method, decoded path and query, header names in lower
// case (repeated headers joined with ", ", cookies with "; "), the body. False when the target is
// not a valid path.
bool to_request(http::request<http::string_body>&& msg, Request& req) {
  req.method = std::string(msg.method_string());
  if (!split_target(msg.target(), req.path, req.query)) return false;
  for (const auto& field : msg) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = req.headers.try_emplace(std::move(name), std::string(field.value()));
    if (!inserted) it->second += (it->first == "cookie" ? "; " : ", ") + std::string(field.value());
  }
  req.body = std::move(msg.body());
  return true;
}

std::string metric_method(const std::string& m) {
  static const std::set<std::string> known = {"GET",   "HEAD",   "POST",   "PUT",
                                              "PATCH", "DELETE", "OPTIONS"};
  return known.count(m) ? m : "other";
}

}  // namespace

bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return false;
      out += decoded;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

bool split_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query) {
  query.clear();
  const std::size_t q = target.find('?');
  const std::string_view raw_path = target.substr(0, q);
  if (raw_path.empty() || raw_path.front() != '/') return false;
  if (!percent_decode(raw_path, false, path)) return false;
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  const std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string key;
    std::string value;
    if (!percent_decode(pair.substr(0, eq), true, key)) return false;
    if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true, value)) {
      return false;
    }
    query.emplace(std::move(key), std::move(value));  // the first occurrence wins
  }
  return true;
}

Response http_error_response(int status, const std::string& code, const std::string& message,
                             const std::string& field) {
  Response r;
  r.status = status;
  r.body = "{\"error\":{\"code\":\"" + json_escape(code) + "\",\"message\":\"" +
           json_escape(message) + "\",\"field\":\"" + json_escape(field) + "\"}}";
  return r;
}

ParsedRequest parse_request_bytes(std::string_view bytes, const HttpServerOptions& options) {
  ParsedRequest out;
  RequestParser parser;
  configure_parser(parser, options);
  parser.eager(false);  // stop after the header, as async_read_header does
  const auto reject = [&](int status, const std::string& code, const std::string& message,
                          const std::string& field = "") {
    out.outcome = ParsedRequest::Outcome::rejected;
    out.rejection = http_error_response(status, code, message, field);
    return out;
  };
  bool header_checked = false;
  while (!parser.is_done()) {
    beast::error_code ec;
    const std::size_t used =
        parser.put(net::buffer(bytes.data() + out.consumed, bytes.size() - out.consumed), ec);
    out.consumed += used;
    if (ec == http::error::need_more && out.consumed < bytes.size() && used > 0) continue;
    if (!ec && used == 0 && !parser.is_done() && !(parser.is_header_done() && !header_checked)) {
      ec = http::error::need_more;  // nothing left to read: the message is not finished
    }
    if (ec == http::error::need_more) {
      // The connection would wait for more bytes, then time out (408) or see the peer close: a
      // request begun and not finished is malformed (partial_message), nothing at all is no
      // request.
      if (!parser.got_some()) return out;
      return reject(400, "malformed_request", "the request is not valid HTTP/1.1");
    }
    if (ec == http::error::body_limit) {
      return reject(
          413, "payload_too_large",
          "the request body exceeds " + std::to_string(options.body_limit_bytes) + " bytes",
          "body");
    }
    if (ec == http::error::header_limit) {
      return reject(431, "headers_too_large", "the request headers are too large");
    }
    if (ec) return reject(400, "malformed_request", "the request is not valid HTTP/1.1");
    if (parser.is_header_done() && !header_checked) {
      header_checked = true;
      if (!transfer_encoding_acceptable(parser.get())) {
        return reject(400, "malformed_request",
                      "Transfer-Encoding must be exactly \"chunked\" (and without Content-Length)",
                      "Transfer-Encoding");
      }
      parser.eager(true);  // then the whole body, as async_read does
    }
  }
  // A request without a body is done with its header, before the loop above looked at it.
  if (!header_checked && !transfer_encoding_acceptable(parser.get())) {
    return reject(400, "malformed_request",
                  "Transfer-Encoding must be exactly \"chunked\" (and without Content-Length)",
                  "Transfer-Encoding");
  }
  if (!to_request(parser.release(), out.request)) {
    return reject(400, "malformed_request", "the request target is not a valid path");
  }
  out.outcome = ParsedRequest::Outcome::complete;
  return out;
}

class Connection;

struct HttpServer::Impl {
  Impl(HttpServerOptions o, Handler h, std::shared_ptr<MetricsRegistry> m)
      : opt(std::move(o)),
        handler(std::move(h)),
        metrics(m ? std::move(m) : std::make_shared<MetricsRegistry>()),
        ioc(std::max(1, opt.io_threads)),
        guard(net::make_work_guard(ioc)),
        workers(static_cast<std::size_t>(std::max(1, opt.worker_threads))),
        acceptor(ioc),
        drain_timer(ioc),
        accept_retry(ioc) {
    describe_metrics();
    tcp::endpoint endpoint;
    beast::error_code ec;
    const auto address =
        net::ip::make_address(opt.host == "localhost" ? "127.0.0.1" : opt.host, ec);
    if (ec) {
      tcp::resolver resolver(ioc);
      auto results = resolver.resolve(opt.host, std::to_string(opt.port), ec);
      if (ec || results.empty()) {
        throw std::system_error(ec ? ec : std::make_error_code(std::errc::invalid_argument),
                                "cannot resolve listen host '" + opt.host + "'");
      }
      endpoint = results.begin()->endpoint();
    } else {
      endpoint = tcp::endpoint(address, opt.port);
    }
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint, ec);
    if (ec) {
      throw std::system_error(ec, "cannot listen on " + opt.host + ":" + std::to_string(opt.port));
    }
    acceptor.listen(net::socket_base::max_listen_connections);
    bound_port = acceptor.local_endpoint().port();
  }

  void describe_metrics() {
    metrics->describe_counter("kit_http_requests_total",
                              "HTTP requests answered, by method and status class.");
    metrics->describe_histogram(
        "kit_http_request_duration_seconds",
        "Time from a request fully read to its response written, by route.");
    metrics->describe_gauge("kit_http_open_connections", "Open client connections.");
    metrics->describe_gauge("kit_http_requests_in_flight", "Requests being handled or written.");
    metrics->describe_counter("kit_http_connections_total", "Client connections accepted.");
    metrics->describe_counter("kit_http_rejected_total",
                              "Requests refused by the HTTP layer, by reason (timeout, body_limit, "
                              "header_limit, malformed).");
    metrics->describe_gauge("kit_http_event_streams", "Open Server-Sent Events streams.");
    metrics->set_gauge("kit_http_event_streams", 0);
    metrics->set_gauge("kit_http_open_connections", 0);
    metrics->set_gauge("kit_http_requests_in_flight", 0);
  }

  void log_event(const std::string& level, const std::string& message) {
    if (opt.event_log) opt.event_log(level, message);
  }

  // The route pattern (HttpServerOptions::route_label), never the caller's own path segments.
  std::string limited_route(const std::string& path, int status) {
    std::string label = status == 404 || status == 405 || !opt.route_label || path.empty()
                            ? std::string("unmatched")
                            : opt.route_label(path);
    std::lock_guard lock(routes_mutex);
    if (routes_seen.count(label)) return label;
    if (routes_seen.size() >= 200) return "other";
    routes_seen.insert(label);
    return label;
  }

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void on_session_closed(std::uint64_t id);
  void begin_drain();
  void finish();

  HttpServerOptions opt;
  Handler handler;
  std::shared_ptr<MetricsRegistry> metrics;
  std::atomic<bool> draining{false};
  std::atomic<bool> finished{false};
  std::atomic<std::size_t> open_streams{0};
  std::atomic<std::int64_t> last_published{0};

  bool try_open_stream() {
    std::size_t now = open_streams.load();
    do {
      if (now >= opt.max_event_streams) return false;
    } while (!open_streams.compare_exchange_weak(now, now + 1));
    metrics->set_gauge("kit_http_event_streams", static_cast<double>(now + 1));
    return true;
  }
  void stream_closed() {
    metrics->set_gauge("kit_http_event_streams", static_cast<double>(--open_streams));
  }
  void publish(std::int64_t seq);
  std::mutex sessions_mutex;
  std::map<std::uint64_t, std::weak_ptr<Connection>> sessions;
  std::uint64_t next_session_id = 0;
  std::mutex routes_mutex;
  std::set<std::string> routes_seen;
  std::uint16_t bound_port = 0;
  // Sessions left in the io_context's queue when it is destroyed use the members above, so they
  // are declared first (and destroyed last). The worker pool is joined in run() before the
  // io_context goes away.
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> guard;
  net::thread_pool workers;
  tcp::acceptor acceptor;
  net::steady_timer drain_timer;
  net::steady_timer accept_retry;
};

// One client connection. Every member is touched only on the connection's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl& server, tcp::socket socket, std::uint64_t id)
      : srv_(server), id_(id), stream_(std::move(socket)), timer_(stream_.get_executor()) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = remote.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
    srv_.metrics->add_gauge("kit_http_open_connections", 1);
    srv_.metrics->add_counter("kit_http_connections_total");
  }

  ~Connection() {
    end_in_flight();
    srv_.metrics->add_gauge("kit_http_open_connections", -1);
    srv_.on_session_closed(id_);
  }

  void start() {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->begin_request(true); });
  }

  // Draining: a connection that has not started a request is closed; others finish theirs.
  void close_if_idle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      const bool nothing_received =
          self->buffer_.size() == 0 && (!self->parser_ || !self->parser_->got_some());
      if (self->state_ == State::idle || self->state_ == State::streaming ||
          (self->state_ == State::reading && nothing_received)) {
        self->close();
      }
    });
  }

  void force_close() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

  // A change notice for an event stream (from any thread); other connections ignore it.
  void notify(std::int64_t seq) {
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), seq] {
      if (self->state_ != State::streaming) return;
      self->latest_seq_ = std::max(self->latest_seq_, seq);
      self->flush_events();
    });
  }

 private:
  enum class State { idle, reading, handling, writing, streaming, closing, closed };
  using Parser = http::request_parser<http::string_body>;

  void arm_timer(std::chrono::milliseconds after) {
    timed_out_ = false;
    const std::uint64_t gen = ++timer_gen_;
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
      if (ec || gen != self->timer_gen_ || self->state_ == State::closed) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }

  void disarm_timer() {
    ++timer_gen_;
    timer_.cancel();
  }

  // Waits for the next request. A keep-alive connection with nothing buffered first waits (up to
  // idle_timeout) for the first byte without consuming it; the headers then get
  // header_read_timeout.
  void begin_request(bool first) {
    if (state_ == State::closed) return;
    parser_.emplace();
    configure_parser(*parser_, srv_.opt);
    if (srv_.draining && buffer_.size() == 0) {
      close();
      return;
    }
    if (first || buffer_.size() > 0) {
      read_header();
      return;
    }
    state_ = State::idle;
    arm_timer(srv_.opt.idle_timeout);
    stream_.socket().async_wait(tcp::socket::wait_read,
                                [self = shared_from_this()](beast::error_code ec) {
                                  if (self->state_ != State::idle) return;
                                  self->disarm_timer();
                                  if (ec) {
                                    self->close();  // idle timeout, draining or a dead socket
                                    return;
                                  }
                                  self->read_header();
                                });
  }

  void read_header() {
    state_ = State::reading;
    arm_timer(srv_.opt.header_read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (state_ == State::closed) return;
    if (ec) return on_read_error(ec);
    disarm_timer();
    const auto& req = parser_->get();
    if (!transfer_encoding_acceptable(req)) {
      srv_.metrics->add_counter("kit_http_rejected_total", {{"reason", "malformed"}});
      return reject(400, "malformed_request",
                    "Transfer-Encoding must be exactly \"chunked\" (and without Content-Length)",
                    "Transfer-Encoding");
    }
    if (parser_->is_done()) return on_request();
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      stream_.expires_after(srv_.opt.write_timeout);
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                          self->stream_.expires_never();
                          if (self->state_ == State::closed) return;
                          if (wec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    arm_timer(srv_.opt.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (self->state_ == State::closed) return;
                       if (ec) return self->on_read_error(ec);
                       self->disarm_timer();
                       self->on_request();
                     });
  }

  void on_read_error(beast::error_code ec) {
    disarm_timer();
    const bool got_some = parser_ && parser_->got_some();
    if (timed_out_) {
      if (!got_some) return close();  // an idle connection: nothing to answer
      srv_.metrics->add_counter("kit_http_rejected_total", {{"reason", "timeout"}});
      return reject(408, "request_timeout", "the request was not received in time");
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted ||
        ec == net::error::broken_pipe || ec == net::error::bad_descriptor) {
      return close();
    }
    if (ec == http::error::body_limit) {
      srv_.metrics->add_counter("kit_http_rejected_total", {{"reason", "body_limit"}});
      return reject(
          413, "payload_too_large",
          "the request body exceeds " + std::to_string(srv_.opt.body_limit_bytes) + " bytes",
          "body");
    }
    if (ec == http::error::header_limit) {
      srv_.metrics->add_counter("kit_http_rejected_total", {{"reason", "header_limit"}});
      return reject(431, "headers_too_large", "the request headers are too large");
    }
    if (ec.category() ==
            http::make_error_code(http::error::bad_method).category() ||  // any parse error
        ec == http::error::partial_message) {
      if (ec == http::error::partial_message && !got_some) return close();
      srv_.metrics->add_counter("kit_http_rejected_total", {{"reason", "malformed"}});
      return reject(400, "malformed_request", "the request is not valid HTTP/1.1");
    }
    close();
  }

  // Answers an error from the HTTP layer itself and closes the connection afterwards.
  void reject(int status, const std::string& code, const std::string& message,
              const std::string& field = "") {
    method_.clear();
    path_.clear();
    if (parser_ && parser_->got_some()) {  // the request line may have been parsed already
      method_ = std::string(parser_->get().method_string());
      std::map<std::string, std::string> ignored;
      if (!split_target(parser_->get().target(), path_, ignored)) path_.clear();
    }
    version_ = 11;
    keep_alive_ = false;
    handled_ = false;
    started_ = Clock::now();
    write_response(http_error_response(status, code, message, field));
  }

  void on_request() {
    auto msg = parser_->release();
    Request req;
    method_ = std::string(msg.method_string());
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    if (!to_request(std::move(msg), req)) {
      path_.clear();
      srv_.metrics->add_counter("kit_http_rejected_total", {{"reason", "malformed"}});
      return reject(400, "malformed_request", "the request target is not a valid path");
    }
    path_ = req.path;
    req.remote_address = remote_;

    state_ = State::handling;
    handled_ = true;
    in_flight_ = true;
    srv_.metrics->add_gauge("kit_http_requests_in_flight", 1);
    started_ = Clock::now();
    // The handler may block (database): run it on the worker pool, write on the strand.
    net::post(srv_.workers, [self = shared_from_this(), req = std::move(req)]() mutable {
      Response res;
      try {
        res = self->srv_.handler(req);
      } catch (const std::exception& e) {
        self->srv_.log_event("error", std::string("request handler failed: ") + e.what());
        res = http_error_response(500, "internal", "internal server error");
      } catch (...) {
        self->srv_.log_event("error", "request handler failed");
        res = http_error_response(500, "internal", "internal server error");
      }
      net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
        if (self->state_ == State::closed) return;
        self->write_response(res);
      });
    });
  }

  // Server-Sent Events (https://html.spec.whatwg.org/multipage/server-sent-events.html): the head
  // is written, then the connection stays open with a close-delimited body (RFC 9112 §6.3) on
  // this I/O thread; the worker that ran the handler is already free.
  void start_event_stream(const Response& r) {
    if (srv_.draining || !srv_.try_open_stream()) {
      Response busy =
          http_error_response(503, "busy", "too many live update streams; poll instead");
      busy.set_header("Retry-After", "30");
      return write_response(busy);
    }
    streaming_ = true;
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::ok,
                                                                  version_ == 10 ? 10 : 11);
    res->set(http::field::server, "kit");
    res->set(http::field::content_type, "text/event-stream; charset=utf-8");
    res->set("X-Accel-Buffering", "no");  // nginx: pass each event on at once
    for (const auto& [name, value] : r.headers) res->insert(name, value);
    set_security_defaults(*res, "text/event-stream");
    res->keep_alive(false);  // the body ends when the connection closes
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    status_ = 200;
    state_ = State::streaming;
    stream_.expires_after(srv_.opt.write_timeout);
    http::async_write_header(
        stream_, *sr, [self = shared_from_this(), res, sr](beast::error_code ec, std::size_t n) {
          self->stream_.expires_never();
          if (self->state_ != State::streaming) return;
          self->record_answer(n);
          if (ec) return self->close();
          self->stream_started_ = Clock::now();
          self->latest_seq_ = std::max(self->latest_seq_, self->srv_.last_published.load());
          self->preamble_due_ = true;
          self->watch_stream_peer();
          self->tick_stream();
          self->flush_events();
        });
  }

  // Writes what is due: the reconnection delay once, the latest change notice (never a backlog)
  // or a heartbeat comment. One write at a time.
  void flush_events() {
    if (state_ != State::streaming || stream_writing_) return;
    std::string out;
    if (preamble_due_) {
      out += "retry: 5000\n\n";
      preamble_due_ = false;
    }
    if (latest_seq_ > sent_seq_) {
      const std::string seq = std::to_string(latest_seq_);
      out += "id: " + seq + "\nevent: change\ndata: {\"seq\":" + seq + "}\n\n";
      sent_seq_ = latest_seq_;
    } else if (heartbeat_due_) {
      out += ": keep-alive\n\n";
    }
    heartbeat_due_ = false;
    if (out.empty()) return;
    stream_out_ = std::move(out);
    stream_writing_ = true;
    stream_.expires_after(srv_.opt.write_timeout);  // a client that does not read is dropped
    net::async_write(stream_, net::buffer(stream_out_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->stream_.expires_never();
                       self->stream_writing_ = false;
                       if (self->state_ != State::streaming) return;
                       if (ec) return self->close();
                       self->flush_events();
                     });
  }

  // The client sends nothing on an event stream: end of input (or anything else) closes it.
  void watch_stream_peer() {
    stream_.socket().async_read_some(net::buffer(scratch_),
                                     [self = shared_from_this()](beast::error_code, std::size_t) {
                                       if (self->state_ == State::streaming) self->close();
                                     });
  }

  void tick_stream() {
    const std::uint64_t gen = ++timer_gen_;
    timer_.expires_after(srv_.opt.event_heartbeat);
    timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
      if (ec || gen != self->timer_gen_ || self->state_ != State::streaming) return;
      if (Clock::now() - self->stream_started_ >= self->srv_.opt.event_stream_lifetime) {
        return self->close();  // the browser reconnects, and the login is checked again
      }
      self->heartbeat_due_ = true;
      self->flush_events();
      self->tick_stream();
    });
  }

  // Security headers on every response, set here once (security_headers.h); a handler that
  // serves something else (a cacheable asset) sets its own value and it is kept.
  template <class Message>
  static void set_security_defaults(Message& res, std::string_view content_type) {
    for (const auto& [name, value] : default_security_headers(content_type)) {
      if (res.find(name) == res.end()) res.set(name, value);
    }
  }

  void write_response(const Response& r) {
    if (r.event_stream && r.status == 200) return start_event_stream(r);
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_ == 10 ? 10 : 11);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, "kit");
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    bool handler_closes = false;
    for (const auto& [name, value] : r.headers) {
      if (beast::iequals(name, "connection")) {
        handler_closes = beast::iequals(value, "close");
        continue;
      }
      res->insert(name, value);
    }
    set_security_defaults(*res, r.content_type);
    if (method_ != "HEAD") res->body() = r.body;
    const bool keep = keep_alive_ && !handler_closes && !srv_.draining;
    res->keep_alive(keep);
    res->prepare_payload();
    status_ = r.status;
    state_ = State::writing;
    stream_.expires_after(srv_.opt.write_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t n) {
                        self->on_write(ec, n, keep);
                      });
  }

  void on_write(beast::error_code ec, std::size_t bytes, bool keep) {
    stream_.expires_never();
    if (state_ == State::closed) return;
    record_answer(bytes);
    if (ec) return close();
    if (!keep) return linger_close();
    begin_request(false);
  }

  // Metrics and the access log of the answer just written (for a stream: its head).
  void record_answer(std::size_t bytes) {
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    srv_.metrics->add_counter("kit_http_requests_total", {{"method", metric_method(method_)},
                                                          {"class", status_class(status_)}});
    if (handled_) {
      srv_.metrics->observe("kit_http_request_duration_seconds", seconds,
                            {{"route", srv_.limited_route(path_, status_)}});
    }
    end_in_flight();
    if (srv_.opt.access_log) {
      AccessRecord rec;
      rec.method = method_;
      rec.path = path_;
      rec.status = status_;
      rec.duration_ms = seconds * 1000.0;
      rec.remote = remote_;
      rec.response_bytes = bytes;
      srv_.opt.access_log(rec);
    }
  }

  void end_in_flight() {
    if (!in_flight_) return;
    in_flight_ = false;
    srv_.metrics->add_gauge("kit_http_requests_in_flight", -1);
  }

  // Sends FIN, then reads and discards what the client still sends (an unread request body)
  // for a moment, so the client sees our answer rather than a reset.
  void linger_close() {
    state_ = State::closing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    arm_timer(std::chrono::milliseconds(2000));
    discard_input();
  }

  void discard_input() {
    stream_.socket().async_read_some(
        net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (self->state_ == State::closed) return;
          if (ec) return self->close();
          self->discard_input();
        });
  }

  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    if (streaming_) {
      streaming_ = false;
      srv_.stream_closed();
    }
    disarm_timer();
    end_in_flight();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  HttpServer::Impl& srv_;
  std::uint64_t id_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  net::steady_timer timer_;
  std::uint64_t timer_gen_ = 0;
  bool timed_out_ = false;
  State state_ = State::idle;
  std::string remote_;
  // The request being answered, for keep-alive, metrics and the access log.
  std::string method_;
  std::string path_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool handled_ = false;
  bool in_flight_ = false;
  int status_ = 0;
  Clock::time_point started_;
  std::array<char, 4096> scratch_{};
  // Event stream (state_ == streaming).
  bool streaming_ = false;
  bool stream_writing_ = false;
  bool preamble_due_ = false;
  bool heartbeat_due_ = false;
  std::int64_t latest_seq_ = 0;
  std::int64_t sent_seq_ = -1;  // the first notice (the current seq, even 0) is always sent
  std::string stream_out_;
  Clock::time_point stream_started_;
};

void HttpServer::Impl::publish(std::int64_t seq) {
  std::int64_t prev = last_published.load();
  while (seq > prev && !last_published.compare_exchange_weak(prev, seq)) {
  }
  if (open_streams.load() == 0) return;
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(sessions_mutex);
    for (auto& [id, weak] : sessions) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  for (auto& c : open) c->notify(seq);
}

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (draining || !acceptor.is_open()) return;
  if (ec) {
    // Typically EMFILE (out of file descriptors): back off briefly instead of spinning.
    log_event("warn", "accept failed: " + ec.message());
    accept_retry.expires_after(std::chrono::milliseconds(50));
    accept_retry.async_wait([this](beast::error_code wec) {
      if (!wec && !draining) do_accept();
    });
    return;
  }
  std::shared_ptr<Connection> session;
  {
    std::lock_guard lock(sessions_mutex);
    const std::uint64_t id = ++next_session_id;
    session = std::make_shared<Connection>(*this, std::move(socket), id);
    sessions.emplace(id, session);
  }
  session->start();
  do_accept();
}

void HttpServer::Impl::on_session_closed(std::uint64_t id) {
  bool last = false;
  {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(id);
    last = sessions.empty();
  }
  if (last && draining && !finished) net::post(ioc, [this] { finish(); });
}

void HttpServer::Impl::begin_drain() {
  beast::error_code ec;
  acceptor.close(ec);
  accept_retry.cancel();
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(sessions_mutex);
    for (auto& [id, weak] : sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  if (open.empty()) return finish();
  for (auto& s : open) s->close_if_idle();
  drain_timer.expires_after(opt.drain_timeout);
  drain_timer.async_wait([this](beast::error_code wec) {
    if (wec || finished) return;
    log_event("warn", "drain deadline reached: closing the remaining connections");
    std::vector<std::shared_ptr<Connection>> left;
    {
      std::lock_guard lock(sessions_mutex);
      for (auto& [id, weak] : sessions) {
        if (auto s = weak.lock()) left.push_back(std::move(s));
      }
    }
    for (auto& s : left) s->force_close();
    net::post(ioc, [this] { finish(); });
  });
}

void HttpServer::Impl::finish() {
  if (finished.exchange(true)) return;
  drain_timer.cancel();
  guard.reset();
  ioc.stop();
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler,
                       std::shared_ptr<MetricsRegistry> metrics)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(metrics))) {}

HttpServer::~HttpServer() {
  if (impl_) {
    impl_->draining = true;
    impl_->finished = true;
    impl_->ioc.stop();
    impl_->workers.join();
  }
}

std::uint16_t HttpServer::port() const { return impl_->bound_port; }
const std::string& HttpServer::host() const { return impl_->opt.host; }
MetricsRegistry& HttpServer::metrics() { return *impl_->metrics; }
bool HttpServer::draining() const { return impl_->draining; }
void HttpServer::publish(std::int64_t seq) { impl_->publish(seq); }
std::size_t HttpServer::open_event_streams() const { return impl_->open_streams.load(); }

void HttpServer::run() {
  Impl& s = *impl_;
  net::post(s.ioc, [&s] {
    if (!s.draining) s.do_accept();
  });
  std::vector<std::thread> extra;
  for (int i = 1; i < s.opt.io_threads; ++i) extra.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (auto& t : extra) t.join();
  s.finished = true;
  s.workers.join();  // handlers still running (past the drain deadline) complete
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (s.draining.exchange(true)) return;
  net::post(s.ioc, [&s] { s.begin_drain(); });
}

}  // namespace kit::server
