#include "store/sqlite_session_repository.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "base/ids.hpp"
#include "store/internal/conversation_codec.hpp"
#include "store/internal/conversation_rows.hpp"
#include "store/internal/store_calls.hpp"

namespace gw::store {

namespace {

namespace asio = boost::asio;
using domain::Session;
using internal::PrepareBound;
using internal::ReadValue;
using internal::SqlParam;
using internal::WriteValue;

/// Runs an UPDATE/DELETE/INSERT to completion.
template <class... Args>
Result<std::int64_t> Exec(sqlite::Connection& conn, std::string_view sql, const Args&... args) {
    auto stmt = PrepareBound(conn, sql, args...);
    if (!stmt) {
        return stmt.error();
    }
    return stmt->Run();
}

Result<Session> CreateSession(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const domain::SessionKey& key,
    const std::string& user_id,
    std::int64_t now
) {
    if (auto tenant = internal::CheckTenantExists(conn, tenant_id); !tenant) {
        return tenant.error();
    }
    const std::string session_id = NewTimeOrderedUuid();
    const std::string transcript_id = NewTimeOrderedUuid();
    auto inserted = Exec(
        conn,
        "INSERT INTO sessions (id, tenant_id, user_id, session_key, agent_id, transcript_id, created_at, "
        "last_activity, transcript_started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)",
        session_id,
        tenant_id,
        user_id,
        key.ToString(),
        key.AgentId(),
        transcript_id,
        now
    );
    if (!inserted) {
        return inserted.error();
    }
    auto transcript = Exec(
        conn,
        "INSERT INTO transcripts (id, tenant_id, session_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4, "
        "?5)",
        transcript_id,
        tenant_id,
        session_id,
        user_id,
        now
    );
    if (!transcript) {
        return transcript.error();
    }
    return internal::LoadSessionById(conn, tenant_id, session_id);
}

/// The WHERE/ORDER/LIMIT tail of a sessions.list query and its parameters (tenant is ?1).
std::pair<std::string, std::vector<SqlParam>> ListQuery(
    const std::string& tenant_id, const domain::SessionFilter& f
) {
    std::string sql = "WHERE tenant_id = ?1";
    std::vector<SqlParam> params{tenant_id};
    auto next = [&](SqlParam value) {
        params.push_back(std::move(value));
        return "?" + std::to_string(params.size());
    };
    if (f.agent_id) {
        sql += " AND agent_id = " + next(*f.agent_id);
    }
    if (f.user_id) {
        sql += " AND user_id = " + next(*f.user_id);
    }
    if (f.active_since_ms) {
        sql += " AND last_activity >= " + next(*f.active_since_ms);
    }
    if (f.search && !f.search->empty()) {
        std::string needle = *f.search;
        std::transform(needle.begin(), needle.end(), needle.begin(), [](char c) {
            return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        });
        const std::string p = next(needle);
        sql += " AND (instr(lower(session_key), " + p + ") > 0 OR instr(lower(coalesce(label, '')), " + p +
               ") > 0)";
    }
    if (f.archived == domain::ArchivedFilter::kExclude) {
        sql += " AND archived = 0";
    } else if (f.archived == domain::ArchivedFilter::kOnly) {
        sql += " AND archived = 1";
    }
    if (f.after) {
        const std::string at = next(f.after->last_activity_ms);
        sql += " AND (last_activity < " + at + " OR (last_activity = " + at + " AND id < " +
               next(f.after->id) + "))";
    }
    const std::size_t limit = std::clamp<std::size_t>(f.limit, 1, domain::kMaxSessionListLimit);
    sql += " ORDER BY last_activity DESC, id DESC LIMIT " + next(static_cast<std::int64_t>(limit + 1));
    return {std::move(sql), std::move(params)};
}

Result<Session> ApplyPatch(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& key,
    const domain::SessionPatch& patch
) {
    auto session = internal::LoadSession(conn, tenant_id, key);
    if (!session || patch.Empty()) {
        return session;
    }
    if (patch.label && *patch.label) {
        auto taken = PrepareBound(
            conn,
            "SELECT 1 FROM sessions WHERE tenant_id = ?1 AND agent_id = ?2 AND label = ?3 AND id <> ?4",
            tenant_id,
            session->agent_id,
            **patch.label,
            session->id
        );
        if (!taken) {
            return taken.error();
        }
        auto row = taken->Step();
        if (!row) {
            return row.error();
        }
        if (*row) {
            return MakeError(ErrorCode::kConflict, "label '" + **patch.label + "' is already in use");
        }
    }
    std::string sql = "UPDATE sessions SET ";
    std::vector<SqlParam> params;
    bool first = true;
    auto set = [&](std::string_view column, std::optional<SqlParam> value) {
        if (!first) {
            sql += ", ";
        }
        first = false;
        if (value) {
            params.push_back(std::move(*value));
            sql += std::string(column) + " = ?" + std::to_string(params.size());
        } else {
            sql += std::string(column) + " = NULL";
        }
    };
    auto text = [](const std::optional<std::string>& v) {
        return v ? std::optional<SqlParam>(*v) : std::nullopt;
    };
    if (patch.label) {
        set("label", text(*patch.label));
    }
    if (patch.model_override) {
        set("model_override", text(*patch.model_override));
    }
    if (patch.thinking_level) {
        set("thinking_level", text(*patch.thinking_level));
    }
    if (patch.archived) {
        set("archived", SqlParam(std::int64_t{*patch.archived ? 1 : 0}));
    }
    if (patch.pinned) {
        set("pinned", SqlParam(std::int64_t{*patch.pinned ? 1 : 0}));
    }
    if (patch.metadata) {
        set("metadata", SqlParam(internal::EncodeMetadata(*patch.metadata)));
    }
    params.emplace_back(session->id);
    sql += " WHERE id = ?" + std::to_string(params.size());
    auto stmt = conn.Prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int index = static_cast<int>(i + 1);
        auto bound =
            std::visit([&](const auto& v) { return internal::BindValue(*stmt, index, v); }, params[i]);
        if (!bound) {
            return bound.error();
        }
    }
    if (auto ran = stmt->Run(); !ran) {
        return ran.error();
    }
    return internal::LoadSessionById(conn, tenant_id, session->id);
}

Result<Session> ResetSession(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& key, std::int64_t now
) {
    auto session = internal::LoadSession(conn, tenant_id, key);
    if (!session) {
        return session;
    }
    const std::string transcript_id = NewTimeOrderedUuid();
    auto ended =
        Exec(conn, "UPDATE transcripts SET ended_at = ?1 WHERE id = ?2", now, session->transcript_id);
    if (!ended) {
        return ended.error();
    }
    auto created = Exec(
        conn,
        "INSERT INTO transcripts (id, tenant_id, session_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4, "
        "?5)",
        transcript_id,
        tenant_id,
        session->id,
        session->user_id,
        now
    );
    if (!created) {
        return created.error();
    }
    auto moved = Exec(
        conn,
        "UPDATE sessions SET transcript_id = ?1, transcript_started_at = ?2, last_activity = ?2, "
        "input_tokens = 0, "
        "output_tokens = 0, cache_read_tokens = 0, cache_write_tokens = 0, total_tokens = 0 WHERE id = ?3",
        transcript_id,
        now,
        session->id
    );
    if (!moved) {
        return moved.error();
    }
    return internal::LoadSessionById(conn, tenant_id, session->id);
}

Result<bool> DeleteSession(sqlite::Connection& conn, const std::string& tenant_id, const std::string& key) {
    auto session = internal::LoadSession(conn, tenant_id, key);
    if (!session) {
        return session.error();
    }
    auto running = PrepareBound(
        conn, "SELECT id FROM runs WHERE session_id = ?1 AND status = 'running' LIMIT 1", session->id
    );
    if (!running) {
        return running.error();
    }
    auto row = running->Step();
    if (!row) {
        return row.error();
    }
    if (*row) {
        return MakeError(
            ErrorCode::kConflict,
            "session '" + key + "' has a running run (" + internal::ColText(*running, 0) + ")"
        );
    }
    auto deleted = Exec(conn, "DELETE FROM sessions WHERE id = ?1", session->id);
    if (!deleted) {
        return deleted.error();
    }
    return true;
}

}  // namespace

