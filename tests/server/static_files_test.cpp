// The web application's static files (server/web/static_files.cpp) and the security headers the
// HTTP layer adds to them (server/http/security_headers.h): safe path resolution, content types,
// cache headers, the client-route fallback and the app's Content-Security-Policy, on a temporary
// folder laid out like web/dist.
#include "server/web/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "server/http/http_server.h"
#include "server/http/security_headers.h"
#include "tests/support/http_client.h"

namespace kit::server {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("kit-static-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "dist";
    write(root_ / "index.html", "<!doctype html><title>KIT</title>");
    write(root_ / "assets" / "index-AbC123.js", "console.log(1)");
    write(root_ / "assets" / "index-AbC123.css", "body{}");
    write(root_ / "favicon.svg", "<svg/>");
    write(root_ / ".env", "SECRET=1");
    write(root_ / ".git" / "config", "[core]");
    write(base_ / "secret.txt", "outside");
    fs::create_directory_symlink(base_, root_ / "escape");
    fs::create_symlink(base_ / "secret.txt", root_ / "secret-link.txt");
  }
  void TearDown() override { fs::remove_all(base_); }

  Response get(const std::string& path, const std::string& method = "GET") const {
    Request req;
    req.method = method;
    req.path = path;
    return StaticFiles(root_).serve(req);
  }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFilesTest, IndexIsServedAsHtmlAndRevalidated) {
  const Response r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<!doctype html><title>KIT</title>");
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  EXPECT_EQ(get("/index.html").body, r.body);
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutableWithTheirContentType) {
  const Response js = get("/assets/index-AbC123.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  const Response css = get("/assets/index-AbC123.css");
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(header(css, "Cache-Control"), "public, max-age=31536000, immutable");
  const Response svg = get("/favicon.svg");
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_EQ(header(svg, "Cache-Control"), "no-cache");  // not hashed: revalidated
}

TEST_F(StaticFilesTest, AppRoutesFallBackToIndexButMissingFilesAre404) {
  for (const char* route : {"/signin", "/desk", "/nurse/board", "/admin/staff/"}) {
    const Response r = get(route);
    EXPECT_EQ(r.status, 200) << route;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << route;
    EXPECT_EQ(r.body, "<!doctype html><title>KIT</title>") << route;
  }
  // A script or asset that is not there must never be answered with HTML.
  for (const char* missing : {"/assets/index-gone.js", "/assets/x", "/robots.txt", "/a/b.png"}) {
    const Response r = get(missing);
    EXPECT_EQ(r.status, 404) << missing;
    EXPECT_EQ(r.content_type, "application/json") << missing;
  }
}

TEST_F(StaticFilesTest, TraversalDotfilesAndSymlinksOutsideAreRefused) {
  for (const char* bad :
       {"/../secret.txt", "/assets/../../secret.txt", "/./index.html", "/.env", "/.git/config",
        "/assets/.hidden", "/escape/secret.txt", "/secret-link.txt", "/assets//index-AbC123.js",
        "/a\\..\\secret.txt", "/C:/x"}) {
    const Response r = get(bad);
    EXPECT_EQ(r.status, 404) << bad;
    EXPECT_EQ(r.body.find("outside"), std::string::npos) << bad;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << bad;
  }
  // A folder is not a file, and a folder's name without an extension is an app route.
  EXPECT_EQ(get("/assets").status, 404);  // under /assets/: never index.html
}

TEST(AcceptsGzip, ReadsTheHeaderAsRfc9110Says) {
  for (const char* yes : {"gzip", "GZIP", "gzip, deflate, br", "br;q=1.0, gzip;q=0.5", "*",
                          " gzip ; q=1", "deflate, *;q=0.1", "x-gzip", "gzip;q=0.001"}) {
    EXPECT_TRUE(accepts_gzip(yes)) << yes;
  }
  for (const char* no : {"", "identity", "br", "gzip;q=0", "gzip;q=0.0", "gzip; q=0.000", "*;q=0",
                         "*, gzip;q=0", "x-gzip-ish", "gzipped", "deflate"}) {
    EXPECT_FALSE(accepts_gzip(no)) << no;
  }
}

TEST_F(StaticFilesTest, OnlyGetAndHead) {
  EXPECT_EQ(get("/", "HEAD").status, 200);
  const Response post = get("/", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(header(post, "Allow"), "GET, HEAD");
  EXPECT_EQ(get("/signin", "DELETE").status, 405);
}

TEST_F(StaticFilesTest, AnUnbuiltAppSaysHowToBuildIt) {
  Request req;
  req.method = "GET";
  req.path = "/";
  const Response r = StaticFiles(base_ / "not-built").serve(req);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("npm run build"), std::string::npos);
  EXPECT_FALSE(StaticFiles(base_ / "not-built").has_index());
  EXPECT_TRUE(StaticFiles(root_).has_index());
}

TEST(ContentTypeTest, ByExtension) {
  EXPECT_EQ(content_type_for("a.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("a.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("a.webmanifest"), "application/manifest+json");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for("a.exe"), "application/octet-stream");
}

TEST(SecurityHeadersTest, HtmlGetsTheAppPolicyEverythingElseTheClosedOne) {
  EXPECT_EQ(content_security_policy_for("text/html; charset=utf-8"),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  EXPECT_EQ(content_security_policy_for("TEXT/HTML"), kAppContentSecurityPolicy);
  EXPECT_EQ(content_security_policy_for("application/json"),
            "default-src 'none'; frame-ancestors 'none'");
  EXPECT_EQ(content_security_policy_for("text/javascript; charset=utf-8"),
            kApiContentSecurityPolicy);
  EXPECT_EQ(content_security_policy_for(""), kApiContentSecurityPolicy);
  // Neither policy lets inline script or style run.
  EXPECT_EQ(std::string(kAppContentSecurityPolicy).find("unsafe"), std::string::npos);
}

// Over a real HttpServer: the headers a browser receives for the page, an asset and the API.
TEST_F(StaticFilesTest, OverHttpThePageCarriesTheAppPolicyAndAssetsKeepTheirCaching) {
  HttpServerOptions opt;
  opt.host = "127.0.0.1";
  opt.port = 0;
  const StaticFiles files(root_);
  auto server = std::make_unique<HttpServer>(opt, [&files](const Request& req) {
    if (req.path.rfind("/api/", 0) == 0) return http_error_response(404, "not_found", "no route");
    return files.serve(req);
  });
  std::thread t([&] { server->run(); });
  const int port = server->port();
  const auto page = test::http_request("127.0.0.1", port, "GET", "/chair/3");
  const auto js = test::http_request("127.0.0.1", port, "GET", "/assets/index-AbC123.js");
  const auto api = test::http_request("127.0.0.1", port, "GET", "/api/v1/nope");
  const auto head = test::http_request("127.0.0.1", port, "HEAD", "/");
  server->stop();
  t.join();

  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-security-policy").value_or(""), kAppContentSecurityPolicy);
  EXPECT_EQ(page.header("cache-control").value_or(""), "no-cache");
  EXPECT_EQ(page.header("x-content-type-options").value_or(""), "nosniff");
  EXPECT_EQ(page.header("x-frame-options").value_or(""), "DENY");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("cache-control").value_or(""), "public, max-age=31536000, immutable");
  EXPECT_EQ(js.header("content-type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.header("content-security-policy").value_or(""), kApiContentSecurityPolicy);
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.header("content-type").value_or(""), "application/json");
  EXPECT_EQ(api.header("cache-control").value_or(""), "no-store");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

}  // namespace
}  // namespace kit::server
