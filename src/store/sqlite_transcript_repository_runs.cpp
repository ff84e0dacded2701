// SqliteTranscriptRepository: runs (StartRun, FinishRun, GetRun, recovery).
#include <utility>

#include "store/content_protection.hpp"
#include "store/internal/conversation_rows.hpp"
#include "store/internal/store_calls.hpp"
#include "store/sqlite_transcript_repository.hpp"

namespace gw::store {

namespace {

namespace asio = boost::asio;
using domain::Run;
using internal::PrepareBound;

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::optional<std::string> StopReasonText(const std::optional<domain::StopReason>& reason) {
    return reason ? std::optional<std::string>(domain::StopReasonName(*reason)) : std::nullopt;
}

/// The owner of a transcript of the session and tenant; kNotFound when there is no such transcript.
Result<std::string> TranscriptOwner(sqlite::Connection& conn, const Run& run) {
    auto stmt = PrepareBound(
        conn,
        "SELECT user_id FROM transcripts WHERE id = ?1 AND session_id = ?2 AND tenant_id = ?3",
        run.transcript_id,
        run.session_id,
        run.tenant_id
    );
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return MakeError(
            ErrorCode::kNotFound,
            "transcript " + run.transcript_id + " of session " + run.session_id + " not found"
        );
    }
    return internal::ColOptText(*stmt, 0).value_or("");
}

Result<domain::StartRunResult> Start(
    sqlite::Connection& conn, domain::RunStart start, std::int64_t now, const ContentProtection* protection
) {
    Run& run = start.run;
    if (run.idempotency_key) {
        auto first = internal::LoadRunByIdempotencyKey(conn, run.tenant_id, *run.idempotency_key);
        if (first) {
            return domain::StartRunResult{false, std::move(*first)};
        }
        if (first.error().code != ErrorCode::kNotFound) {
            return first.error();
        }
    }
    auto owner = TranscriptOwner(conn, run);
    if (!owner) {
        return owner.error();
    }
    if (run.user_id.empty()) {
        run.user_id = *owner;
    }
    auto insert = PrepareBound(
        conn,
        "INSERT INTO runs (tenant_id, id, session_id, transcript_id, user_id, idempotency_key, status, "
        "started_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7)",
        run.tenant_id,
        run.id,
        run.session_id,
        run.transcript_id,
        run.user_id,
        run.idempotency_key,
        now
    );
    if (!insert) {
        return insert.error();
    }
    if (auto ran = insert->Run(); !ran) {
        Error error = ran.error();
        error.message = "run " + run.id + ": " + error.message;
        return error;
    }
    if (!start.entries.empty()) {
        // The entries' session update also records the run: one UPDATE of the session row, not two.
        const std::optional<std::string> last_run_id = run.id;
        auto stored = internal::InsertEntries(conn, std::move(start.entries), now, protection, last_run_id);
        if (!stored) {
            return stored.error();
        }
    } else {
        auto session = PrepareBound(
            conn,
            "UPDATE sessions SET last_run_id = ?1, last_activity = ?2 WHERE id = ?3 AND tenant_id = ?4",
            run.id,
            now,
            run.session_id,
            run.tenant_id
        );
        if (!session) {
            return session.error();
        }
        if (auto ran = session->Run(); !ran) {
            return ran.error();
        }
    }
    auto stored_run = internal::LoadRun(conn, run.tenant_id, run.id);
    if (!stored_run) {
        return stored_run.error();
    }
    return domain::StartRunResult{true, std::move(*stored_run)};
}

Result<Run> Finish(
    sqlite::Connection& conn, domain::RunFinish finish, std::int64_t now, const ContentProtection* protection
) {
    auto run = internal::LoadRun(conn, finish.tenant_id, finish.run_id);
    if (!run) {
        return run.error();
    }
    if (run->status != domain::RunStatus::kRunning) {
        return MakeError(
            ErrorCode::kConflict,
            "run " + run->id + " is already " + std::string(domain::RunStatusName(run->status))
        );
    }
    if (auto same = internal::CheckEntriesBelongTo(
            finish.entries, run->transcript_id, run->session_id, run->tenant_id
        );
        !same) {
        return same.error();
    }
    if (!finish.entries.empty()) {
        auto stored = internal::InsertEntries(conn, std::move(finish.entries), now, protection);
        if (!stored) {
            return stored.error();
        }
    }
    auto update = PrepareBound(
        conn,
        "UPDATE runs SET status = ?1, stop_reason = ?2, error = ?3, ended_at = ?4 "
        "WHERE tenant_id = ?5 AND id = ?6 AND status = 'running'",
        domain::RunStatusName(finish.status),
        StopReasonText(finish.stop_reason),
        finish.error,
        now,
        finish.tenant_id,
        finish.run_id
    );
    if (!update) {
        return update.error();
    }
    if (auto ran = update->Run(); !ran) {
        return ran.error();
    }
    return internal::LoadRun(conn, finish.tenant_id, finish.run_id);
}

Result<int> Recover(sqlite::Connection& conn, std::int64_t now) {
    auto stmt = PrepareBound(
        conn,
        "UPDATE runs SET status = 'failed', error = ?1, ended_at = ?2 WHERE status = 'running'",
        domain::kRunInterruptedError,
        now
    );
    if (!stmt) {
        return stmt.error();
    }
    auto changed = stmt->Run();
    if (!changed) {
        return changed.error();
    }
    return static_cast<int>(*changed);
}

}  // namespace

