// VerifyAuditChain against an attacker with write access to gateway.db (who drops the append-only
// triggers first): edits, deletions, reordering, forged records, tail truncation, head edits, and a full
// rewrite that only the HMAC key catches.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/audit_test_fixture.hpp"

namespace gw::store::audit_test {
namespace {

using domain::AuditRecord;

constexpr int kRecords = 10;

class AuditVerifyTest : public AuditLogFixture {
protected:
    void ExpectProblem(AuditProblemKind kind, std::int64_t seq, const std::string& message_part) {
        const auto report = Verify();
        ASSERT_FALSE(report.ok) << "tampering went unnoticed";
        ASSERT_TRUE(report.problem);
        EXPECT_EQ(report.problem->kind, kind) << report.problem->message;
        EXPECT_EQ(report.problem->seq, seq) << report.problem->message;
        EXPECT_NE(report.problem->message.find(message_part), std::string::npos) << report.problem->message;
    }

    /// Overwrites every column of row `seq` with `r` (its seq included), bypassing the log.
    void WriteRow(std::int64_t seq, const AuditRecord& r) {
        auto conn = Raw();
        ASSERT_TRUE(conn.Exec("DROP TRIGGER IF EXISTS audit_events_no_update"));
        auto stmt = conn.Prepare(
            "UPDATE audit_events SET seq = ?1, id = ?2, principal = ?3, reason = ?4, time = ?5, prev_hash = "
            "?6, "
            "hash = ?7 WHERE seq = ?8"
        );
        ASSERT_TRUE(stmt);
        ASSERT_TRUE(stmt->Bind(1, r.seq));
        ASSERT_TRUE(stmt->Bind(2, std::string_view(r.id)));
        ASSERT_TRUE(stmt->Bind(3, std::string_view(r.event.principal)));
        ASSERT_TRUE(stmt->Bind(4, std::string_view(r.event.reason)));
        ASSERT_TRUE(stmt->Bind(5, r.event.time_ms));
        ASSERT_TRUE(stmt->Bind(6, std::string_view(r.prev_hash)));
        ASSERT_TRUE(stmt->Bind(7, std::string_view(r.hash)));
        ASSERT_TRUE(stmt->Bind(8, seq));
        auto changed = stmt->Run();
        ASSERT_TRUE(changed) << changed.error().message;
        ASSERT_EQ(*changed, 1);
    }

