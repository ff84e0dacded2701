// InsertEntries: the transactional core shared by Append, StartRun and FinishRun.
#include <map>
#include <set>
#include <utility>

#include "store/internal/conversation_codec.hpp"
#include "store/internal/conversation_rows.hpp"
#include "store/internal/entry_sealing.hpp"

namespace gw::store::internal {

namespace {

constexpr std::string_view kInsertEntry =
    "INSERT INTO messages (id, tenant_id, session_id, transcript_id, parent_id, user_id, role, content, "
    "timestamp, idempotency_key, seq, run_id, provider, model, stop_reason, error_message, input_tokens, "
    "output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, key_class, key_version, sealed) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
    "?22, ?23, ?24)";

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::optional<std::string> NonEmpty(const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

/// Reserves `count` seqs in the transcript; returns {first seq, transcript owner}.
Result<std::pair<std::int64_t, std::string>> ReserveSeqs(
    sqlite::Connection& conn, const domain::TranscriptEntry& first, std::int64_t count
) {
    auto stmt = PrepareBound(
        conn,
        "UPDATE transcripts SET entry_count = entry_count + ?1 WHERE id = ?2 AND session_id = ?3 AND "
        "tenant_id = ?4 RETURNING entry_count, user_id",
        count,
        first.transcript_id,
        first.session_id,
        first.tenant_id
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
            "transcript " + first.transcript_id + " of session " + first.session_id + " not found"
        );
    }
    const std::int64_t last = stmt->ColumnInt64(0);
    std::string owner = ColOptText(*stmt, 1).value_or("");
    // Finish the statement so the UPDATE completes before the inserts.
    if (auto done = stmt->Step(); !done) {
        return done.error();
    }
    return std::make_pair(last - count + 1, std::move(owner));
}

Result<void> CheckParent(
    sqlite::Connection& conn, const domain::TranscriptEntry& e, const std::set<std::string>& batch_ids
) {
    if (!e.parent_id || batch_ids.contains(*e.parent_id)) {
        return Ok();
    }
    auto stmt = PrepareBound(
        conn, "SELECT 1 FROM messages WHERE id = ?1 AND transcript_id = ?2", *e.parent_id, e.transcript_id
    );
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return Invalid(
            "parent " + *e.parent_id + " of entry " + e.id + " is not in transcript " + e.transcript_id
        );
    }
    return Ok();
}

/// The run fence: entries tagged with a run may only be written while that run is running.
Result<void> CheckRunFence(
    sqlite::Connection& conn, const domain::TranscriptEntry& e, std::map<std::string, bool>& running
) {
    if (!e.run_id) {
        return Ok();
    }
    auto it = running.find(*e.run_id);
    if (it == running.end()) {
        auto run = LoadRun(conn, e.tenant_id, *e.run_id);
        if (!run && run.error().code != ErrorCode::kNotFound) {
            return run.error();
        }
        it = running.emplace(*e.run_id, run && run->status == domain::RunStatus::kRunning).first;
    }
    if (!it->second) {
        return MakeError(
            ErrorCode::kConflict, "run " + *e.run_id + " is not running; entry " + e.id + " refused"
        );
    }
    return Ok();
}

Result<void> InsertOne(
    sqlite::Statement& insert,
    const domain::TranscriptEntry& e,
    const ContentProtection* protection,
    crypto::Classification classification
) {
    if (auto reset = insert.Reset(); !reset) {
        return reset.error();
    }
    auto payload = SealEntryPayload(protection, classification, e, EncodeContent(e.content));
    if (!payload) {
        return payload.error();
    }
    const std::optional<domain::TokenUsage>& u = e.usage;
    auto bound = BindAll(
        insert,
        e.id,
        e.tenant_id,
        e.session_id,
        e.transcript_id,
        e.parent_id,
        NonEmpty(e.user_id),
        domain::RoleName(e.role),
        payload->content,
        e.created_at_ms,
        e.idempotency_key,
        e.seq,
        e.run_id,
        e.provider,
        e.model,
        e.stop_reason ? std::optional<std::string>(domain::StopReasonName(*e.stop_reason)) : std::nullopt,
        payload->error_message,
        u ? std::optional<std::int64_t>(u->input) : std::nullopt,
        u ? std::optional<std::int64_t>(u->output) : std::nullopt,
        u ? std::optional<std::int64_t>(u->cache_read) : std::nullopt,
        u ? std::optional<std::int64_t>(u->cache_write) : std::nullopt,
        u ? std::optional<std::int64_t>(u->total) : std::nullopt,
        payload->key_class,
        payload->key_version
    );
    if (!bound) {
        return bound.error();
    }
    auto sealed = payload->sealed ? insert.BindBlob(24, std::as_bytes(std::span(*payload->sealed)))
                                  : insert.BindNull(24);
    if (!sealed) {
        return sealed.error();
    }
    auto ran = insert.Run();
    if (!ran) {
        Error error = ran.error();
        error.message = "entry " + e.id + ": " + error.message;
        return error;
    }
    return Ok();
}

Result<void> AdvanceSession(
    sqlite::Connection& conn,
    const domain::TranscriptEntry& first,
    const domain::TokenUsage& usage,
    std::int64_t now_ms,
    const std::optional<std::string>& last_run_id
) {
    auto stmt = PrepareBound(
        conn,
        "UPDATE sessions SET last_activity = ?1, last_run_id = COALESCE(?10, last_run_id), "
        "input_tokens = input_tokens + CASE WHEN transcript_id = ?2 THEN ?3 ELSE 0 END, "
        "output_tokens = output_tokens + CASE WHEN transcript_id = ?2 THEN ?4 ELSE 0 END, "
        "cache_read_tokens = cache_read_tokens + CASE WHEN transcript_id = ?2 THEN ?5 ELSE 0 END, "
        "cache_write_tokens = cache_write_tokens + CASE WHEN transcript_id = ?2 THEN ?6 ELSE 0 END, "
        "total_tokens = total_tokens + CASE WHEN transcript_id = ?2 THEN ?7 ELSE 0 END "
        "WHERE id = ?8 AND tenant_id = ?9",
        now_ms,
        first.transcript_id,
        usage.input,
        usage.output,
        usage.cache_read,
        usage.cache_write,
        usage.total,
        first.session_id,
        first.tenant_id,
        last_run_id
    );
    if (!stmt) {
        return stmt.error();
    }
    auto ran = stmt->Run();
    if (!ran) {
        return ran.error();
    }
    return Ok();
}

}  // namespace