asio::awaitable<Result<domain::StartRunResult>> SqliteTranscriptRepository::StartRun(domain::RunStart start) {
    const Run& run = start.run;
    if (run.id.empty() || run.tenant_id.empty() || run.session_id.empty() || run.transcript_id.empty()) {
        co_return Invalid("a run needs an id, a tenant, a session and a transcript");
    }
    if (run.idempotency_key && run.idempotency_key->empty()) {
        co_return Invalid("run " + run.id + ": empty idempotency key");
    }
    if (auto same =
            internal::CheckEntriesBelongTo(start.entries, run.transcript_id, run.session_id, run.tenant_id);
        !same) {
        co_return same.error();
    }
    store_.ForgetEmptyTranscript(run.transcript_id);
    std::shared_ptr<ContentProtection> protection = store_.GetContentProtection();
    if (protection && !start.entries.empty()) {
        if (auto keys = co_await protection->EnsureKeys(run.tenant_id); !keys) {
            co_return keys.error();
        }
    }
    auto write = [start = std::move(start), clock = clock_, protection](sqlite::Connection& conn) mutable {
        return Start(conn, std::move(start), clock(), protection.get());
    };
    Result<domain::StartRunResult> started =
        co_await internal::WriteValue<domain::StartRunResult>(store_, std::move(write));
    co_return started;
}

asio::awaitable<Result<Run>> SqliteTranscriptRepository::FinishRun(domain::RunFinish finish) {
    if (finish.status == domain::RunStatus::kRunning) {
        co_return Invalid("FinishRun needs a terminal status");
    }
    for (const auto& e : finish.entries) {
        store_.ForgetEmptyTranscript(e.transcript_id);
    }
    std::shared_ptr<ContentProtection> protection = store_.GetContentProtection();
    if (protection && !finish.entries.empty()) {
        if (auto keys = co_await protection->EnsureKeys(finish.tenant_id); !keys) {
            co_return keys.error();
        }
    }
    auto write = [finish = std::move(finish), clock = clock_, protection](sqlite::Connection& conn) mutable {
        return Finish(conn, std::move(finish), clock(), protection.get());
    };
    Result<Run> finished = co_await internal::WriteValue<Run>(store_, std::move(write));
    co_return finished;
}

asio::awaitable<Result<Run>> SqliteTranscriptRepository::GetRun(std::string tenant_id, std::string run_id) {
    auto read = [tenant_id = std::move(tenant_id), run_id = std::move(run_id)](sqlite::Connection& conn) {
        return internal::LoadRun(conn, tenant_id, run_id);
    };
    Result<Run> run = co_await internal::ReadValue<Run>(store_, std::move(read));
    co_return run;
}

asio::awaitable<Result<int>> SqliteTranscriptRepository::RecoverInterruptedRuns() {
    auto write = [clock = clock_](sqlite::Connection& conn) { return Recover(conn, clock()); };
    Result<int> recovered = co_await internal::WriteValue<int>(store_, std::move(write));
    co_return recovered;
}

Result<int> SqliteTranscriptRepository::RecoverInterruptedRunsBlocking() {
    return internal::WriteValueBlocking<int>(store_, [this](sqlite::Connection& conn) {
        return Recover(conn, clock_());
    });
}

}  // namespace gw::store
