// The client's address behind a reverse proxy (server/http/client_address.h): X-Forwarded-For is
// believed only from a trusted peer, and then only up to the right-most untrusted address.
#include "server/http/client_address.h"

#include <gtest/gtest.h>

#include <stdexcept>

using kit::server::client_address;
using kit::server::TrustedProxies;

namespace {

const TrustedProxies kLocalNginx = TrustedProxies::parse({"127.0.0.1"});

}  // namespace

TEST(ClientAddressTest, WithoutTrustedProxiesTheHeaderIsIgnored) {
  const TrustedProxies none;
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9", none), "127.0.0.1");
  EXPECT_EQ(client_address("198.51.100.4", "203.0.113.9", none), "198.51.100.4");
}

TEST(ClientAddressTest, FromAPeerThatIsNotTrustedTheHeaderIsIgnored) {
  // A client talking to kit directly forges the header: its own address is recorded.
  EXPECT_EQ(client_address("127.0.0.5", "203.0.113.9", kLocalNginx), "127.0.0.5");
  EXPECT_EQ(client_address("127.0.0.5", "127.0.0.1", kLocalNginx), "127.0.0.5");
  EXPECT_EQ(client_address("127.0.0.5", std::nullopt, kLocalNginx), "127.0.0.5");
}

TEST(ClientAddressTest, FromTheTrustedProxyTheRightMostUntrustedAddressIsTheClient) {
  EXPECT_EQ(client_address("127.0.0.1", "127.0.0.2", kLocalNginx), "127.0.0.2");
  // The client wrote the left part itself; the proxy appended what it saw (127.0.0.2).
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9, 127.0.0.2", kLocalNginx), "127.0.0.2");
  EXPECT_EQ(client_address("127.0.0.1", "garbage, 127.0.0.2", kLocalNginx), "127.0.0.2");
  // Trusted hops are skipped from the right: two proxies in a row.
  const TrustedProxies two = TrustedProxies::parse({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(client_address("127.0.0.1", "198.51.100.7, 203.0.113.9, 10.1.1.1", two), "203.0.113.9");
  // Every hop trusted: the left-most one.
  EXPECT_EQ(client_address("127.0.0.1", "10.0.0.2, 10.0.0.3", two), "10.0.0.2");
  // No header from the proxy: the proxy itself.
  EXPECT_EQ(client_address("127.0.0.1", std::nullopt, kLocalNginx), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", "", kLocalNginx), "127.0.0.1");
}

TEST(ClientAddressTest, AMalformedHopStopsAtTheLastTrustedOneAndNothingRawIsReturned) {
  EXPECT_EQ(client_address("127.0.0.1", "127.0.0.2, not-an-address", kLocalNginx), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", "127.0.0.2:5555", kLocalNginx), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", "'; DROP TABLE audit_log; --", kLocalNginx), "127.0.0.1");
  // Canonical text: IPv4-mapped IPv6 as IPv4, IPv6 compressed, brackets removed, blanks trimmed.
  EXPECT_EQ(client_address("127.0.0.1", " ::ffff:192.0.2.1 ", kLocalNginx), "192.0.2.1");
  EXPECT_EQ(client_address("127.0.0.1", "[2001:DB8:0:0::1]", kLocalNginx), "2001:db8::1");
}

TEST(ClientAddressTest, PeersAndNetworksMatchAcrossFamilies) {
  // A dual-stack listener sees IPv4 peers as IPv4-mapped IPv6.
  EXPECT_EQ(client_address("::ffff:127.0.0.1", "127.0.0.2", kLocalNginx), "127.0.0.2");
  const TrustedProxies nets = TrustedProxies::parse({"10.0.0.0/8", "fd00::/8", " ::1 "});
  EXPECT_TRUE(nets.contains("10.255.0.1"));
  EXPECT_FALSE(nets.contains("11.0.0.1"));
  EXPECT_TRUE(nets.contains("fd12::1"));
  EXPECT_FALSE(nets.contains("fe80::1"));
  EXPECT_TRUE(nets.contains("::1"));
  EXPECT_FALSE(nets.contains("::ffff:11.0.0.1"));
  EXPECT_TRUE(nets.contains("::ffff:10.0.0.1"));
  EXPECT_FALSE(nets.contains("not an address"));
  // /0 trusts everything of its family (allowed, documented as a mistake for an exposed port).
  EXPECT_TRUE(TrustedProxies::parse({"0.0.0.0/0"}).contains("203.0.113.1"));
  EXPECT_FALSE(TrustedProxies::parse({"0.0.0.0/0"}).contains("2001:db8::1"));
  EXPECT_TRUE(TrustedProxies::parse_list("127.0.0.1, ::1").contains("::1"));
  EXPECT_TRUE(TrustedProxies::parse_list("").empty());
}

TEST(ClientAddressTest, BadEntriesAreRefused) {
  EXPECT_THROW(TrustedProxies::parse({"nginx.local"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies::parse({"10.0.0.0/33"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies::parse({"fd00::/129"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies::parse({"10.0.0.0/x"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies::parse({"10.0.0.0/"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies::parse_list("127.0.0.1 localhost"), std::invalid_argument);
}
