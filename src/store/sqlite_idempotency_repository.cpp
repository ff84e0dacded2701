#include "store/sqlite_idempotency_repository.hpp"

#include <optional>
#include <utility>

#include "store/content_protection.hpp"
#include "store/internal/conversation_rows.hpp"
#include "store/internal/entry_sealing.hpp"
#include "store/internal/store_calls.hpp"

namespace gw::store {

namespace {

namespace asio = boost::asio;
using domain::IdempotencyRecord;
using internal::PrepareBound;

/// The live record of (tenant, key) at `now`, or nullopt when absent or expired.
Result<std::optional<IdempotencyRecord>> LoadLive(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& key,
    std::int64_t now,
    const ContentProtection* protection
) {
    auto stmt = PrepareBound(
        conn,
        "SELECT ack, result, created_at, expires_at FROM idempotency_keys "
        "WHERE tenant_id = ?1 AND key = ?2 AND expires_at > ?3",
        tenant_id,
        key,
        now
    );
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<IdempotencyRecord>();
    }
    auto ack =
        internal::OpenIdempotencyPayload(protection, tenant_id, key, "ack", internal::ColText(*stmt, 0));
    if (!ack) {
        return ack.error();
    }
    std::optional<std::string> result;
    if (auto stored = internal::ColOptText(*stmt, 1)) {
        auto opened =
            internal::OpenIdempotencyPayload(protection, tenant_id, key, "result", std::move(*stored));
        if (!opened) {
            return opened.error();
        }
        result = std::move(*opened);
    }
    return std::optional<IdempotencyRecord>(IdempotencyRecord{
        tenant_id,
        key,
        std::move(*ack),
        std::move(result),
        stmt->ColumnInt64(2),
        stmt->ColumnInt64(3),
    });
}

template <class... Args>
Result<int> Exec(sqlite::Connection& conn, std::string_view sql, const Args&... args) {
    auto stmt = PrepareBound(conn, sql, args...);
    if (!stmt) {
        return stmt.error();
    }
    auto changed = stmt->Run();
    if (!changed) {
        return changed.error();
    }
    return static_cast<int>(*changed);
}

Result<domain::ClaimResult> ClaimKey(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& key,
    const std::string& ack,
    std::int64_t ttl_ms,
    std::int64_t now,
    const ContentProtection* protection
) {
    auto live = LoadLive(conn, tenant_id, key, now, protection);
    if (!live) {
        return live.error();
    }
    if (*live) {
        return domain::ClaimResult{false, std::move(**live)};
    }
    if (auto tenant = internal::CheckTenantExists(conn, tenant_id); !tenant) {
        return tenant.error();
    }
    auto expired =
        Exec(conn, "DELETE FROM idempotency_keys WHERE tenant_id = ?1 AND key = ?2", tenant_id, key);
    if (!expired) {
        return expired.error();
    }
    auto sealed_ack = internal::SealIdempotencyPayload(protection, tenant_id, key, "ack", ack);
    if (!sealed_ack) {
        return sealed_ack.error();
    }
    auto inserted = Exec(
        conn,
        "INSERT INTO idempotency_keys (tenant_id, key, ack, ttl_ms, created_at, expires_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        tenant_id,
        key,
        *sealed_ack,
        ttl_ms,
        now,
        now + ttl_ms
    );
    if (!inserted) {
        return inserted.error();
    }
    return domain::ClaimResult{true, IdempotencyRecord{tenant_id, key, ack, std::nullopt, now, now + ttl_ms}};
}

Result<IdempotencyRecord> CompleteKey(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& key,
    const std::string& result,
    std::int64_t now,
    const ContentProtection* protection
) {
    auto live = LoadLive(conn, tenant_id, key, now, protection);
    if (!live) {
        return live.error();
    }
    if (!*live) {
        return MakeError(ErrorCode::kNotFound, "idempotency key not found or expired");
    }
    if ((*live)->Completed()) {
        return std::move(**live);  // the first result wins
    }
    auto sealed_result = internal::SealIdempotencyPayload(protection, tenant_id, key, "result", result);
    if (!sealed_result) {
        return sealed_result.error();
    }
    auto updated = Exec(
        conn,
        "UPDATE idempotency_keys SET result = ?1, completed_at = ?2, expires_at = ?2 + ttl_ms "
        "WHERE tenant_id = ?3 AND key = ?4",
        *sealed_result,
        now,
        tenant_id,
        key
    );
    if (!updated) {
        return updated.error();
    }
    auto stored = LoadLive(conn, tenant_id, key, now, protection);
    if (!stored) {
        return stored.error();
    }
    if (!*stored) {
        return MakeError(ErrorCode::kInternal, "store: idempotency record vanished while completing");
    }
    return std::move(**stored);
}

Result<bool> ReleaseKey(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& key,
    std::int64_t now,
    const ContentProtection* protection
) {
    auto live = LoadLive(conn, tenant_id, key, now, protection);
    if (!live) {
        return live.error();
    }
    if (*live && (*live)->Completed()) {
        return MakeError(ErrorCode::kConflict, "idempotency key already has a result");
    }
    auto deleted =
        Exec(conn, "DELETE FROM idempotency_keys WHERE tenant_id = ?1 AND key = ?2", tenant_id, key);
    if (!deleted) {
        return deleted.error();
    }
    return true;
}

Result<int> DropPending(sqlite::Connection& conn) {
    return Exec(conn, "DELETE FROM idempotency_keys WHERE result IS NULL");
}

}  // namespace

