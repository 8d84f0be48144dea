#include "server/api/audit_anchor.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>

#include "server/api/services.h"

namespace kit::server {

namespace {

constexpr const char* kReasonFileMissing = "start_anchor_file_missing";

static_assert(sizeof(AnchorKey::bytes) == crypto_auth_KEYBYTES);

std::string hex(const unsigned char* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

bool from_hex(const std::string& text, unsigned char* out, std::size_t n) {
  std::size_t len = 0;
  return sodium_hex2bin(out, n, text.data(), text.size(), nullptr, &len, nullptr) == 0 && len == n;
}

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json opt(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// What the HMAC covers: every field of the line but the MAC, in a fixed order, ASCII JSON.
std::string signed_text(const AnchorLine& l) {
  const nlohmann::json a =
      nlohmann::json::array({"kit-audit-anchor", 1, l.kind, l.seq, l.hash, l.at_ms, l.by, l.reason,
                             opt(l.replaced_seq), l.replaced_hash, l.note});
  return a.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::string mac_of(const AnchorLine& l, const AnchorKey& key) {
  const std::string text = signed_text(l);
  unsigned char mac[crypto_auth_BYTES];
  crypto_auth(mac, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
              key.bytes.data());
  return hex(mac, sizeof mac);
}

bool mac_matches(const AnchorLine& l, const std::string& mac_hex, const AnchorKey& key) {
  unsigned char mac[crypto_auth_BYTES];
  if (!from_hex(mac_hex, mac, sizeof mac)) return false;
  const std::string text = signed_text(l);
  return crypto_auth_verify(mac, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                            key.bytes.data()) == 0;
}

// A whole number within int64 (anchor lines hold no other numbers). nlohmann's get<std::int64_t>
// would convert 1.5 or 1e300 (undefined behaviour beyond the range) and wrap 2^64 - 1.
std::int64_t whole_number(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw std::out_of_range("anchor line: a number beyond int64");
    }
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  throw std::out_of_range("anchor line: not a whole number");
}

std::optional<AnchorLine> parse_line(const std::string& text, std::string& mac) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    if (whole_number(j.at("v")) != 1) return std::nullopt;
    AnchorLine l;
    l.kind = j.at("kind").get<std::string>();
    l.seq = whole_number(j.at("seq"));
    l.hash = j.at("hash").get<std::string>();
    l.at_ms = whole_number(j.at("at_ms"));
    l.by = j.at("by").get<std::string>();
    l.reason = j.at("reason").get<std::string>();
    if (j.contains("replaced_seq") && !j["replaced_seq"].is_null()) {
      l.replaced_seq = whole_number(j["replaced_seq"]);
    }
    l.replaced_hash = j.value("replaced_hash", std::string());
    l.note = j.value("note", std::string());
    mac = j.at("mac").get<std::string>();
    if (l.kind != "head" && l.kind != "restore") return std::nullopt;
    return l;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  } catch (const std::out_of_range&) {
    return std::nullopt;
  }
}

void fail(AnchorCheck& c, std::string code, std::string message,
          std::optional<std::int64_t> line = std::nullopt,
          std::optional<std::int64_t> seq = std::nullopt) {
  if (!c.ok) return;  // the first problem is the one reported
  c.ok = false;
  c.problem_code = std::move(code);
  c.problem = std::move(message);
  c.line = line;
  c.seq = seq;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The key

std::optional<AnchorKey> load_anchor_key(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    if (!std::filesystem::exists(file)) return std::nullopt;
    throw std::runtime_error("cannot read the anchor key " + file.string());
  }
  std::string text;
  in >> text;
  AnchorKey key;
  if (!from_hex(text, key.bytes.data(), key.bytes.size())) {
    throw std::runtime_error("the anchor key " + file.string() + " is not 64 hex digits");
  }
  return key;
}

AnchorKey load_or_create_anchor_key(const std::filesystem::path& file) {
  ensure_sodium();
  if (auto key = load_anchor_key(file)) return *key;
  // Written in full to a private temporary file, then linked into place: link(2) fails if the key
  // appeared meanwhile (another process), so a half-written key is never read and both processes
  // end up with the one that won.
  AnchorKey fresh;
  randombytes_buf(fresh.bytes.data(), fresh.bytes.size());
  const std::string text = hex(fresh.bytes.data(), fresh.bytes.size()) + "\n";
  const std::filesystem::path tmp = file.string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                    std::to_string(randombytes_random());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create the anchor key " + file.string());
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write the anchor key " + file.string());
  }
  const int linked = ::link(tmp.c_str(), file.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    throw std::runtime_error("cannot create the anchor key " + file.string() + ": " +
                             std::strerror(link_errno));
  }
  if (auto key = load_anchor_key(file)) return *key;
  throw std::runtime_error("the anchor key " + file.string() + " vanished");
}

// ---------------------------------------------------------------------------------------------
// Lines

std::string signed_anchor_line(const AnchorLine& l, const AnchorKey& key) {
  ensure_sodium();
  nlohmann::json j = {{"v", 1},         {"kind", l.kind},    {"seq", l.seq},
                      {"hash", l.hash}, {"at_ms", l.at_ms},  {"at", iso8601_ms(l.at_ms)},
                      {"by", l.by},     {"reason", l.reason}};
  if (l.kind == "restore") {
    j["replaced_seq"] = opt(l.replaced_seq);
    j["replaced_hash"] = l.replaced_hash;
    j["note"] = l.note;
  }
  j["mac"] = mac_of(l, key);
  return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
}

void append_anchor_line(const std::filesystem::path& file, const std::string& text) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("cannot open the anchor file " + file.string() + ": " +
                             std::strerror(errno));
  }
  // One write per line: with O_APPEND the kernel positions it at the end, so lines of several
  // processes never interleave.
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int write_errno = n < 0 ? errno : ENOSPC;  // a short write: the disk filled up
  const bool synced = n == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  // Part of a line that did not fit (a full disk) is cut back off, so the next line does not
  // start on the torn one's text (a malformed line for `kit audit verify`). The offset after an
  // O_APPEND write is the end of what this write put there.
  if (n > 0 && n < static_cast<ssize_t>(text.size())) {
    const off_t end = ::lseek(fd, 0, SEEK_CUR);
    if (end >= n && ::ftruncate(fd, end - n) == 0) ::fsync(fd);
  }
  ::close(fd);
  if (!synced) {
    throw std::runtime_error("cannot append to the anchor file " + file.string() + ": " +
                             std::strerror(write_errno));
  }
}

