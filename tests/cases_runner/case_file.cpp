#include "tests/cases_runner/case_file.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/common/error_kinds.h"

namespace kit::cases {

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool is_comment(const std::string& trimmed) { return !trimmed.empty() && trimmed[0] == '#'; }

// The first whitespace-separated word of `s`, and the rest (trimmed).
std::pair<std::string, std::string> first_word(const std::string& s) {
  const std::string t = trim(s);
  const auto space = t.find_first_of(" \t");
  if (space == std::string::npos) return {t, ""};
  return {t.substr(0, space), trim(t.substr(space))};
}

bool valid_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

std::string test_name_of(const std::string& area, const std::string& name) {
  std::string out = area + "_";
  for (unsigned char c : name) out.push_back(std::isalnum(c) ? static_cast<char>(c) : '_');
  return out;
}

bool known_kind(const std::string& kind) {
  return std::any_of(kErrorKinds.begin(), kErrorKinds.end(),
                     [&](const ErrorKindInfo& i) { return i.name == kind; });
}

class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

json parse_value(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error&) {
    throw ParseError("not a JSON value: " + text + " (quote strings: \"text\")");
  }
}

std::vector<PathStep> parse_path(const std::string& path) {
  std::vector<PathStep> steps;
  std::size_t pos = 0;
  const std::size_t n = path.size();
  if (n == 0) throw ParseError("empty path");
  for (;;) {
    const std::size_t key_end = path.find_first_of(".[", pos);
    const std::string key =
        path.substr(pos, key_end == std::string::npos ? n - pos : key_end - pos);
    if (!key.empty()) {
      PathStep s;
      s.kind = PathStep::Kind::key;
      s.key = key;
      steps.push_back(std::move(s));
    }
    pos = key_end == std::string::npos ? n : key_end;
    if (key.empty() && (pos >= n || path[pos] != '[')) throw ParseError("empty key in " + path);
    while (pos < n && path[pos] == '[') {
      const std::size_t close = path.find(']', pos);
      if (close == std::string::npos) throw ParseError("unclosed [ in " + path);
      const std::string inner = path.substr(pos + 1, close - pos - 1);
      PathStep s;
      if (!inner.empty() && std::all_of(inner.begin(), inner.end(),
                                        [](unsigned char c) { return std::isdigit(c); })) {
        s.kind = PathStep::Kind::index;
        s.index = std::stoul(inner);
      } else {
        s.kind = PathStep::Kind::select;
        std::stringstream ss(inner);
        std::string cond;
        while (std::getline(ss, cond, ',')) {
          const auto eq = cond.find('=');
          if (eq == std::string::npos || eq == 0) {
            throw ParseError("selector [" + inner + "] needs key=value conditions");
          }
          std::string value = trim(cond.substr(eq + 1));
          if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = parse_value(value).get<std::string>();  // [anchor=""]: a quoted string
          }
          s.conditions.emplace_back(trim(cond.substr(0, eq)), std::move(value));
        }
        if (s.conditions.empty()) throw ParseError("empty selector in " + path);
      }
      steps.push_back(std::move(s));
      pos = close + 1;
    }
    if (pos >= n) break;
    if (path[pos] != '.') throw ParseError("expected . after ] in " + path);
    ++pos;
  }
  return steps;
}