SqliteIdempotencyRepository::SqliteIdempotencyRepository(EmbeddedStore& store, domain::WallClock clock)
    : store_(store), clock_(std::move(clock)) {}

asio::awaitable<Result<domain::ClaimResult>> SqliteIdempotencyRepository::Claim(
    std::string tenant_id, std::string key, std::string ack, std::chrono::milliseconds ttl
) {
    if (key.empty()) {
        co_return MakeError(ErrorCode::kInvalidArgument, "empty idempotency key");
    }
    if (ttl < domain::kMinIdempotencyTtl) {
        co_return MakeError(ErrorCode::kInvalidArgument, "idempotency TTL is below the 5 minute minimum");
    }
    std::shared_ptr<ContentProtection> protection = store_.GetContentProtection();
    if (protection) {
        if (auto keys = co_await protection->EnsureKeys(tenant_id); !keys) {
            co_return keys.error();
        }
    }
    auto claim = [tenant_id = std::move(tenant_id),
                  key = std::move(key),
                  ack = std::move(ack),
                  ttl_ms = static_cast<std::int64_t>(ttl.count()),
                  clock = clock_,
                  protection](sqlite::Connection& conn) {
        return ClaimKey(conn, tenant_id, key, ack, ttl_ms, clock(), protection.get());
    };
    Result<domain::ClaimResult> claimed =
        co_await internal::WriteValue<domain::ClaimResult>(store_, std::move(claim));
    co_return claimed;
}

asio::awaitable<Result<IdempotencyRecord>> SqliteIdempotencyRepository::Complete(
    std::string tenant_id, std::string key, std::string result
) {
    std::shared_ptr<ContentProtection> protection = store_.GetContentProtection();
    if (protection) {
        if (auto keys = co_await protection->EnsureKeys(tenant_id); !keys) {
            co_return keys.error();
        }
    }
    auto complete = [tenant_id = std::move(tenant_id),
                     key = std::move(key),
                     result = std::move(result),
                     clock = clock_,
                     protection](sqlite::Connection& conn) {
        return CompleteKey(conn, tenant_id, key, result, clock(), protection.get());
    };
    Result<IdempotencyRecord> record =
        co_await internal::WriteValue<IdempotencyRecord>(store_, std::move(complete));
    co_return record;
}

asio::awaitable<Result<void>> SqliteIdempotencyRepository::Release(std::string tenant_id, std::string key) {
    auto release = [tenant_id = std::move(tenant_id),
                    key = std::move(key),
                    clock = clock_,
                    protection = store_.GetContentProtection()](sqlite::Connection& conn) {
        return ReleaseKey(conn, tenant_id, key, clock(), protection.get());
    };
    Result<bool> released = co_await internal::WriteValue<bool>(store_, std::move(release));
    if (!released) {
        co_return released.error();
    }
    co_return Ok();
}

asio::awaitable<Result<int>> SqliteIdempotencyRepository::PurgeExpired() {
    auto purge = [clock = clock_](sqlite::Connection& conn) {
        return Exec(conn, "DELETE FROM idempotency_keys WHERE expires_at <= ?1", clock());
    };
    Result<int> purged = co_await internal::WriteValue<int>(store_, std::move(purge));
    co_return purged;
}

asio::awaitable<Result<int>> SqliteIdempotencyRepository::DropPendingClaims() {
    Result<int> dropped = co_await internal::WriteValue<int>(store_, DropPending);
    co_return dropped;
}

Result<int> SqliteIdempotencyRepository::DropPendingClaimsBlocking() {
    return internal::WriteValueBlocking<int>(store_, DropPending);
}

}  // namespace gw::store
