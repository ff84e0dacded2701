#include "store/internal/conversation_rows.hpp"

#include <utility>

#include "store/internal/conversation_codec.hpp"
#include "store/internal/entry_sealing.hpp"

namespace gw::store::internal {

namespace {

constexpr std::string_view kSessionColumns =
    "id, tenant_id, user_id, session_key, agent_id, transcript_id, created_at, last_activity, "
    "transcript_started_at, label, model_override, thinking_level, archived, pinned, metadata, "
    "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, last_run_id";

constexpr std::string_view kRunColumns =
    "id, tenant_id, session_id, transcript_id, user_id, idempotency_key, status, stop_reason, error, "
    "started_at, ended_at";

Result<domain::Session> ReadSession(const sqlite::Statement& s) {
    domain::Session out;
    out.id = ColText(s, 0);
    out.tenant_id = ColText(s, 1);
    out.user_id = ColText(s, 2);
    out.session_key = ColText(s, 3);
    out.agent_id = ColText(s, 4);
    out.transcript_id = ColText(s, 5);
    out.created_at_ms = s.ColumnInt64(6);
    out.last_activity_ms = s.ColumnInt64(7);
    out.transcript_started_at_ms = ColOptInt(s, 8).value_or(out.created_at_ms);
    out.label = ColOptText(s, 9);
    out.model_override = ColOptText(s, 10);
    out.thinking_level = ColOptText(s, 11);
    out.archived = s.ColumnInt64(12) != 0;
    out.pinned = s.ColumnInt64(13) != 0;
    auto metadata = DecodeMetadata(s.ColumnText(14));
    if (!metadata) {
        return metadata.error();
    }
    out.metadata = std::move(*metadata);
    out.usage = {
        s.ColumnInt64(15), s.ColumnInt64(16), s.ColumnInt64(17), s.ColumnInt64(18), s.ColumnInt64(19)};
    out.last_run_id = ColOptText(s, 20);
    return out;
}

Result<domain::TranscriptEntry> ReadEntry(const sqlite::Statement& s, const ContentProtection* protection) {
    domain::TranscriptEntry e;
    e.id = ColText(s, 0);
    e.parent_id = ColOptText(s, 1);
    e.transcript_id = ColText(s, 2);
    e.session_id = ColText(s, 3);
    e.tenant_id = ColText(s, 4);
    e.user_id = ColText(s, 5);
    const auto role = domain::ParseRole(s.ColumnText(6));
    if (!role) {
        return MakeError(ErrorCode::kInternal, "store: entry " + e.id + " has an unknown role");
    }
    e.role = *role;
    std::string content_json;
    if (s.IsNull(21)) {
        content_json = ColText(s, 7);
        e.error_message = ColOptText(s, 16);
    } else {
        const std::span<const std::byte> blob = s.ColumnBlob(21);
        auto opened = OpenEntryPayload(
            protection,
            e.tenant_id,
            e.id,
            std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(blob.data()), blob.size())
        );
        if (!opened) {
            return opened.error();
        }
        content_json = std::move(opened->first);
        e.error_message = std::move(opened->second);
    }
    auto content = DecodeContent(content_json);
    if (!content) {
        return MakeError(ErrorCode::kInternal, content.error().message + " (entry " + e.id + ")");
    }
    e.content = std::move(*content);
    e.provider = ColOptText(s, 8);
    e.model = ColOptText(s, 9);
    if (!s.IsNull(10)) {
        e.usage = domain::TokenUsage{
            s.ColumnInt64(10), s.ColumnInt64(11), s.ColumnInt64(12), s.ColumnInt64(13), s.ColumnInt64(14)};
    }
    if (auto reason = ColOptText(s, 15)) {
        e.stop_reason = domain::ParseStopReason(*reason);
        if (!e.stop_reason) {
            return MakeError(ErrorCode::kInternal, "store: entry " + e.id + " has an unknown stop reason");
        }
    }
    e.run_id = ColOptText(s, 17);
    e.created_at_ms = s.ColumnInt64(18);
    e.idempotency_key = ColOptText(s, 19);
    e.seq = s.ColumnInt64(20);
    return e;
}

Result<domain::Run> ReadRun(const sqlite::Statement& s) {
    domain::Run run;
    run.id = ColText(s, 0);
    run.tenant_id = ColText(s, 1);
    run.session_id = ColText(s, 2);
    run.transcript_id = ColText(s, 3);
    run.user_id = ColText(s, 4);
    run.idempotency_key = ColOptText(s, 5);
    const auto status = domain::ParseRunStatus(s.ColumnText(6));
    if (!status) {
        return MakeError(ErrorCode::kInternal, "store: run " + run.id + " has an unknown status");
    }
    run.status = *status;
    if (auto reason = ColOptText(s, 7)) {
        run.stop_reason = domain::ParseStopReason(*reason);
    }
    run.error = ColOptText(s, 8);
    run.started_at_ms = s.ColumnInt64(9);
    run.ended_at_ms = ColOptInt(s, 10);
    return run;
}

/// Steps `stmt` once: the mapped row, or kNotFound naming `what`.
template <class T, class ReadFn>
Result<T> ReadOne(Result<sqlite::Statement> stmt, ReadFn read, const std::string& what) {
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return MakeError(ErrorCode::kNotFound, what + " not found");
    }
    return read(*stmt);
}

}  // namespace