// ---------------------------------------------------------------------------------------------
// Verification

nlohmann::json AnchorCheck::to_json() const {
  nlohmann::json j = {{"checked", checked},
                      {"ok", ok},
                      {"file", file},
                      {"lines", lines},
                      {"superseded_by_restore", superseded},
                      {"last_anchored_seq", opt(last_anchored_seq)},
                      {"chain_head_seq", opt(chain_head_seq)},
                      {"warnings", warnings}};
  if (!ok) {
    j["problem"] = {
        {"code", problem_code}, {"message", problem}, {"line", opt(line)}, {"seq", opt(seq)}};
  }
  return j;
}

AnchorFile read_anchor_file(const std::filesystem::path& file, const AnchorKey& key) {
  ensure_sodium();
  AnchorFile out;
  AnchorCheck& c = out.check;
  c.file = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fail(c, "anchor_file_missing",
         "no anchor file at " + file.string() +
             " although the anchor key exists: the file was removed, or kit serve never ran "
             "with this data folder");
    return out;
  }
  c.checked = true;
  // Line by line, keeping only the lines after the last restore (the ones in force).
  std::vector<AnchorLine>& in_force = out.lines;
  std::string text;
  std::int64_t number = 0;
  while (std::getline(in, text)) {
    // A last line without its newline is being written by a running server: not read yet.
    if (in.eof()) break;
    ++number;
    if (text.empty()) continue;
    std::string mac;
    const auto line = parse_line(text, mac);
    if (!line) {
      fail(c, "malformed_line",
           "line " + std::to_string(number) + " of " + file.string() + " is not an anchor line",
           number);
      continue;
    }
    if (!mac_matches(*line, mac, key)) {
      fail(c, "bad_signature",
           "line " + std::to_string(number) + " of " + file.string() +
               " does not match its signature: it was edited, or written with another key",
           number, line->seq);
      continue;
    }
    // A restore replaced the database: what was anchored before it belonged to the replaced one.
    if (line->kind == "restore") {
      c.superseded += static_cast<std::int64_t>(in_force.size());
      in_force.clear();
    }
    in_force.push_back(*line);
    if (line->reason == kReasonFileMissing) {
      c.warnings.push_back("line " + std::to_string(number) + ": " + line->by +
                           " found no anchor file at " + iso8601_ms(line->at_ms) +
                           " although its key existed: anchors written before were removed "
                           "(compare with the shipped copy)");
    }
  }
  c.lines = number;
  for (const AnchorLine& l : in_force) {
    if (!c.last_anchored_seq || l.seq > *c.last_anchored_seq) c.last_anchored_seq = l.seq;
  }
  return out;
}