Expectation parse_expectation(const std::string& line, int line_no) {
  Expectation e;
  e.line = line_no;
  e.text = line;
  auto [path, rest] = first_word(line);
  e.path = path;
  e.steps = parse_path(path);
  auto [op, value] = first_word(rest);
  if (op == "absent" || op == "exists") {
    if (!value.empty()) throw ParseError("nothing may follow " + op);
    e.op = op == "absent" ? Expectation::Op::absent : Expectation::Op::exists;
    return e;
  }
  if (op == "contains" || op == "excludes") {
    e.op = op == "contains" ? Expectation::Op::contains : Expectation::Op::excludes;
    e.value = parse_value(value);
    return e;
  }
  if (op == "length") {
    auto [eq, n] = first_word(value);
    if (eq != "=") throw ParseError("write: <path> length = <n>");
    e.op = Expectation::Op::length;
    e.value = parse_value(n);
    if (!e.value.is_number_unsigned()) throw ParseError("length must be a whole number");
    return e;
  }
  if (op == "=" || op == "!=") {
    e.op = op == "=" ? Expectation::Op::equals : Expectation::Op::not_equals;
    const auto tilde = value.rfind(" ~ ");
    if (tilde != std::string::npos && e.op == Expectation::Op::equals) {
      const json tol = parse_value(trim(value.substr(tilde + 3)));
      if (!tol.is_number() || tol.get<double>() < 0) {
        throw ParseError("the tolerance after ~ must be a number >= 0");
      }
      e.tolerance = tol.get<double>();
      e.value = parse_value(trim(value.substr(0, tilde)));
      if (!e.value.is_number()) throw ParseError("a tolerance needs a number to compare");
    } else {
      e.value = parse_value(value);
    }
    return e;
  }
  throw ParseError(
      "expected `<path> = <value>`, `!=`, `absent`, `exists`, `contains`, "
      "`excludes`, `length =`, `error <kind> <field>` or `exit 3`: " +
      line);
}

ExpectedError parse_error_line(const std::string& rest) {
  ExpectedError err;
  auto [kind, after] = first_word(rest);
  if (!known_kind(kind)) {
    throw ParseError("unknown error kind '" + kind + "' (see core/common/error_kinds.h)");
  }
  err.kind = kind;
  if (!after.empty() && after[0] != '"') {
    auto [field, tail] = first_word(after);
    err.field = field;
    after = tail;
  }
  if (!after.empty()) {
    const json m = parse_value(after);
    if (!m.is_string()) throw ParseError("the message part must be a quoted string");
    err.message = m.get<std::string>();
  }
  return err;
}

bool numbers_equal(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

std::string shown(const json* v) { return v == nullptr ? "(absent)" : v->dump(); }

}  // namespace

const std::vector<std::string>& known_commands() {
  static const std::vector<std::string> commands = {"dose",   "score",     "outcome", "screen",
                                                    "vitals", "discharge", "mme"};
  return commands;
}