std::string ColText(const sqlite::Statement& stmt, int column) {
    return std::string(stmt.ColumnText(column));
}

std::optional<std::string> ColOptText(const sqlite::Statement& stmt, int column) {
    if (stmt.IsNull(column)) {
        return std::nullopt;
    }
    return std::string(stmt.ColumnText(column));
}

std::optional<std::int64_t> ColOptInt(const sqlite::Statement& stmt, int column) {
    if (stmt.IsNull(column)) {
        return std::nullopt;
    }
    return stmt.ColumnInt64(column);
}

Result<void> CheckTenantExists(sqlite::Connection& conn, const std::string& tenant_id) {
    auto found = ReadOne<bool>(
        PrepareBound(conn, "SELECT 1 FROM tenants WHERE id = ?1", tenant_id),
        [](const sqlite::Statement&) -> Result<bool> { return true; },
        "tenant '" + tenant_id + "'"
    );
    if (!found) {
        return found.error();
    }
    return Ok();
}

Result<domain::Session> LoadSession(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& key
) {
    const std::string sql =
        "SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE tenant_id = ?1 AND session_key = ?2";
    return ReadOne<domain::Session>(
        PrepareBound(conn, sql, tenant_id, key), ReadSession, "session '" + key + "'"
    );
}

Result<domain::Session> LoadSessionById(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& id
) {
    const std::string sql =
        "SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE tenant_id = ?1 AND id = ?2";
    return ReadOne<domain::Session>(PrepareBound(conn, sql, tenant_id, id), ReadSession, "session " + id);
}

Result<std::vector<domain::Session>> QuerySessions(
    sqlite::Connection& conn, const std::string& where_and_order, const std::vector<SqlParam>& params
) {
    auto stmt = conn.Prepare("SELECT " + std::string(kSessionColumns) + " FROM sessions " + where_and_order);
    if (!stmt) {
        return stmt.error();
    }
    int index = 0;
    for (const SqlParam& param : params) {
        ++index;
        auto bound = std::visit([&](const auto& v) { return BindValue(*stmt, index, v); }, param);
        if (!bound) {
            return bound.error();
        }
    }
    std::vector<domain::Session> out;
    for (;;) {
        auto row = stmt->Step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return out;
        }
        auto session = ReadSession(*stmt);
        if (!session) {
            return session.error();
        }
        out.push_back(std::move(*session));
    }
}

std::string EntryColumns(std::string_view table_alias) {
    static constexpr std::string_view kColumns[] = {
        "id",
        "parent_id",
        "transcript_id",
        "session_id",
        "tenant_id",
        "user_id",
        "role",
        "content",
        "provider",
        "model",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "total_tokens",
        "stop_reason",
        "error_message",
        "run_id",
        "timestamp",
        "idempotency_key",
        "seq",
        "sealed",
    };
    std::string out;
    for (std::string_view column : kColumns) {
        if (!out.empty()) {
            out += ", ";
        }
        out += table_alias;
        out += column;
    }
    return out;
}

Result<std::vector<domain::TranscriptEntry>> ReadEntries(
    sqlite::Statement& stmt, const ContentProtection* protection
) {
    std::vector<domain::TranscriptEntry> out;
    for (;;) {
        auto row = stmt.Step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return out;
        }
        auto entry = ReadEntry(stmt, protection);
        if (!entry) {
            return entry.error();
        }
        out.push_back(std::move(*entry));
    }
}

Result<domain::Run> LoadRun(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& run_id
) {
    const std::string sql =
        "SELECT " + std::string(kRunColumns) + " FROM runs WHERE tenant_id = ?1 AND id = ?2";
    return ReadOne<domain::Run>(PrepareBound(conn, sql, tenant_id, run_id), ReadRun, "run '" + run_id + "'");
}

Result<domain::Run> LoadRunByIdempotencyKey(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& idempotency_key
) {
    const std::string sql =
        "SELECT " + std::string(kRunColumns) + " FROM runs WHERE tenant_id = ?1 AND idempotency_key = ?2";
    return ReadOne<domain::Run>(
        PrepareBound(conn, sql, tenant_id, idempotency_key), ReadRun, "run for idempotency key"
    );
}

}  // namespace gw::store::internal
