#pragma once
// The audit chain's head anchored outside the database (docs/security.md "Anchoring the chain
// head", docs/adr/0011-audit-anchor.md).
//
// The hash chain in the database detects an edited or deleted row, but not a cut tail: whoever
// deletes the last rows and rewrites `audit_head` leaves a shorter chain that verifies. So `kit
// serve` appends, after the rows commit, the chain head (seq, hash, time) to an append-only file
// in the data folder, `audit-anchor.log` (mode 0600), one self-contained JSON line each, signed
// with an HMAC (libsodium crypto_auth, HMAC-SHA-512-256) under a key kept in a 0600 file
// (`audit-anchor.key`, created on first use). Each anchored head must still be in the chain with
// the same hash, and the chain must reach at least the highest anchored seq; an edited line fails
// its signature. Several processes may append to one file (O_APPEND, one write per line): lines
// are checked in any order. A `kit restore` appends a signed `restore` line: the anchors before it
// belong to the database it replaced and are checked for their signature only.
#include <array>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/api/audit.h"
#include "storage/database.h"

namespace kit::server {

inline constexpr const char* kAnchorFileName = "audit-anchor.log";
inline constexpr const char* kAnchorKeyFileName = "audit-anchor.key";

struct AnchorKey {
  std::array<unsigned char, 32> bytes{};  // crypto_auth_KEYBYTES
};

// The key in `file` (64 hex digits), created with mode 0600 when missing (atomically: two
// processes starting together end up with the same key). Throws std::runtime_error.
AnchorKey load_or_create_anchor_key(const std::filesystem::path& file);
// The key in `file`, or nullopt when there is no such file. Throws on an unreadable key.
std::optional<AnchorKey> load_anchor_key(const std::filesystem::path& file);

// One line of the anchor file.
struct AnchorLine {
  std::string kind = "head";  // "head" (kit serve) or "restore" (kit restore)
  std::int64_t seq = 0;       // the chain head: the last row's seq and hash
  std::string hash;
  std::int64_t at_ms = 0;
  std::string by;      // "kit serve pid 1234 on host", "kit restore"
  std::string reason;  // start, rows, interval, shutdown, restore
  // restore lines: the head of the database the restore replaced (none for a new folder) and
  // where it came from and went.
  std::optional<std::int64_t> replaced_seq;
  std::string replaced_hash;
  std::string note;
};

// The signed JSON text of a line, newline-terminated.
std::string signed_anchor_line(const AnchorLine& line, const AnchorKey& key);
// Appends one line (O_APPEND | O_CREAT, mode 0600, one write, then fsync).
void append_anchor_line(const std::filesystem::path& file, const std::string& text);

// What the anchor check found. problem_code names the first problem:
//   anchor_file_missing  there is a key but no anchor file (or no key and no file: nothing was
//                        ever anchored; `kit audit verify` reports it, the route does not fail)
//   malformed_line       a line is not an anchor line
//   bad_signature        a line's HMAC does not match (edited, or written with another key)
//   chain_cut            the chain ends below an anchored head: its last rows were removed
//   anchor_mismatch      an anchored row is missing or has another hash (rewritten)
struct AnchorCheck {
  bool checked = false;  // an anchor file was read
  bool ok = true;
  std::int64_t lines = 0;       // lines read
  std::int64_t superseded = 0;  // lines before the last restore (signature checked only)
  std::optional<std::int64_t> last_anchored_seq;
  std::optional<std::int64_t> chain_head_seq;
  std::string problem_code;
  std::string problem;
  std::optional<std::int64_t> line;  // 1-based line number in the file
  std::optional<std::int64_t> seq;   // the anchored seq concerned
  std::string file;
  // Not failures, but worth a look: a server found the anchor file gone at start.
  std::vector<std::string> warnings;
  nlohmann::json to_json() const;
};

// Reads and checks the signatures of every line. Call it before reading the chain, so each
// anchor read refers to rows committed before the chain is walked.
struct AnchorFile {
  AnchorCheck check;              // file-level problems (missing, malformed, bad signature)
  std::vector<AnchorLine> lines;  // the lines in force (after the last restore line)
};
AnchorFile read_anchor_file(const std::filesystem::path& file, const AnchorKey& key);

// Compares the lines in force with the chain: every anchored seq present with the same hash, and
// the chain reaching the highest anchored seq. `chain_head` is the head verify_chain walked to.
AnchorCheck compare_anchors(storage::Transaction& tx, const AnchorFile& anchors,
                            const ChainHead& chain_head);

// The head recorded in audit_head now (in a transaction of its own).
ChainHead read_chain_head(storage::Database& db);

// `kit serve`'s anchor writer: anchors the head at start, after `every_rows` committed audit
// rows, every `every_s` seconds when rows were added, and at stop. Writes happen on a thread of
// its own, never in a request. Thread-safe.
class AuditAnchor {
 public:
  struct Options {
    std::filesystem::path file;
    AnchorKey key;
    std::int64_t every_rows = 1000;
    int every_s = 60;
    std::string by;  // who writes: "kit serve pid N on HOST"
    // The key was there before this start: an anchor file missing then was removed (the first
    // line written says so, and verification reports it as a warning).
    bool key_existed = false;
    // Called with each line written (as JSON), for the server log; may be empty.
    std::function<void(const nlohmann::json&)> log;
    std::function<void(const std::string&)> warn;
  };
  AuditAnchor(storage::Database& db, Options options);
  ~AuditAnchor();
  AuditAnchor(const AuditAnchor&) = delete;
  AuditAnchor& operator=(const AuditAnchor&) = delete;

  void start();  // anchors the head ("start") and starts the thread
  void stop();   // anchors the head ("shutdown") and joins the thread; idempotent
  void rows_committed(std::int64_t rows);
  const std::filesystem::path& file() const { return options_.file; }
  const AnchorKey& key() const { return options_.key; }

 private:
  void run();
  void anchor_now(const std::string& reason);

  storage::Database& db_;
  Options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::int64_t pending_rows_ = 0;
  bool stopping_ = false;
  std::int64_t last_seq_ = -1;
  std::mutex write_mutex_;
  std::thread thread_;
};

}  // namespace kit::server