LoadResult parse_cases(const std::string& text, const std::string& file, const std::string& area) {
  std::vector<std::string> lines;
  {
    std::stringstream ss(text);
    std::string l;
    while (std::getline(ss, l)) lines.push_back(l);
  }
  LoadResult out;
  std::map<std::string, json> templates;
  std::set<std::string> names;
  std::size_t i = 0;
  const std::size_t n = lines.size();
  auto where = [&](std::size_t at) { return file + ":" + std::to_string(at + 1) + ": "; };
  auto starts_record = [](const std::string& t) {
    return starts_with(t, "case ") || starts_with(t, "template ");
  };

  while (i < n) {
    const std::string t = trim(lines[i]);
    if (t.empty() || is_comment(t)) {
      ++i;
      continue;
    }
    const std::size_t record_line = i;
    try {
      if (starts_with(t, "template ")) {
        const std::string name = trim(t.substr(9));
        if (!valid_name(name)) throw ParseError("template name must be letters, digits, - _ .");
        if (templates.count(name)) throw ParseError("template '" + name + "' defined twice");
        std::string body;
        ++i;
        while (i < n && !trim(lines[i]).empty()) {
          if (!is_comment(trim(lines[i]))) body += lines[i] + "\n";
          ++i;
        }
        json value;
        try {
          value = json::parse(body);
        } catch (const json::parse_error& e) {
          throw ParseError("template '" + name + "' is not valid JSON: " + e.what());
        }
        if (!value.is_object()) throw ParseError("template '" + name + "' must be a JSON object");
        templates[name] = std::move(value);
        continue;
      }
      if (!starts_with(t, "case ")) {
        throw ParseError("expected `case <name>` or `template <name>`, got: " + t);
      }
      Case c;
      c.area = area;
      c.file = file;
      c.line = static_cast<int>(i + 1);
      c.name = trim(t.substr(5));
      if (!valid_name(c.name)) throw ParseError("case name must be letters, digits, - _ .");
      if (!names.insert(c.name).second) throw ParseError("case '" + c.name + "' named twice");
      c.test_name = test_name_of(area, c.name);
      ++i;
      // source: lines (one at least).
      while (i < n && (trim(lines[i]).empty() || is_comment(trim(lines[i])))) {
        if (trim(lines[i]).empty()) throw ParseError("case '" + c.name + "' has no source: line");
        ++i;
      }
      while (i < n && starts_with(trim(lines[i]), "source:")) {
        const std::string s = trim(trim(lines[i]).substr(7));
        if (s.empty()) throw ParseError("empty source: line");
        c.source += (c.source.empty() ? "" : "; ") + s;
        ++i;
      }
      if (c.source.empty()) throw ParseError("case '" + c.name + "' has no source: line");
      while (i < n && is_comment(trim(lines[i]))) ++i;
      if (i >= n || trim(lines[i]).empty())
        throw ParseError("case '" + c.name + "' has no command");
      // The command, optionally with the template the request patches.
      const auto [command, tmpl] = first_word(lines[i]);
      const auto& commands = known_commands();
      if (std::find(commands.begin(), commands.end(), command) == commands.end()) {
        throw ParseError("unknown command '" + command + "'");
      }
      c.command = command;
      if (tmpl.find_first_of(" \t") != std::string::npos) {
        throw ParseError("write the command and at most one template name on its line");
      }
      ++i;
      std::string request;
      bool separated = false;
      while (i < n) {
        const std::string r = trim(lines[i]);
        if (r == "----") {
          separated = true;
          ++i;
          break;
        }
        if (starts_record(r)) break;
        if (!is_comment(r)) request += lines[i] + "\n";
        ++i;
      }
      if (!separated)
        throw ParseError("case '" + c.name + "': the request needs a ---- line after it");
      request = trim(request);
      while (!request.empty() && (request.back() == '\n')) request.pop_back();
      if (!tmpl.empty()) {
        auto it = templates.find(tmpl);
        if (it == templates.end()) throw ParseError("unknown template '" + tmpl + "'");
        json patch = json::object();
        if (!request.empty()) {
          try {
            patch = json::parse(request);
          } catch (const json::parse_error& e) {
            throw ParseError("the patch of case '" + c.name + "' is not valid JSON: " + e.what());
          }
        }
        json merged = it->second;
        merged.merge_patch(patch);
        c.request = merged.dump();
      } else {
        if (request.empty()) throw ParseError("case '" + c.name + "' has no request");
        c.request = request;
      }
      // Expectations, up to a blank line or the next record.
      while (i < n) {
        const std::string e = trim(lines[i]);
        if (e.empty() || starts_record(e)) break;
        if (is_comment(e)) {
          ++i;
          continue;
        }
        try {
          if (starts_with(e, "error ")) {
            if (c.error) throw ParseError("one error line per case");
            c.error = parse_error_line(e.substr(6));
          } else if (starts_with(e, "exit ")) {
            const std::string code = trim(e.substr(5));
            if (code == "3") {
              c.refused = true;
            } else if (code != "0") {
              throw ParseError("`exit 3` (a refusal with JSON) or `exit 0`; errors use `error`");
            }
          } else {
            c.expectations.push_back(parse_expectation(e, static_cast<int>(i + 1)));
          }
        } catch (const ParseError& err) {
          throw ParseError("line " + std::to_string(i + 1) + ": " + err.what());
        }
        ++i;
      }
      if (c.error && (c.refused || !c.expectations.empty())) {
        throw ParseError("case '" + c.name + "': an error case has no other expectations");
      }
      if (!c.error && c.expectations.empty()) {
        throw ParseError("case '" + c.name + "' expects nothing");
      }
      out.cases.push_back(std::move(c));
    } catch (const ParseError& err) {
      out.errors.push_back(where(record_line) + err.what());
      // Resynchronise at the next blank line.
      while (i < n && !trim(lines[i]).empty()) ++i;
    }
  }
  return out;
}

