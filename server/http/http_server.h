#pragma once
// The HTTP/1.1 front door (Boost.Beast, asynchronous; docs/adr/0006-http-server.md). I/O threads
// only read and write sockets and run timers; each complete request is handed to a worker pool
// that runs the handler (which may block on the database), and the answer is written back on the
// connection's strand. A slow or idle client therefore holds a socket and a timer, never a thread.
//
// Beast and Asio stay in http_server.cpp: this header is cheap to include.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "server/http/message.h"
#include "server/http/metrics.h"

namespace kit::server {

// One line of the access log, given to HttpServerOptions::access_log after every response written
// (including the server's own 400/408/413/431 answers). Never carries bodies or query strings.
struct AccessRecord {
  std::string method;
  std::string path;  // decoded, without the query
  int status = 0;
  double duration_ms = 0;  // from the request being fully read to the response being written
  std::string remote;
  std::size_t response_bytes = 0;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;                   // 0: an ephemeral port, see HttpServer::port()
  std::size_t body_limit_bytes = 1024 * 1024;  // larger bodies answer 413
  std::size_t header_limit_bytes = 16 * 1024;  // larger request heads answer 431
  // From a new connection (or the first byte of a keep-alive request) to the end of the headers.
  std::chrono::milliseconds header_read_timeout{10'000};
  // A keep-alive connection waiting for its next request is closed after this long.
  std::chrono::milliseconds idle_timeout{60'000};
  // From the end of the headers to the end of the body (1 MiB in 30 s is 35 kB/s).
  std::chrono::milliseconds request_timeout{30'000};
  // Writing a response; a client that does not read it is disconnected.
  std::chrono::milliseconds write_timeout{30'000};
  // stop(): how long in-flight requests get to finish before connections are cut.
  std::chrono::milliseconds drain_timeout{10'000};
  // Server-Sent Events streams (Response::event_stream): at most this many at once (beyond: 503,
  // the client polls); each is closed after `event_stream_lifetime` (the browser reconnects, and
  // the login is checked again) and carries a comment line every `event_heartbeat` so proxies
  // and clients see it alive.
  std::size_t max_event_streams = 256;
  std::chrono::milliseconds event_stream_lifetime{300'000};
  std::chrono::milliseconds event_heartbeat{15'000};
  int io_threads = 1;      // socket I/O and timers
  int worker_threads = 8;  // request handlers (they may block on the database)
  // Called after every response (from an I/O thread); keep it quick. Optional.
  std::function<void(const AccessRecord&)> access_log;
  // The metrics label of a request path: the route pattern it matches ("/api/v1/patients/{id}"),
  // or "unmatched". Never the path itself, so a caller cannot choose labels. Without it every
  // request is labelled "unmatched".
  std::function<std::string(const std::string& path)> route_label;
  // Server-side problems (accept failures, handler exceptions): level "warn"/"error". Optional.
  std::function<void(const std::string& level, const std::string& message)> event_log;
};

class HttpServer {
 public:
  using Handler = std::function<Response(const Request&)>;

  // Binds and listens (throws std::system_error if the address is taken or invalid); serving
  // starts with run(). `metrics` receives the HTTP counters; a private registry if null.
  HttpServer(HttpServerOptions options, Handler handler,
             std::shared_ptr<MetricsRegistry> metrics = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;       // the bound port (the ephemeral one if options.port was 0)
  const std::string& host() const;  // as configured
  MetricsRegistry& metrics();

  // Serves until stop() has drained the connections; blocks the calling thread (which is one of
  // the I/O threads). Call once.
  void run();

  // Graceful stop, safe from any thread (signal handlers, request handlers, tests); returns at
  // once. The listener closes, idle keep-alive connections close, requests already received run
  // to completion and their responses are written in full (with "Connection: close"); then run()
  // returns. Connections still busy after drain_timeout are cut.
  void stop();
  bool draining() const;

  // Sends a change notice (`event: change`, `id: <seq>`) to every open event stream, from any
  // thread; a notice older than one already sent is dropped, and a stream still writing the
  // previous one gets only the latest (a slow client costs no memory).
  void publish(std::int64_t seq);
  std::size_t open_event_streams() const;

  struct Impl;  // opaque (http_server.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

// Percent-decoding for paths and query strings ('+' is a space only in queries). Returns false
// on a malformed escape.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);
// "/a/b?x=1&y=%20" -> path "/a/b", query {x: "1", y: " "}. Returns false if malformed.
bool split_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query);

// One request read from bytes already received, exactly as a connection reads it: the same
// parser and limits (options.body_limit_bytes, header_limit_bytes), the same Transfer-Encoding
// check and the same conversion to Request (remote_address left empty). `consumed` is how many
// bytes the request took (a pipelined request may follow). For the fuzz targets (fuzz/) and tests.
struct ParsedRequest {
  enum class Outcome {
    complete,    // `request` holds it
    incomplete,  // no byte of a request (a connection would wait, then close)
    rejected,    // `rejection` is the HTTP layer's own answer (400, 413 or 431; then it closes)
  };
  Outcome outcome = Outcome::incomplete;
  Request request;
  Response rejection;
  std::size_t consumed = 0;
};
ParsedRequest parse_request_bytes(std::string_view bytes, const HttpServerOptions& options);

// {"error":{"code":...,"message":...,"field":...}} with the given status.
Response http_error_response(int status, const std::string& code, const std::string& message,
                             const std::string& field = "");

}  // namespace kit::server
