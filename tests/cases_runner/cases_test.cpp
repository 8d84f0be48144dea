// Replays every clinical case in tests/cases/*.cases through three doors and checks the same
// expectations on each, so the contract, the CLI and the HTTP API cannot drift:
//   contract: kit::contract::handle_* called in-process;
//   cli:      the real `kit <command>` with the request on stdin (exit code from the error table);
//   http:     POST /api/v1/calculators/<command> through Router::dispatch with a logged-in
//             physician (the real router, authentication and error mapping; no sockets).
// The three answers must also be the same JSON. The format is described in tests/cases/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "contract/dosing_api.h"
#include "contract/instruments_api.h"
#include "contract/json_reader.h"
#include "contract/mme_api.h"
#include "contract/safety_api.h"
#include "contract/screening_api.h"
#include "core/common/error.h"
#include "core/common/error_kinds.h"
#include "core/dosing/drug_library.h"
#include "core/instruments/instrument.h"
#include "core/opioids/mme.h"
#include "core/safety/aldrete.h"
#include "core/safety/rcem.h"
#include "core/screening/rules.h"
#include "server/api/auth.h"
#include "server/api/router.h"
#include "server/api/services.h"
#include "storage/database.h"
#include "tests/cases_runner/case_file.h"
#include "tests/support/run_process.h"

