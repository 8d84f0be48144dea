// The public inquiry form (validation, per-address rate limit) and the front desk's queue.
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class InquiryTest : public ApiFixture {
 protected:
  static nlohmann::json valid() {
    return {{"name", "Alex Doe"},
            {"contact", "alex@example.org"},
            {"reason", "depression"},
            {"message", "I would like to know more."}};
  }
  Response submit(const nlohmann::json& b, const std::string& from = "10.0.0.7") {
    Request req = request("POST", "/api/v1/inquiries", b.dump());
    req.remote_address = from;
    return call(req);
  }
  std::string field_of(nlohmann::json b) { return error_field(submit(b)); }
};

TEST_F(InquiryTest, AcceptsAValidInquiryWithoutASession) {
  Response r = submit(valid());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["status"], "new");
  EXPECT_TRUE(body(r)["id"].is_number_integer());
  EXPECT_FALSE(body(r).contains("contact"));  // a receipt, not the record
  nlohmann::json phone = valid();
  phone["contact"] = "+44 (20) 7946-0958";
  phone.erase("message");
  EXPECT_EQ(submit(phone).status, 201);
}

TEST_F(InquiryTest, RefusesBadFieldsNamingThem) {
  auto with = [](const std::string& k, const nlohmann::json& v) {
    nlohmann::json b = valid();
    b[k] = v;
    return b;
  };
  EXPECT_EQ(field_of(with("name", "")), "name");
  EXPECT_EQ(field_of(with("name", "   ")), "name");
  EXPECT_EQ(field_of(with("name", std::string(201, 'x'))), "name");
  EXPECT_EQ(field_of(with("name", "two\nlines")), "name");
  EXPECT_EQ(field_of(with("name", 5)), "name");
  EXPECT_EQ(field_of(with("contact", "not a contact")), "contact");
  EXPECT_EQ(field_of(with("contact", "12345")), "contact");
  EXPECT_EQ(field_of(with("contact", "a@b")), "contact");
  EXPECT_EQ(field_of(with("reason", "anxiety")), "reason");
  EXPECT_EQ(field_of(with("message", std::string(5001, 'm'))), "message");
  EXPECT_EQ(field_of(with("surprise", true)), "surprise");
  nlohmann::json missing = valid();
  missing.erase("reason");
  EXPECT_EQ(field_of(missing), "reason");
  // 200 characters of UTF-8 are 200 characters, not 400 bytes.
  EXPECT_EQ(submit(with("name",
                        [] {
                          std::string s;
                          for (int i = 0; i < 200; ++i) s += "\xC3\xA9";
                          return s;
                        }()))
                .status,
            201);
  Response r = submit(with("reason", "anxiety"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "invalid_input");
}

TEST_F(InquiryTest, RateLimitedPerAddressPerHourInTheDatabase) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(submit(valid()).status, 201);
  Response r = submit(valid());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(error_code(r), "rate_limited");
  EXPECT_EQ(submit(valid(), "10.0.0.8").status, 201);  // another address
  // The limit lives in the database: a second Router (another process) sees it too.
  Router other;
  register_all_routes(other);
  Request req = request("POST", "/api/v1/inquiries", valid().dump());
  EXPECT_EQ(other.dispatch(req, *services_).status, 429);
  now_ms_ += 3'600'001;
  EXPECT_EQ(submit(valid()).status, 201);
}

TEST_F(InquiryTest, QueueIsNewestFirstForTheFrontDeskOnly) {
  Caller desk = make_caller(Role::front_desk);
  for (const char* name : {"First", "Second", "Third"}) {
    nlohmann::json b = valid();
    b["name"] = name;
    ASSERT_EQ(submit(b).status, 201);
    now_ms_ += 1000;
  }
  Response r = call("GET", "/api/v1/inquiries", desk);
  ASSERT_EQ(r.status, 200);
  const auto q = body(r);
  ASSERT_TRUE(q.is_array());
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0]["name"], "Third");
  EXPECT_EQ(q[2]["name"], "First");
  EXPECT_EQ(q[0]["status"], "new");
  EXPECT_EQ(anon("GET", "/api/v1/inquiries").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/inquiries", make_caller(Role::nurse)).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/inquiries", make_caller(Role::admin)).status, 200);
}

TEST_F(InquiryTest, WorkingAnInquiryNeedsIfMatch) {
  Caller desk = make_caller(Role::front_desk);
  const std::int64_t id = body(submit(valid()))["id"];
  const std::string path = "/api/v1/inquiries/" + std::to_string(id);
  Response got = call("GET", path, desk);
  ASSERT_EQ(got.status, 200);
  const std::string etag = header(got, "ETag");
  EXPECT_EQ(etag, "\"1\"");

  Request patch = request("PATCH", path, R"({"status":"contacted","note":"left a voicemail"})");
  Response r = call(patch, &desk);
  EXPECT_EQ(r.status, 428);
  patch.headers["if-match"] = etag;
  r = call(patch, &desk);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["status"], "contacted");
  EXPECT_EQ(header(r, "ETag"), "\"2\"");
  // A second nurse with the old ETag does not overwrite it.
  Request stale = request("PATCH", path, R"({"status":"closed"})");
  stale.headers["if-match"] = etag;
  r = call(stale, &desk);
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(error_code(r), "stale_write");

  Request bad = request("PATCH", path, R"({"status":"lost"})");
  bad.headers["if-match"] = "\"2\"";
  r = call(bad, &desk);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "status");

  Request filter = request("GET", "/api/v1/inquiries");
  filter.query["status"] = "contacted";
  EXPECT_EQ(body(call(filter, &desk)).size(), 1u);
  filter.query["status"] = "new";
  EXPECT_EQ(body(call(filter, &desk)).size(), 0u);
  filter.query["status"] = "bogus";
  EXPECT_EQ(call(filter, &desk).status, 400);

  EXPECT_EQ(call("GET", "/api/v1/inquiries/999", desk).status, 404);
}

}  // namespace
}  // namespace kit::server::testing