LoadResult load_case_dir(const std::string& dir) {
  LoadResult all;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".cases") files.push_back(entry.path());
  }
  if (ec) all.errors.push_back(dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::set<std::string> test_names;
  for (const auto& path : files) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string shown_path = "tests/cases/" + path.filename().string();
    LoadResult one = parse_cases(ss.str(), shown_path, path.stem().string());
    for (auto& e : one.errors) all.errors.push_back(std::move(e));
    for (auto& c : one.cases) {
      if (!test_names.insert(c.test_name).second) {
        all.errors.push_back(c.file + ":" + std::to_string(c.line) + ": test name " + c.test_name +
                             " is used twice");
        continue;
      }
      all.cases.push_back(std::move(c));
    }
  }
  return all;
}

const json* resolve(const json& root, const std::vector<PathStep>& steps) {
  const json* cur = &root;
  for (const PathStep& s : steps) {
    switch (s.kind) {
      case PathStep::Kind::key: {
        if (!cur->is_object()) return nullptr;
        auto it = cur->find(s.key);
        if (it == cur->end()) return nullptr;
        cur = &*it;
        break;
      }
      case PathStep::Kind::index:
        if (!cur->is_array() || s.index >= cur->size()) return nullptr;
        cur = &(*cur)[s.index];
        break;
      case PathStep::Kind::select: {
        if (!cur->is_array()) return nullptr;
        const json* found = nullptr;
        for (const json& element : *cur) {
          if (!element.is_object()) continue;
          const bool all =
              std::all_of(s.conditions.begin(), s.conditions.end(), [&](const auto& cond) {
                auto it = element.find(cond.first);
                if (it == element.end()) return false;
                return it->is_string() ? it->template get<std::string>() == cond.second
                                       : it->dump() == cond.second;
              });
          if (all) {
            found = &element;
            break;
          }
        }
        if (found == nullptr) return nullptr;
        cur = found;
        break;
      }
    }
  }
  return cur;
}

std::string check(const Expectation& e, const json& answer) {
  const json* actual = resolve(answer, e.steps);
  const std::string head = "line " + std::to_string(e.line) + " `" + e.text + "`: ";
  switch (e.op) {
    case Expectation::Op::absent:
      return actual == nullptr ? "" : head + "present: " + actual->dump();
    case Expectation::Op::exists:
      return actual != nullptr ? "" : head + "absent";
    case Expectation::Op::equals:
      if (actual == nullptr) return head + "absent";
      if (e.tolerance) {
        if (!actual->is_number()) return head + "not a number: " + actual->dump();
        const double diff = std::fabs(actual->get<double>() - e.value.get<double>());
        return diff <= *e.tolerance ? "" : head + "got " + actual->dump();
      }
      return numbers_equal(*actual, e.value) ? "" : head + "got " + actual->dump();
    case Expectation::Op::not_equals:
      if (actual == nullptr) return head + "absent";
      return numbers_equal(*actual, e.value) ? head + "got " + actual->dump() : "";
    case Expectation::Op::contains:
    case Expectation::Op::excludes: {
      if (actual == nullptr) return head + "absent";
      bool has = false;
      if (actual->is_array()) {
        has = std::any_of(actual->begin(), actual->end(),
                          [&](const json& x) { return numbers_equal(x, e.value); });
      } else if (actual->is_string() && e.value.is_string()) {
        has = actual->get<std::string>().find(e.value.get<std::string>()) != std::string::npos;
      } else {
        return head + "neither an array nor a string: " + actual->dump();
      }
      const bool want = e.op == Expectation::Op::contains;
      return has == want ? "" : head + "got " + shown(actual);
    }
    case Expectation::Op::length: {
      if (actual == nullptr) return head + "absent";
      if (!actual->is_array() && !actual->is_object() && !actual->is_string()) {
        return head + "has no length: " + actual->dump();
      }
      const std::size_t size =
          actual->is_string() ? actual->get<std::string>().size() : actual->size();
      return size == e.value.get<std::size_t>()
                 ? ""
                 : head + "length " + std::to_string(size) + ": " + actual->dump();
    }
  }
  return head + "unknown operation";
}

}  // namespace kit::cases
