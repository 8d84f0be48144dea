// Group commit of the audit rows of reads (server/api/audit.h AuditBatcher; docs/adr/
// 0021-write-path-and-load.md, addendum perf3): concurrent reads share writer transactions for
// their audit rows, every read still answers only after its rows are committed, the chain stays
// whole, and a round that fails fails every read in it and saves none of its rows.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "server/api/audit.h"
#include "storage/sqlite_database.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

using namespace std::chrono_literals;

class AuditBatcherTest : public ApiFixture {
 protected:
  ChainCheck check() {
    return storage::with_transaction(*db_,
                                     [](storage::Transaction& tx) { return verify_chain(tx); });
  }
  // Waits (up to 10 s) until `n` reads have queued their audit rows.
  bool wait_for_appends(std::int64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (services_->audit_batcher().stats().appends < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(1ms);
    }
    return true;
  }
};

TEST_F(AuditBatcherTest, ConcurrentReadsShareOneWriterTransactionForTheirAuditRows) {
  const std::int64_t pid = add_patient("MRN-BATCH");
  const Caller nurse = make_caller(Role::nurse);
  const std::int64_t rows_before = audit_rows();
  const std::int64_t appends_before = services_->audit_batcher().stats().appends;
  constexpr int kReads = 8;
  std::vector<Response> answers(kReads);
  std::atomic<int> answered{0};
  std::vector<std::thread> readers;
  std::int64_t transactions_during_reads = 0;
  {
    // The writer is held: every read runs its SQL on a reader, then waits for its audit rows.
    std::unique_ptr<storage::Transaction> held = db_->begin();
    const std::int64_t tx_before = storage::sqlite_writer_stats(*db_).transactions;
    for (int i = 0; i < kReads; ++i) {
      readers.emplace_back(
          [&, i] { answers[i] = call("GET", "/api/v1/patients/" + std::to_string(pid), nurse); });
    }
    EXPECT_TRUE(wait_for_appends(appends_before + kReads)) << "the reads did not queue their rows";
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(answered.load(), 0) << "a read answered before its audit row was committed";
    held->commit();
    for (std::thread& t : readers) t.join();
    transactions_during_reads = storage::sqlite_writer_stats(*db_).transactions - tx_before;
  }
  for (const Response& r : answers) EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(audit_rows(), rows_before + kReads);
  // One round: the first read waited for the writer's turn to write its round, and the 7 others
  // queued into that round meanwhile. Before the batcher: one writer transaction per read (8).
  EXPECT_EQ(transactions_during_reads, 1);
  const ChainCheck chain = check();
  EXPECT_TRUE(chain.ok);
  EXPECT_TRUE(chain.head_matches);
}

TEST_F(AuditBatcherTest, AFailedRoundFailsEveryReadInItAndSavesNoneOfItsRows) {
  const std::int64_t pid = add_patient("MRN-FAIL");
  const Caller nurse = make_caller(Role::nurse);
  const std::int64_t appends_before = services_->audit_batcher().stats().appends;
  constexpr int kRows = 5;
  std::vector<std::thread> threads;
  std::vector<int> failed(kRows, 0);
  std::int64_t rows_before = 0;
  {
    std::unique_ptr<storage::Transaction> held = db_->begin();
    rows_before = held->query("SELECT count(*) AS n FROM audit_log").front().i64("n");
    for (int i = 0; i < kRows; ++i) {
      threads.emplace_back([&, i] {
        AuditEntry e;
        e.at_ms = 1;
        e.action = "GET /api/v1/patients/{id}";
        e.patient_id = pid;
        e.outcome = "allowed";
        e.status = 200;
        try {
          services_->audit_batcher().append({e});
        } catch (const std::exception&) {
          failed[i] = 1;
        }
      });
    }
    EXPECT_TRUE(wait_for_appends(appends_before + kRows)) << "the appends did not queue their rows";
    // The round's transaction will find no chain head and fail.
    held->exec("DELETE FROM audit_head");
    held->commit();
    for (std::thread& t : threads) t.join();
  }
  for (int i = 0; i < kRows; ++i) EXPECT_EQ(failed[i], 1) << "append " << i << " returned";
  EXPECT_EQ(audit_rows(), rows_before);
  // And a read whose audit row cannot be written is refused, its data not sent.
  const Response r = call("GET", "/api/v1/patients/" + std::to_string(pid), nurse);
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.body.find("MRN-FAIL"), std::string::npos);
}

}  // namespace
}  // namespace kit::server::testing