SqliteSessionRepository::SqliteSessionRepository(EmbeddedStore& store, domain::WallClock clock)
    : store_(store), clock_(std::move(clock)) {}

asio::awaitable<Result<Session>> SqliteSessionRepository::GetOrCreate(
    std::string tenant_id, domain::SessionKey key, std::string user_id
) {
    // Most calls find the session: answer them from the reader pool without queueing a write.
    auto lookup = [tenant_id, key = key.ToString()](sqlite::Connection& conn) {
        return internal::LoadSession(conn, tenant_id, key);
    };
    Result<Session> found = co_await ReadValue<Session>(store_, std::move(lookup));
    if (found || found.error().code != ErrorCode::kNotFound) {
        co_return found;
    }
    auto create = [tenant_id, key, user_id, clock = clock_, store = &store_](sqlite::Connection& conn
                  ) -> Result<Session> {
        auto existing = internal::LoadSession(conn, tenant_id, key.ToString());
        if (existing || existing.error().code != ErrorCode::kNotFound) {
            return existing;  // created by a concurrent caller since our read
        }
        auto created = CreateSession(conn, tenant_id, key, user_id, clock());
        if (created) {
            // Before COMMIT: any write of this transcript is submitted after this point and forgets it.
            store->MarkTranscriptEmpty(created->transcript_id);
        }
        return created;
    };
    Result<Session> created = co_await WriteValue<Session>(store_, std::move(create));
    co_return created;
}