AnchorCheck compare_anchors(storage::Transaction& tx, const AnchorFile& anchors,
                            const ChainHead& chain_head) {
  AnchorCheck c = anchors.check;
  c.chain_head_seq = chain_head.seq;
  if (!c.checked) return c;
  if (anchors.lines.empty() && chain_head.seq > 0) {
    fail(c, "no_anchors",
         "the anchor file holds no anchored head although the chain has " +
             std::to_string(chain_head.seq) + " rows: it was emptied");
  }
  // Highest first: a cut is named by the highest head anchored above the chain's end.
  std::vector<AnchorLine> lines = anchors.lines;
  std::sort(lines.begin(), lines.end(),
            [](const AnchorLine& a, const AnchorLine& b) { return a.seq > b.seq; });
  if (!lines.empty() && lines.front().seq > chain_head.seq) {
    const AnchorLine& top = lines.front();
    fail(c, "chain_cut",
         "the audit chain ends at seq " + std::to_string(chain_head.seq) + " but seq " +
             std::to_string(top.seq) + " (hash " + top.hash + ") was anchored at " +
             iso8601_ms(top.at_ms) + " by " + top.by + ": rows " +
             std::to_string(chain_head.seq + 1) + " to " + std::to_string(top.seq) +
             " were removed from the end of the chain",
         std::nullopt, top.seq);
  }
  // Every anchored head still in the chain with its hash; ascending, so the earliest rewritten
  // row is named. One lookup per distinct seq.
  std::map<std::int64_t, const AnchorLine*> by_seq;
  for (const AnchorLine& l : lines) by_seq.emplace(l.seq, &l);
  for (const auto& [seq, l] : by_seq) {
    if (seq == 0) continue;              // the empty chain
    if (seq > chain_head.seq) continue;  // reported as the cut
    storage::Rows rows = tx.query("SELECT hash FROM audit_log WHERE seq = $1", {seq});
    if (rows.empty()) {
      fail(c, "anchor_mismatch",
           "anchored row seq " + std::to_string(seq) + " is missing from the audit chain",
           std::nullopt, seq);
    } else if (rows.front().text("hash") != l->hash) {
      fail(c, "anchor_mismatch",
           "audit row seq " + std::to_string(seq) + " no longer has the hash anchored at " +
               iso8601_ms(l->at_ms) + " (" + l->hash + "): the chain was rewritten from there",
           std::nullopt, seq);
    }
  }
  return c;
}

ChainHead read_chain_head(storage::Database& db) {
  return storage::with_transaction(db, [](storage::Transaction& tx) {
    storage::Rows rows = tx.query("SELECT seq, last_hash FROM audit_head WHERE id = 1");
    if (rows.empty()) throw std::runtime_error("audit_head row is missing");
    return ChainHead{rows.front().i64("seq"), rows.front().text("last_hash")};
  });
}

// ---------------------------------------------------------------------------------------------
// The writer

AuditAnchor::AuditAnchor(storage::Database& db, Options options)
    : db_(db), options_(std::move(options)) {}

AuditAnchor::~AuditAnchor() {
  try {
    stop();
  } catch (...) {
  }
}

void AuditAnchor::start() {
  if (options_.key_existed && !std::filesystem::exists(options_.file)) {
    if (options_.warn) {
      options_.warn("the audit anchor file " + options_.file.string() +
                    " is missing although its key exists: the anchors written before were "
                    "removed; compare the chain with the shipped copy of the anchor lines");
    }
    anchor_now(kReasonFileMissing);
    thread_ = std::thread([this] { run(); });
    return;
  }
  anchor_now("start");
  thread_ = std::thread([this] { run(); });
}

void AuditAnchor::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  anchor_now("shutdown");
}

void AuditAnchor::rows_committed(std::int64_t rows) {
  bool due = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_rows_ += rows;
    due = pending_rows_ >= options_.every_rows;
  }
  if (due) wake_.notify_all();
}

void AuditAnchor::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  auto next = std::chrono::steady_clock::now() + std::chrono::seconds(options_.every_s);
  while (!stopping_) {
    const bool woken = wake_.wait_until(
        lock, next, [this] { return stopping_ || pending_rows_ >= options_.every_rows; });
    if (stopping_) break;
    const bool by_rows = woken && pending_rows_ >= options_.every_rows;
    pending_rows_ = 0;
    lock.unlock();
    // The timer anchors only when the head moved (rows of this or another process, or sign-ins).
    anchor_now(by_rows ? "rows" : "interval");
    lock.lock();
    next = std::chrono::steady_clock::now() + std::chrono::seconds(options_.every_s);
  }
}

void AuditAnchor::anchor_now(const std::string& reason) {
  std::lock_guard<std::mutex> lock(write_mutex_);
  try {
    const ChainHead head = read_chain_head(db_);
    if (head.seq == last_seq_ && reason != "start" && reason != "shutdown" &&
        reason != kReasonFileMissing) {
      return;
    }
    AnchorLine line;
    line.seq = head.seq;
    line.hash = head.hash;
    line.at_ms = wall_ms();
    line.by = options_.by;
    line.reason = reason;
    const std::string text = signed_anchor_line(line, options_.key);
    append_anchor_line(options_.file, text);
    last_seq_ = head.seq;
    if (options_.log) options_.log(nlohmann::json::parse(text));
  } catch (const std::exception& e) {
    if (options_.warn) options_.warn(std::string("cannot anchor the audit chain: ") + e.what());
  }
}

}  // namespace kit::server
