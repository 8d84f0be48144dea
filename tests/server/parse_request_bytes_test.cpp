// parse_request_bytes (server/http/http_server.h): a connection's request reading on bytes in a
// buffer, as the fuzz target fuzz/http_request.cpp drives it. The same answers as the live server
// gives over a socket (http_server_test.cpp): limits, smuggling checks, decoding, pipelining.
#include <gtest/gtest.h>

#include <string>

#include "server/http/http_server.h"

namespace kit::server {
namespace {

using Outcome = ParsedRequest::Outcome;

TEST(ParseRequestBytes, ReadsAWholeRequestWithQueryHeadersAndBody) {
  const std::string raw =
      "POST /api/v1/p%61tients?q=a+b&limit=5 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n"
      "Cookie: a=1\r\nCookie: b=2\r\nContent-Length: 2\r\n\r\n{}";
  const ParsedRequest p = parse_request_bytes(raw, HttpServerOptions{});
  ASSERT_EQ(p.outcome, Outcome::complete);
  EXPECT_EQ(p.consumed, raw.size());
  EXPECT_EQ(p.request.method, "POST");
  EXPECT_EQ(p.request.path, "/api/v1/patients");
  EXPECT_EQ(p.request.query.at("q"), "a b");
  EXPECT_EQ(p.request.query.at("limit"), "5");
  EXPECT_EQ(p.request.headers.at("x-a"), "1, 2");
  EXPECT_EQ(p.request.headers.at("cookie"), "a=1; b=2");
  EXPECT_EQ(p.request.body, "{}");
}

TEST(ParseRequestBytes, PipelinedRequestsAreReadOneAtATime) {
  const std::string one = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string two = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  const ParsedRequest p = parse_request_bytes(one + two, HttpServerOptions{});
  ASSERT_EQ(p.outcome, Outcome::complete);
  EXPECT_EQ(p.consumed, one.size());
  EXPECT_EQ(p.request.path, "/a");
}

TEST(ParseRequestBytes, ChunkedBodyIsDecoded) {
  const std::string raw =
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
  const ParsedRequest p = parse_request_bytes(raw, HttpServerOptions{});
  ASSERT_EQ(p.outcome, Outcome::complete);
  EXPECT_EQ(p.request.body, "{}");
}

TEST(ParseRequestBytes, RefusesWhatTheServerRefuses) {
  HttpServerOptions small;
  small.body_limit_bytes = 4;
  small.header_limit_bytes = 64;
  auto status = [&](const std::string& raw) {
    const ParsedRequest p = parse_request_bytes(raw, small);
    return p.outcome == Outcome::rejected ? p.rejection.status : 0;
  };
  EXPECT_EQ(status("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"), 413);
  EXPECT_EQ(status("GET /x HTTP/1.1\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n"), 431);
  EXPECT_EQ(status("GET x HTTP/1.1\r\n\r\n"), 400);     // not a path
  EXPECT_EQ(status("GET /%zz HTTP/1.1\r\n\r\n"), 400);  // bad escape
  EXPECT_EQ(status("NOT HTTP AT ALL\r\n\r\n"), 400);
  // Request smuggling (RFC 9112 §6.1): Transfer-Encoding other than exactly "chunked", also on a
  // request whose header ends the message.
  EXPECT_EQ(status("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n"), 400);
  EXPECT_EQ(status("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n"),
            400);
  // Begun and never finished: the connection would answer 400 when the peer closes.
  EXPECT_EQ(status("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nab"), 400);
  EXPECT_EQ(status("GET /x HTTP/1.1\r\nHost"), 400);
}

TEST(ParseRequestBytes, NothingIsNoRequest) {
  EXPECT_EQ(parse_request_bytes("", HttpServerOptions{}).outcome, Outcome::incomplete);
}

}  // namespace
}  // namespace kit::server
