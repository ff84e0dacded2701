// The audit chain under group commit: appends queued in one batch with a write that fails, a write that
// ends the batch transaction, and a write whose deferred constraint makes COMMIT fail. Whatever is rolled
// back leaves no trace: the next append links to the head the database has, seqs stay contiguous, and
// the chain verifies. (A writer-side cache of the head would be ahead of the database in the last two.)
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "store/audit_test_fixture.hpp"

namespace gw::store::audit_test {
namespace {

namespace asio = boost::asio;
using domain::AuditRecord;
using namespace std::chrono_literals;

using internal::WriterGate;

class AuditBatchTest : public AuditLogFixture {
protected:
    /// Holds the writer, so everything queued until RunBatch() lands in one batch.
    void HoldWriter() {
        store_->SubmitWrite(gate_.Fn(), [](Result<void>) {});
        gate_.WaitEntered();
    }

    /// Queues an append: the coroutine runs on `ioc_` up to its Write, which submits it to the store.
    std::shared_ptr<std::optional<Result<AuditRecord>>> QueueAppend(std::string principal) {
        auto slot = std::make_shared<std::optional<Result<AuditRecord>>>();
        auto on_done = [slot](std::exception_ptr e, Result<AuditRecord> r) {
            if (e) {
                r = MakeError(ErrorCode::kInternal, "append threw");
            }
            slot->emplace(std::move(r));
        };
        asio::co_spawn(ioc_, log_->Append(Event("t", "auth.login", std::move(principal))), on_done);
        ioc_.poll();  // runs the coroutine until it waits for the store: the write is queued
        return slot;
    }

    /// Queues a plain write; its result arrives in the returned future.
    std::future<Result<void>> QueueWrite(EmbeddedStore::WriteFn fn) {
        auto promise = std::make_shared<std::promise<Result<void>>>();
        auto future = promise->get_future();
        store_->SubmitWrite(std::move(fn), [promise](Result<void> r) { promise->set_value(std::move(r)); });
        return future;
    }

    /// Releases the writer and waits for every queued append to complete.
    void RunBatch() {
        gate_.Release();
        ioc_.run_for(30s);
    }

    WriterGate gate_;
    asio::io_context ioc_;
};

EmbeddedStore::WriteFn InsertTenantThenFail() {
    return [](sqlite::Connection& c) -> Result<void> {
        if (auto r = c.Exec("INSERT INTO tenants (id, name, created_at) VALUES ('ghost', 'g', 0)"); !r) {
            return r;
        }
        return MakeError(ErrorCode::kConflict, "refused after writing");
    };
}

EmbeddedStore::WriteFn EndTheTransaction() {
    return [](sqlite::Connection& c) { return c.Exec("ROLLBACK"); };
}

/// Defers foreign-key checks to COMMIT and violates one, so the batch's COMMIT fails.
EmbeddedStore::WriteFn BreakTheCommit() {
    return [](sqlite::Connection& c) {
        return c.Exec(
            "PRAGMA defer_foreign_keys = ON; "
            "INSERT INTO users (id, tenant_id, name, created_at) VALUES ('u1', 'no-such-tenant', 'x', 0)"
        );
    };
}

TEST_F(AuditBatchTest, AFailingBatchMateIsUndoneAloneAndTheChainStaysContiguous) {
    AppendMany(2);
    HoldWriter();
    auto a = QueueAppend("a");
    auto bad = QueueWrite(InsertTenantThenFail());
    auto b = QueueAppend("b");
    RunBatch();
    ASSERT_TRUE(*a && **a) << (*a ? (*a)->error().message : "not done");
    ASSERT_TRUE(*b && **b) << (*b ? (*b)->error().message : "not done");
    EXPECT_FALSE(bad.get());
    EXPECT_EQ((**a)->seq, 3);
    EXPECT_EQ((**b)->seq, 4);
    EXPECT_EQ((**b)->prev_hash, (**a)->hash);
    EXPECT_EQ(Count("SELECT count(*) FROM tenants WHERE id = 'ghost'"), 0);
    const auto report = Verify();
    EXPECT_TRUE(report.ok) << report.problem->message;
    EXPECT_EQ(report.records_checked, 4);
}

TEST_F(AuditBatchTest, AppendsRolledBackWithTheirTransactionLeaveNoGap) {
    AppendMany(2);
    HoldWriter();
    auto lost1 = QueueAppend("lost1");
    auto lost2 = QueueAppend("lost2");
    auto killer = QueueWrite(EndTheTransaction());
    auto kept1 = QueueAppend("kept1");
    auto kept2 = QueueAppend("kept2");
    RunBatch();
    for (const auto& slot : {lost1, lost2, kept1, kept2}) {
        ASSERT_TRUE(slot->has_value()) << "an append did not complete";
    }
    // The appends before the killer were rolled back with the batch transaction and were told so.
    EXPECT_FALSE(**lost1);
    EXPECT_FALSE(**lost2);
    EXPECT_FALSE(killer.get());
    // The rest ran in a fresh transaction and continue from the committed head (seq 2), not from seq 4.
    ASSERT_TRUE(**kept1) << (*kept1)->error().message;
    ASSERT_TRUE(**kept2) << (*kept2)->error().message;
    EXPECT_EQ((**kept1)->seq, 3);
    EXPECT_EQ((**kept2)->seq, 4);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE principal LIKE 'lost%'"), 0);
    const auto report = Verify();
    EXPECT_TRUE(report.ok) << report.problem->message;
    EXPECT_EQ(report.records_checked, 4);
}

TEST_F(AuditBatchTest, AFailedCommitFailsEveryAppendAndTheNextOneContinuesFromTheDatabase) {
    const auto before = AppendMany(2);
    HoldWriter();
    auto a = QueueAppend("a");
    auto breaker = QueueWrite(BreakTheCommit());
    auto b = QueueAppend("b");
    RunBatch();
    ASSERT_TRUE(a->has_value() && b->has_value());
    EXPECT_FALSE(**a);
    EXPECT_FALSE(**b);
    EXPECT_FALSE(breaker.get());
    EXPECT_EQ(Count("SELECT count(*) FROM audit_events"), 2);
    EXPECT_EQ(Count("SELECT seq FROM audit_head"), 2);

    const AuditRecord next = AppendOk(Event("t", "auth.login", "next"));
    EXPECT_EQ(next.seq, 3);
    EXPECT_EQ(next.prev_hash, before[1].hash);
    const auto report = Verify();
    EXPECT_TRUE(report.ok) << report.problem->message;
    EXPECT_EQ(report.records_checked, 3);
}

}  // namespace
}  // namespace gw::store::audit_test
