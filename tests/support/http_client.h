#pragma once
// A small blocking HTTP/1.1 client on plain POSIX sockets, for tests that talk to a real server.
// No dependency beyond libc; every call has a deadline, so a broken server fails a test instead of
// hanging it.
#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace kit::test {

struct HttpResult {
  int status = 0;                              // 0 when no response arrived (see error)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string error;    // connect/read failure or timeout, empty on success
  bool closed = false;  // the server closed the connection after this response
  std::optional<std::string> header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

// One request on a fresh connection ("Connection: close"); Content-Length is added for a body.
HttpResult http_request(const std::string& host, int port, const std::string& method,
                        const std::string& path, const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A connection kept open across requests (keep-alive, pipelining and raw-byte tests).
class HttpConnection {
 public:
  HttpConnection() = default;
  HttpConnection(const std::string& host, int port,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~HttpConnection();
  HttpConnection(HttpConnection&& other) noexcept;
  HttpConnection& operator=(HttpConnection&& other) noexcept;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& error() const { return error_; }

  bool send_raw(const std::string& bytes);
  // Sends a request (keep-alive unless headers say otherwise).
  bool send_request(const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});
  // Reads exactly one response (Content-Length, chunked, or until the peer closes).
  HttpResult read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  HttpResult request(const std::string& method, const std::string& path,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True if the peer has closed the connection (EOF or reset) within `timeout`; data that arrives
  // meanwhile is discarded.
  bool wait_closed(std::chrono::milliseconds timeout);
  void close();

 private:
  // Reads more bytes into buffer_; false on EOF, error or deadline.
  bool fill(std::chrono::steady_clock::time_point deadline, std::string& why);

  int fd_ = -1;
  std::string host_;
  std::string buffer_;
  std::string error_;
};

}  // namespace kit::test