namespace kit::cases {

// How GoogleTest shows a case (instead of its bytes).
void PrintTo(const Case& c, std::ostream* os) { *os << c.file << ":" << c.line << " " << c.name; }

namespace {

const LoadResult& all_cases() {
  static const LoadResult loaded = load_case_dir(std::string(KIT_SOURCE_DIR) + "/tests/cases");
  return loaded;
}

const ErrorKindInfo* kind_info(const std::string& name) {
  for (const ErrorKindInfo& i : kErrorKinds) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

std::string shorten(const std::string& s, std::size_t max = 400) {
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

// What one door answered: an answer (possibly a refusal that still carries JSON) or an error.
struct DoorAnswer {
  std::string door;
  std::optional<json> body;
  bool refused = false;
  bool errored = false;
  std::string kind, field, message;   // contract and http errors
  int exit_code = 0;                  // cli
  std::string out, err;               // cli
  std::vector<std::string> problems;  // the door broke its own contract (shape, status, stderr)
};

// ---- Door 1: the contract, in-process ------------------------------------------------------

struct Calculated {
  json body;
  bool refused = false;
};

Calculated calculate(const std::string& command, const json& request) {
  if (command == "dose") {
    contract::DoseResponse d = contract::handle_dose(request);
    return {std::move(d.body), !d.accepted};
  }
  if (command == "score") return {contract::handle_score(request)};
  if (command == "outcome") return {contract::handle_outcome(request)};
  if (command == "screen") {
    json body = contract::handle_screen(request);
    const bool refused = contract::screen_refused(body);
    return {std::move(body), refused};
  }
  if (command == "vitals") return {contract::handle_vitals(request)};
  if (command == "discharge") {
    json body = contract::handle_discharge(request);
    const bool refused = !body.at("ready_for_discharge").get<bool>();
    return {std::move(body), refused};
  }
  if (command == "mme") return {contract::handle_mme(request)};
  throw std::logic_error("no contract handler for " + command);
}

DoorAnswer contract_door(const Case& c) {
  DoorAnswer a;
  a.door = "contract";
  auto error = [&a](std::string_view kind, const std::string& field, const std::string& message) {
    a.errored = true;
    a.kind = std::string(kind);
    a.field = field;
    a.message = message;
  };
  try {
    Calculated r = calculate(c.command, contract::parse_request(c.request));
    a.body = std::move(r.body);
    a.refused = r.refused;
  } catch (const kit::Error& e) {
    error(info(e.kind()).name, e.field(), e.message());
  } catch (const nlohmann::json::exception& e) {
    error("invalid_input", "input", e.what());  // what the CLI and the route make of it
  } catch (const std::exception& e) {
    error("internal", "", e.what());
  }
  return a;
}

// ---- Door 2: the kit binary ----------------------------------------------------------------

DoorAnswer cli_door(const Case& c) {
  DoorAnswer a;
  a.door = "cli";
  const test::ProcessResult r = test::run_kit({c.command}, c.request);
  a.exit_code = r.exit_code;
  a.out = r.out;
  a.err = r.err;
  const int refused_code = info(ErrorKind::rule_refused).exit_code;
  if (r.exit_code == 0 || (r.exit_code == refused_code && !r.out.empty())) {
    try {
      a.body = json::parse(r.out);
    } catch (const json::parse_error&) {
      a.problems.push_back("stdout is not JSON: " + shorten(r.out));
      return a;
    }
    a.refused = r.exit_code != 0;
    if (!r.err.empty()) a.problems.push_back("stderr is not empty: " + shorten(r.err));
    return a;
  }
  a.errored = true;
  return a;
}

// ---- Door 3: the HTTP route, through the real router ---------------------------------------

class HttpDoor {
 public:
  HttpDoor() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("kit-cases-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    db_ = storage::open_database("", dir_);
    services_ = std::make_unique<server::Services>(*db_, server::ServerConfig{});
    server::register_all_routes(router_);
  }
  ~HttpDoor() {
    services_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  HttpDoor(const HttpDoor&) = delete;
  HttpDoor& operator=(const HttpDoor&) = delete;

  // POSTs `body` as a logged-in user of `role` (nullopt: anonymous).
  server::Response post(const std::string& path, const std::string& body,
                        std::optional<server::Role> role = server::Role::physician) {
    server::Request req;
    req.method = "POST";
    req.path = path;
    req.body = body;
    req.headers["content-type"] = "application/json";
    req.remote_address = "10.0.0.9";
    if (role) req.headers["authorization"] = "Bearer " + token(*role);
    return router_.dispatch(req, *services_);
  }

 private:
  // A user of `role` with an open session, as tests/server/api_fixture.h makes them: the account
  // has no usable password (ctest runs every case in a process of its own, and Argon2id is slow
  // on purpose); the router still authenticates every request by its session token.
  const std::string& token(server::Role role) {
    const std::string name = "cases-" + std::string(server::role_name(role));
    auto it = tokens_.find(name);
    if (it != tokens_.end()) return it->second;
    const std::string fresh = server::random_token(32);
    const std::int64_t now = services_->now_ms();
    storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      const std::int64_t user_id =
          tx.query(
                "INSERT INTO users (username, password_hash, role, patient_id, disabled, "
                "created_at_ms, updated_at_ms, version) VALUES ($1, '-', $2, NULL, 0, $3, $3, 1) "
                "RETURNING id",
                {name, std::string(server::role_name(role)), now})
              .front()
              .i64("id");
      tx.exec(
          "INSERT INTO logins (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms, "
          "expires_at_ms, remote_address) VALUES ($1, $2, $3, $4, $4, $5, '127.0.0.1')",
          {server::sha256_hex(fresh), user_id, server::random_token(32), now, now + 3'600'000});
    });
    return tokens_.emplace(name, fresh).first->second;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<server::Services> services_;
  server::Router router_;
  std::map<std::string, std::string> tokens_;
};

HttpDoor& http() {
  static HttpDoor door;
  return door;
}

std::string route_of(const std::string& command) { return "/api/v1/calculators/" + command; }

DoorAnswer http_door(const Case& c) {
  DoorAnswer a;
  a.door = "http";
  const server::Response r = http().post(route_of(c.command), c.request);
  if (r.content_type != "application/json") {
    a.problems.push_back("content type " + r.content_type);
  }
  json body;
  try {
    body = json::parse(r.body);
  } catch (const json::parse_error&) {
    a.problems.push_back("status " + std::to_string(r.status) +
                         ", body not JSON: " + shorten(r.body));
    return a;
  }
  if (body.is_object() && body.size() == 1 && body.contains("error")) {
    a.errored = true;
    const json& e = body["error"];
    a.kind = e.value("kind", "");
    a.field = e.value("field", "");
    a.message = e.value("message", "");
    if (!e.contains("code") || !e["code"].is_string()) a.problems.push_back("error without code");
    if (e.contains("field") && a.field.empty()) a.problems.push_back("empty error.field");
    const ErrorKindInfo* k = kind_info(a.kind);
    if (k == nullptr) {
      a.problems.push_back("unknown error kind " + a.kind);
    } else if (k->http_status != r.status) {
      a.problems.push_back("status " + std::to_string(r.status) + " for kind " + a.kind +
                           ", the table says " + std::to_string(k->http_status));
    }
    return a;
  }
  a.body = std::move(body);
  if (r.status == info(ErrorKind::rule_refused).http_status) {
    a.refused = true;
  } else if (r.status != 200) {
    a.problems.push_back("status " + std::to_string(r.status) + " with an answer");
  }
  return a;
}

// ---- The same checks on every door ---------------------------------------------------------

std::string describe_error(const DoorAnswer& a) {
  if (a.door == "cli") {
    return "exit " + std::to_string(a.exit_code) + ", stderr: " + shorten(a.err) +
           (a.out.empty() ? "" : ", stdout: " + shorten(a.out));
  }
  return "error " + a.kind + " " + a.field + ": " + a.message;
}

std::vector<std::string> check_door(const Case& c, const DoorAnswer& a) {
  std::vector<std::string> problems = a.problems;
  if (!problems.empty() && !a.errored && !a.body) return problems;
  if (c.error) {
    const ExpectedError& want = *c.error;
    if (!a.errored) {
      problems.push_back("expected error " + want.kind + " " + want.field + ", got " +
                         (a.refused ? "a refusal: " : "an answer: ") + shorten(a.body->dump()));
      return problems;
    }
    if (a.door == "cli") {
      const ErrorKindInfo* k = kind_info(want.kind);
      if (a.exit_code != k->exit_code) {
        problems.push_back("exit " + std::to_string(a.exit_code) + ", the table says " +
                           std::to_string(k->exit_code) + " for " + want.kind +
                           " (stderr: " + shorten(a.err) + ")");
      }
      if (!a.out.empty()) problems.push_back("stdout is not empty: " + shorten(a.out));
      if (a.err.empty() || a.err.back() != '\n' ||
          std::count(a.err.begin(), a.err.end(), '\n') != 1) {
        problems.push_back("stderr is not one line: " + shorten(a.err));
      }
      // InputError prints "error: <field>: <reason>"; other kinds print their message.
      const std::string prefix = want.kind == "invalid_input" && !want.field.empty()
                                     ? "error: " + want.field + ": "
                                     : "error: ";
      if (a.err.rfind(prefix, 0) != 0) {
        problems.push_back("stderr does not start with '" + prefix + "': " + shorten(a.err));
      }
      if (!want.message.empty() && a.err.find(want.message) == std::string::npos) {
        problems.push_back("stderr lacks \"" + want.message + "\": " + shorten(a.err));
      }
      return problems;
    }
    if (a.kind != want.kind || a.field != want.field) {
      problems.push_back("expected error " + want.kind + " " + want.field + ", got " +
                         describe_error(a));
    }
    if (!want.message.empty() && a.message.find(want.message) == std::string::npos) {
      problems.push_back("message lacks \"" + want.message + "\": " + a.message);
    }
    return problems;
  }
  if (a.errored) {
    problems.push_back("expected an answer, got " + describe_error(a));
    return problems;
  }
  if (a.refused != c.refused) {
    problems.push_back(c.refused ? "expected a refusal (exit 3 / 422), got an accepted answer"
                                 : "expected an accepted answer, got a refusal (exit 3 / 422)");
  }
  for (const Expectation& e : c.expectations) {
    std::string m = check(e, *a.body);
    if (!m.empty()) problems.push_back(std::move(m));
  }
  return problems;
}

class ClinicalCase : public ::testing::TestWithParam<Case> {};

TEST_P(ClinicalCase, SameAnswerThroughEveryDoor) {
  const Case& c = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": case " + c.name +
               " (source: " + c.source + ")");
  const DoorAnswer doors[] = {contract_door(c), cli_door(c), http_door(c)};
  for (const DoorAnswer& a : doors) {
    for (const std::string& p : check_door(c, a)) ADD_FAILURE() << "[" << a.door << "] " << p;
  }
  // Not only the checked fields: the whole answer is the same JSON at every door.
  const DoorAnswer& reference = doors[0];
  for (const DoorAnswer& a : {doors[1], doors[2]}) {
    if (reference.body && a.body && *reference.body != *a.body) {
      ADD_FAILURE() << "[" << a.door << "] answer differs from the contract's: "
                    << shorten(json::diff(*reference.body, *a.body).dump(), 2000);
    }
    if (reference.errored && a.errored && a.door == "http" &&
        (a.kind != reference.kind || a.field != reference.field ||
         a.message != reference.message)) {
      ADD_FAILURE() << "[http] error differs from the contract's: " << describe_error(a) << " vs "
                    << describe_error(reference);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ClinicalCase, ::testing::ValuesIn(all_cases().cases),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.test_name; });

// ---- The case files themselves -------------------------------------------------------------

TEST(CaseFiles, ParseWithoutErrors) {
  for (const std::string& e : all_cases().errors) ADD_FAILURE() << e;
}

TEST(CaseFiles, EveryAreaHasCasesAndEveryCaseCitesASource) {
  const std::vector<std::string> areas = {"dosing", "screening", "instruments", "outcomes",
                                          "vitals", "discharge", "mme"};
  for (const std::string& area : areas) {
    const auto n = std::count_if(all_cases().cases.begin(), all_cases().cases.end(),
                                 [&](const Case& c) { return c.area == area; });
    EXPECT_GT(n, 0) << "tests/cases/" << area << ".cases has no case";
  }
  EXPECT_GE(all_cases().cases.size(), 150u);
  for (const Case& c : all_cases().cases) EXPECT_FALSE(c.source.empty()) << c.name;
}

// Cases with an answer (not an error) of `command`, with their parsed requests.
std::vector<std::pair<const Case*, json>> answered(const std::string& command) {
  std::vector<std::pair<const Case*, json>> out;
  for (const Case& c : all_cases().cases) {
    if (c.command != command || c.error) continue;
    out.emplace_back(&c, json::parse(c.request));
  }
  return out;
}

TEST(CaseFiles, EveryBuiltInProtocolHasADoseCase) {
  const auto cases = answered("dose");
  for (const dosing::Protocol& p : dosing::builtin_library().protocols()) {
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(),
                            [&](const auto& c) { return c.second.value("protocol", "") == p.id; }))
        << p.id << " has no case in tests/cases/dosing.cases";
  }
}

TEST(CaseFiles, EveryContraindicationRuleHasAScreeningCase) {
  for (const screening::Rule& rule : screening::contraindication_rules()) {
    const std::string selector = "[rule=" + std::string(rule.id) + "]";
    bool found = false;
    for (const Case& c : all_cases().cases) {
      if (c.command != "screen") continue;
      for (const Expectation& e : c.expectations) {
        if (e.path.find(selector) != std::string::npos) found = true;
      }
    }
    EXPECT_TRUE(found) << rule.id << " is named by no case in tests/cases/screening.cases";
  }
}

TEST(CaseFiles, EveryInstrumentIsScoredAndEveryCdcFactorIsUsed) {
  const auto scores = answered("score");
  for (const auto& d : instruments::all_instruments()) {
    EXPECT_TRUE(
        std::any_of(scores.begin(), scores.end(),
                    [&](const auto& c) { return c.second.value("instrument", "") == d.id; }))
        << d.id << " has no case in tests/cases/instruments.cases";
  }
  const auto mme = answered("mme");
  for (const opioids::ConversionFactor& f : opioids::cdc_2022_factors()) {
    const bool used = std::any_of(mme.begin(), mme.end(), [&](const auto& c) {
      for (const json& m : c.second.value("medications", json::array())) {
        if (m.value("drug", "") == f.drug && m.value("route", "") == f.route) return true;
      }
      return false;
    });
    EXPECT_TRUE(used) << f.drug << " " << f.route << " has no case in tests/cases/mme.cases";
  }
}

TEST(CaseFiles, EveryAldreteRuleAndRcemCriterionHasADischargeCase) {
  const auto cases = answered("discharge");
  for (const safety::AldreteRule& rule : safety::aldrete_rules()) {
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(),
                            [&](const auto& c) { return c.second.value("rule", "") == rule.id; }))
        << rule.id << " has no case in tests/cases/discharge.cases";
  }
  for (const safety::RcemCriterion& criterion : safety::rcem_criteria()) {
    const std::string id(criterion.id);
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(),
                            [&](const auto& c) {
                              const json& rcem = c.second.value("rcem", json::object());
                              return rcem.contains(id) && rcem[id] == false;
                            }))
        << "no case in tests/cases/discharge.cases leaves " << id << " unmet";
  }
}

// ---- The calculator routes: who may call them ----------------------------------------------

TEST(CalculatorRoutes, PhysiciansAndNursesOnly) {
  using server::Role;
  const std::string body = R"({"sbp_mmhg":130,"dbp_mmhg":80})";
  for (const std::string& command : known_commands()) {
    SCOPED_TRACE(command);
    const std::string path = route_of(command);
    EXPECT_EQ(http().post(path, body, std::nullopt).status, 401);
    EXPECT_EQ(http().post(path, body, Role::front_desk).status, 403);
    EXPECT_EQ(http().post(path, body, Role::admin).status, 403);
  }
  EXPECT_EQ(http().post(route_of("vitals"), body, Role::nurse).status, 200);
  EXPECT_EQ(http().post(route_of("vitals"), body, Role::physician).status, 200);
}

}  // namespace
}  // namespace kit::cases