    /// `r` as an attacker would recompute it: its own hash made consistent again (no key, so no MAC).
    static AuditRecord Resealed(AuditRecord r) {
        r.hash = AuditChainHash(r.prev_hash, domain::CanonicalAuditBytes(r.seq, r.id, r.event)).value();
        return r;
    }
};

TEST_F(AuditVerifyTest, EmptyAndIntactLogsVerify) {
    auto empty = Verify();
    EXPECT_TRUE(empty.ok);
    EXPECT_EQ(empty.records_checked, 0);
    ASSERT_TRUE(empty.head);
    EXPECT_EQ(empty.head->seq, 0);
    EXPECT_EQ(empty.head->hash, domain::kAuditGenesisHash);
    AppendMany(kRecords);
    auto full = Verify();
    EXPECT_TRUE(full.ok);
    EXPECT_EQ(full.records_checked, kRecords);
    EXPECT_EQ(full.last_seq, kRecords);
    EXPECT_FALSE(full.macs_checked);
}

/// One column of record 6 edited in place: every column is covered by the hash.
class AuditEditTest : public AuditVerifyTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(AuditEditTest, EditedColumnIsReportedAsModifiedAtItsSeq) {
    AppendMany(kRecords);
    Tamper(std::string("UPDATE audit_events SET ") + GetParam() + " WHERE seq = 6");
    ExpectProblem(AuditProblemKind::kModified, 6, "record seq 6 was modified");
    EXPECT_EQ(Verify().records_checked, 5);
}

INSTANTIATE_TEST_SUITE_P(
    EveryColumn,
    AuditEditTest,
    ::testing::Values(
        "id = 'other-id'",
        "tenant_id = 'other'",
        "time = time + 1",
        "principal = 'mallory'",
        "factors = '[\"api_key\",\"mtls\"]'",
        "factors = 'not json'",
        "action = 'auth.logout'",
        "resource = 'GET /admin'",
        "decision = 'deny'",
        "decision = 'maybe'",
        "reason = 'ok'",
        "source_ip = '10.9.9.9'",
        "user_agent = 'x'",
        "request_id = 'r2'",
        "details = '{\"route\":\"admin\"}'",
        "details = '{\"route\":1}'",
        "prev_hash = hash",
        "hash = prev_hash"
    )
);

TEST_F(AuditVerifyTest, DeletedRecordIsReportedAsAGap) {
    AppendMany(kRecords);
    Tamper("DELETE FROM audit_events WHERE seq = 4");
    ExpectProblem(AuditProblemKind::kMissing, 4, "record seq 4 is missing (gap between seq 3 and seq 5)");
}

TEST_F(AuditVerifyTest, DeletedRunOfRecordsIsReportedAsOneGap) {
    AppendMany(kRecords);
    Tamper("DELETE FROM audit_events WHERE seq BETWEEN 1 AND 3");
    ExpectProblem(AuditProblemKind::kMissing, 1, "records seq 1..3 are missing (the chain starts at seq 4)");
}

TEST_F(AuditVerifyTest, SwappedRecordsAreCaughtAtTheFirstSwappedSeq) {
    AppendMany(kRecords);
    // Exchange rows 3 and 7 (all their columns, hashes included) through a temporary seq.
    Tamper(
        "UPDATE audit_events SET seq = -7 WHERE seq = 7; UPDATE audit_events SET seq = 7 WHERE seq = 3; "
        "UPDATE audit_events SET seq = 3 WHERE seq = -7"
    );
    ExpectProblem(AuditProblemKind::kModified, 3, "record seq 3 was modified");
}

TEST_F(AuditVerifyTest, ReorderedRecordsWithRecomputedHashesBreakTheChain) {
    const auto records = AppendMany(kRecords);
    // The attacker moves record 7 to seq 3 and 3 to seq 7, resealing each one's own hash.
    AuditRecord to3 = records[6];
    AuditRecord to7 = records[2];
    to3.seq = 3;
    to7.seq = 7;
    to3 = Resealed(to3);
    to7 = Resealed(to7);
    AuditRecord parked;
    parked.seq = -3;
    parked.id = "tmp3";
    WriteRow(3, parked);
    WriteRow(7, to7);
    WriteRow(-3, to3);
    ExpectProblem(AuditProblemKind::kChainBroken, 3, "prev_hash does not match the hash of seq 2");
}

TEST_F(AuditVerifyTest, ForgedRecordLinkedToItsPredecessorIsCaughtAtItsSuccessor) {
    const auto records = AppendMany(kRecords);
    AuditRecord forged = records[4];  // seq 5, prev_hash = hash of seq 4
    forged.event.principal = "mallory";
    forged = Resealed(forged);
    WriteRow(5, forged);
    ExpectProblem(AuditProblemKind::kChainBroken, 6, "chain broken at seq 6");
}

TEST_F(AuditVerifyTest, DeletedTailIsCaughtThroughTheHead) {
    AppendMany(kRecords);
    Tamper("DELETE FROM audit_events WHERE seq >= 8");
    ExpectProblem(
        AuditProblemKind::kTruncated,
        8,
        "records after seq 7 are missing: the head says the chain ends at seq 10 (tail deleted)"
    );
}

TEST_F(AuditVerifyTest, DeletingEveryRecordIsCaughtThroughTheHead) {
    AppendMany(3);
    Tamper("DELETE FROM audit_events");
    ExpectProblem(AuditProblemKind::kTruncated, 1, "all records are missing");
}

TEST_F(AuditVerifyTest, EditedOrMissingHeadIsReported) {
    const auto records = AppendMany(3);
    Tamper("UPDATE audit_head SET hash = '" + records[1].hash + "'");
    ExpectProblem(AuditProblemKind::kHeadMismatch, 3, "head's hash does not match record seq 3");
    Tamper("UPDATE audit_head SET seq = 2");
    ExpectProblem(AuditProblemKind::kHeadMismatch, 3, "records run to seq 3");
    Tamper("DELETE FROM audit_head");
    ExpectProblem(AuditProblemKind::kHeadMissing, 3, "missing");
    // Fail closed: without a head nothing can be appended.
    auto refused = log_->AppendBlocking(Event("t", "auth.login", "p"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInternal);
}

TEST_F(AuditVerifyTest, ConsistentRewriteIsCaughtOnlyWithTheKey) {
    OpenLog("k3y");
    const auto records = AppendMany(6);
    // Edit record 3 and reseal it and every later record, and the head: the chain is consistent again.
    std::string prev = records[1].hash;
    for (std::size_t i = 2; i < records.size(); ++i) {
        AuditRecord r = records[i];
        r.prev_hash = prev;
        if (i == 2) {
            r.event.reason = "rewritten";
        }
        r = Resealed(r);
        WriteRow(r.seq, r);
        prev = r.hash;
    }
    Tamper("UPDATE audit_head SET hash = '" + prev + "'");
    EXPECT_TRUE(Verify().ok) << "without the key a full rewrite is indistinguishable (documented)";
    const auto keyed = Verify(KeyOptions("k3y"));
    ASSERT_FALSE(keyed.ok);
    EXPECT_EQ(keyed.problem->kind, AuditProblemKind::kMacMismatch);
    EXPECT_EQ(keyed.problem->seq, 3);
}

}  // namespace
}  // namespace gw::store::audit_test
