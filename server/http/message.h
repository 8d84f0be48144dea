#pragma once
// Transport-neutral request and response: the HTTP layer (Boost.Beast) fills a Request and sends
// back a Response; everything above it is a function from one to the other.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kit::server {

struct Request {
  std::string method;                         // "GET", "POST", ...
  std::string path;                           // "/api/v1/patients/12" (decoded, no query)
  std::map<std::string, std::string> query;   // decoded query parameters
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;
  std::string remote_address;                 // peer IP
  bool tls = false;

  std::optional<std::string> header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> cookie(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  // A 200 answer that opens a Server-Sent Events stream (text/event-stream): the HTTP layer keeps
  // the connection open on its I/O thread, never a worker, and writes change notices to it
  // (HttpServer::publish). The body is ignored.
  bool event_stream = false;

  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

}  // namespace kit::server