asio::awaitable<Result<Session>> SqliteSessionRepository::Get(std::string tenant_id, domain::SessionKey key) {
    auto lookup = [tenant_id, key = key.ToString()](sqlite::Connection& conn) {
        return internal::LoadSession(conn, tenant_id, key);
    };
    Result<Session> found = co_await ReadValue<Session>(store_, std::move(lookup));
    co_return found;
}

asio::awaitable<Result<domain::SessionPage>> SqliteSessionRepository::List(
    std::string tenant_id, domain::SessionFilter filter
) {
    auto query = [tenant_id, filter](sqlite::Connection& conn) -> Result<domain::SessionPage> {
        auto [sql, params] = ListQuery(tenant_id, filter);
        auto rows = internal::QuerySessions(conn, sql, params);
        if (!rows) {
            return rows.error();
        }
        domain::SessionPage page;
        page.sessions = std::move(*rows);
        const std::size_t limit = std::clamp<std::size_t>(filter.limit, 1, domain::kMaxSessionListLimit);
        if (page.sessions.size() > limit) {
            page.sessions.resize(limit);
            page.next = domain::SessionCursor{page.sessions.back().last_activity_ms, page.sessions.back().id};
        }
        return page;
    };
    Result<domain::SessionPage> page = co_await ReadValue<domain::SessionPage>(store_, std::move(query));
    co_return page;
}

asio::awaitable<Result<Session>> SqliteSessionRepository::Patch(
    std::string tenant_id, domain::SessionKey key, domain::SessionPatch patch
) {
    auto normalized = domain::NormalizeSessionPatch(std::move(patch));
    if (!normalized) {
        co_return normalized.error();
    }
    auto apply = [tenant_id, key = key.ToString(), p = std::move(*normalized)](sqlite::Connection& conn) {
        return ApplyPatch(conn, tenant_id, key, p);
    };
    Result<Session> patched = co_await WriteValue<Session>(store_, std::move(apply));
    co_return patched;
}

asio::awaitable<Result<Session>> SqliteSessionRepository::Reset(
    std::string tenant_id, domain::SessionKey key
) {
    auto reset = [tenant_id, key = key.ToString(), clock = clock_](sqlite::Connection& conn) {
        return ResetSession(conn, tenant_id, key, clock());
    };
    Result<Session> session = co_await WriteValue<Session>(store_, std::move(reset));
    co_return session;
}

asio::awaitable<Result<void>> SqliteSessionRepository::Delete(std::string tenant_id, domain::SessionKey key) {
    auto remove = [tenant_id, key = key.ToString()](sqlite::Connection& conn) {
        return DeleteSession(conn, tenant_id, key);
    };
    Result<bool> deleted = co_await WriteValue<bool>(store_, std::move(remove));
    if (!deleted) {
        co_return deleted.error();
    }
    co_return Ok();
}

asio::awaitable<Result<void>> SqliteSessionRepository::Touch(std::string tenant_id, domain::SessionKey key) {
    auto touch = [tenant_id, key = key.ToString(), clock = clock_](sqlite::Connection& conn) -> Result<bool> {
        auto changed = Exec(
            conn,
            "UPDATE sessions SET last_activity = ?1 WHERE tenant_id = ?2 AND session_key = ?3",
            clock(),
            tenant_id,
            key
        );
        if (!changed) {
            return changed.error();
        }
        if (*changed == 0) {
            return MakeError(ErrorCode::kNotFound, "session '" + key + "' not found");
        }
        return true;
    };
    Result<bool> touched = co_await WriteValue<bool>(store_, std::move(touch));
    if (!touched) {
        co_return touched.error();
    }
    co_return Ok();
}

}  // namespace gw::store