Result<void> CheckEntriesBelongTo(
    const std::vector<domain::TranscriptEntry>& entries,
    const std::string& transcript_id,
    const std::string& session_id,
    const std::string& tenant_id
) {
    for (const domain::TranscriptEntry& e : entries) {
        if (e.transcript_id != transcript_id || e.session_id != session_id || e.tenant_id != tenant_id) {
            return Invalid(
                "entry " + e.id + " does not belong to transcript " + transcript_id + " of session " +
                session_id
            );
        }
    }
    return Ok();
}

Result<std::vector<domain::TranscriptEntry>> InsertEntries(
    sqlite::Connection& conn,
    std::vector<domain::TranscriptEntry> entries,
    std::int64_t now_ms,
    const ContentProtection* protection,
    const std::optional<std::string>& last_run_id
) {
    if (entries.empty() || entries.size() > domain::kMaxEntriesPerAppend) {
        return Invalid("an append takes 1 to " + std::to_string(domain::kMaxEntriesPerAppend) + " entries");
    }
    for (const domain::TranscriptEntry& e : entries) {
        if (auto valid = domain::ValidateEntry(e); !valid) {
            return valid.error();
        }
    }
    const domain::TranscriptEntry& first = entries.front();
    if (auto same = CheckEntriesBelongTo(entries, first.transcript_id, first.session_id, first.tenant_id);
        !same) {
        return same.error();
    }
    auto reserved = ReserveSeqs(conn, first, static_cast<std::int64_t>(entries.size()));
    if (!reserved) {
        return reserved.error();
    }
    auto [seq, owner] = std::move(*reserved);
    auto classification = ClassifySession(conn, protection, first.tenant_id, first.session_id);
    if (!classification) {
        return classification.error();
    }
    auto insert = conn.Prepare(kInsertEntry);
    if (!insert) {
        return insert.error();
    }
    std::set<std::string> batch_ids;
    std::map<std::string, bool> running;
    domain::TokenUsage usage;
    for (domain::TranscriptEntry& e : entries) {
        if (auto parent = CheckParent(conn, e, batch_ids); !parent) {
            return parent.error();
        }
        if (auto fence = CheckRunFence(conn, e, running); !fence) {
            return fence.error();
        }
        if (e.user_id.empty()) {
            e.user_id = owner;
        }
        if (e.created_at_ms == 0) {
            e.created_at_ms = now_ms;
        }
        e.seq = seq++;
        if (auto inserted = InsertOne(*insert, e, protection, *classification); !inserted) {
            return inserted.error();
        }
        batch_ids.insert(e.id);
        if (e.usage) {
            usage += *e.usage;
        }
    }
    if (auto advanced = AdvanceSession(conn, entries.front(), usage, now_ms, last_run_id); !advanced) {
        return advanced.error();
    }
    return entries;
}

}  // namespace gw::store::internal
