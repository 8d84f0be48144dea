#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace kit::test {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  std::size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

int connect_to(const std::string& host, int port, std::chrono::milliseconds timeout,
               std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    error = std::string("resolve: ") + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    const int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
      int so_error = 0;
      socklen_t len = sizeof so_error;
      if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0 && so_error == 0) {
        rc = 0;
      } else {
        error = rc == 0 ? "connect: timeout"
                        : std::string("connect: ") + std::strerror(so_error ? so_error : errno);
        rc = -1;
      }
    } else if (rc != 0) {
      error = std::string("connect: ") + std::strerror(errno);
    }
    if (rc == 0) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      break;
    }
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0) error.clear();
  return fd;
}

}  // namespace

HttpConnection::HttpConnection(const std::string& host, int port, std::chrono::milliseconds timeout)
    : host_(host) {
  fd_ = connect_to(host, port, timeout, error_);
}

HttpConnection::~HttpConnection() { close(); }

HttpConnection::HttpConnection(HttpConnection&& other) noexcept
    : fd_(other.fd_),
      host_(std::move(other.host_)),
      buffer_(std::move(other.buffer_)),
      error_(std::move(other.error_)) {
  other.fd_ = -1;
}

HttpConnection& HttpConnection::operator=(HttpConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    host_ = std::move(other.host_);
    buffer_ = std::move(other.buffer_);
    error_ = std::move(other.error_);
    other.fd_ = -1;
  }
  return *this;
}

void HttpConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool HttpConnection::send_raw(const std::string& bytes) {
  if (fd_ < 0) return false;
  std::size_t sent = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) <= 0) {
        error_ = "send: timeout";
        return false;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    error_ = std::string("send: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool HttpConnection::send_request(const std::string& method, const std::string& path,
                                  const std::string& body,
                                  const std::map<std::string, std::string>& headers) {
  std::string req = method + " " + path + " HTTP/1.1\r\n";
  bool has_host = false;
  bool has_length = false;
  for (const auto& [k, v] : headers) {
    has_host = has_host || lower(k) == "host";
    has_length = has_length || lower(k) == "content-length" || lower(k) == "transfer-encoding";
    req += k + ": " + v + "\r\n";
  }
  if (!has_host) req += "Host: " + host_ + "\r\n";
  if (!has_length && (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")) {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  return send_raw(req);
}

bool HttpConnection::fill(Clock::time_point deadline, std::string& why) {
  if (fd_ < 0) {
    why = "not connected";
    return false;
  }
  char buf[16384];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc == 0) {
      why = "timeout";
      return false;
    }
    if (rc < 0) {
      if (errno == EINTR) continue;
      why = std::string("poll: ") + std::strerror(errno);
      return false;
    }
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      buffer_.append(buf, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    why = n == 0 ? "eof" : std::string("recv: ") + std::strerror(errno);
    return false;
  }
}

HttpResult HttpConnection::read_response(std::chrono::milliseconds timeout) {
  HttpResult r;
  const auto deadline = Clock::now() + timeout;
  std::string why;
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline, why)) {
      r.error = "reading response head: " + why;
      r.closed = why != "timeout";
      return r;
    }
  }
  const std::string head = buffer_.substr(0, head_end);
  buffer_.erase(0, head_end + 4);
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
    r.error = "bad status line: " + status_line;
    return r;
  }
  r.status = std::atoi(status_line.c_str() + 9);
  while (line_end != std::string::npos) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    r.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  const bool http10 = status_line.rfind("HTTP/1.0", 0) == 0;
  const auto connection = r.header("connection");
  r.closed = (connection && lower(*connection) == "close") || (http10 && !connection);
  if (r.status / 100 == 1 || r.status == 204 || r.status == 304) return r;

  if (const auto te = r.header("transfer-encoding");
      te && lower(*te).find("chunked") != std::string::npos) {
    for (;;) {
      std::size_t eol;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill(deadline, why)) {
          r.error = "reading chunk size: " + why;
          return r;
        }
      }
      const std::size_t size = std::strtoul(buffer_.substr(0, eol).c_str(), nullptr, 16);
      buffer_.erase(0, eol + 2);
      while (buffer_.size() < size + 2) {
        if (!fill(deadline, why)) {
          r.error = "reading chunk: " + why;
          return r;
        }
      }
      r.body += buffer_.substr(0, size);
      buffer_.erase(0, size + 2);
      if (size == 0) return r;  // (trailers are not supported)
    }
  }
  if (const auto cl = r.header("content-length")) {
    const std::size_t length = std::strtoull(cl->c_str(), nullptr, 10);
    while (buffer_.size() < length) {
      if (!fill(deadline, why)) {
        r.error = "reading body: " + why;
        return r;
      }
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }
  // No length: the body runs to the end of the connection.
  while (fill(deadline, why)) {
  }
  if (why == "timeout") r.error = "reading body: timeout";
  r.body = std::move(buffer_);
  buffer_.clear();
  r.closed = true;
  return r;
}

HttpResult HttpConnection::request(const std::string& method, const std::string& path,
                                   const std::string& body,
                                   const std::map<std::string, std::string>& headers,
                                   std::chrono::milliseconds timeout) {
  if (!send_request(method, path, body, headers)) {
    HttpResult r;
    r.error = error_;
    return r;
  }
  return read_response(timeout);
}

bool HttpConnection::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string why;
  while (fill(deadline, why)) buffer_.clear();
  return why != "timeout";
}

HttpResult http_request(const std::string& host, int port, const std::string& method,
                        const std::string& path, const std::string& body,
                        const std::map<std::string, std::string>& headers,
                        std::chrono::milliseconds timeout) {
  HttpConnection c(host, port, timeout);
  if (!c.connected()) {
    HttpResult r;
    r.error = c.error();
    return r;
  }
  auto h = headers;
  bool has_connection = false;
  for (const auto& [k, v] : h) has_connection = has_connection || lower(k) == "connection";
  if (!has_connection) h["Connection"] = "close";
  return c.request(method, path, body, h, timeout);
}

}  // namespace kit::test
