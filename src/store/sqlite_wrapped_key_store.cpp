#include "store/sqlite_wrapped_key_store.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "drivers/sqlite/connection.hpp"
#include "obs/log.hpp"

namespace gw::store {

namespace {

using crypto::Classification;
using crypto::KeyPolicyRecord;
using crypto::WrappedKeyRecord;
using crypto::WrappedKeySet;

constexpr std::string_view kLogger = "gw.store";
constexpr std::int64_t kMaxUint32 = std::numeric_limits<std::uint32_t>::max();

std::int64_t ToMillis(std::chrono::system_clock::time_point time) {
    return std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::chrono::system_clock::time_point FromMillis(std::int64_t millis) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(millis));
}

std::string KeyName(std::string_view tenant, Classification classification, std::uint32_t version) {
    return "data key " + std::string(tenant) + "/" + std::string(crypto::ClassificationName(classification)) +
           "/v" + std::to_string(version);
}

Result<void> CheckTenantAndClass(std::string_view tenant, Classification classification) {
    if (tenant.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "key store: a tenant is required");
    }
    const auto value = static_cast<unsigned>(classification);
    if (value < 1 || value >= crypto::kClassificationCount) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "key store: classification " + std::to_string(value) +
                " has no keys (internal, confidential or restricted expected)"
        );
    }
    return Ok();
}

/// A stored classification, or kInternal when the row is out of range (corruption: the schema checks it).
Result<Classification> ClassOf(std::int64_t value) {
    if (value < 1 || value > 3) {
        return MakeError(
            ErrorCode::kInternal, "key store: stored classification " + std::to_string(value) + " is invalid"
        );
    }
    return static_cast<Classification>(value);
}

Result<std::uint32_t> Uint32Of(std::int64_t value, std::int64_t min, const char* what) {
    if (value < min || value > kMaxUint32) {
        return MakeError(
            ErrorCode::kInternal,
            std::string("key store: stored ") + what + " " + std::to_string(value) + " is invalid"
        );
    }
    return static_cast<std::uint32_t>(value);
}

/// The connection's `PRAGMA secure_delete` (0 off, 1 on, 2 fast). The statement is finalized on return.
Result<std::int64_t> SecureDeleteSetting(sqlite::Connection& conn) {
    auto query = conn.Prepare("PRAGMA secure_delete");
    if (!query) {
        return query.error();
    }
    auto row = query->Step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return MakeError(ErrorCode::kInternal, "key store: PRAGMA secure_delete returned no row");
    }
    return query->ColumnInt64(0);
}

/// Runs `fn()` with `PRAGMA secure_delete=ON` on `conn` and restores the previous setting afterwards (the
/// pragma is per connection and not transactional, so the writer's other writes are unaffected).
template <class Fn>
Result<void> WithSecureDelete(sqlite::Connection& conn, Fn&& fn) {
    auto setting = SecureDeleteSetting(conn);
    if (!setting) {
        return setting.error();
    }
    const std::int64_t previous = *setting;
    if (auto on = conn.Exec("PRAGMA secure_delete = ON"); !on) {
        return on.error();
    }
    Result<void> result = std::forward<Fn>(fn)();
    if (previous != 1) {
        // 2 is FAST; the pragma parses a number as a boolean, so "2" would mean ON.
        const char* restore = previous == 2 ? "PRAGMA secure_delete = FAST" : "PRAGMA secure_delete = OFF";
        if (auto restored = conn.Exec(restore); !restored) {
            // Only a cost: the writer keeps zeroing deleted content.
            obs::Log(
                obs::LogLevel::kWarn,
                kLogger,
                "could not restore secure_delete on the writer connection",
                {{"error", restored.error().message}}
            );
        }
    }
    return result;
}

/// Runs `sql` with `tenant` bound to ?1; returns the number of rows changed.
Result<std::int64_t> RunForTenant(sqlite::Connection& conn, std::string_view sql, std::string_view tenant) {
    auto stmt = conn.Prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    if (auto bound = stmt->Bind(1, tenant); !bound) {
        return bound.error();
    }
    return stmt->Run();
}

}  // namespace

SqliteWrappedKeyStore::SqliteWrappedKeyStore(EmbeddedStore& store, SqliteWrappedKeyStoreOptions options)
    : store_(store), options_(options) {}

Result<WrappedKeySet> SqliteWrappedKeyStore::LoadAll() {
    WrappedKeySet set;
    auto loaded = store_.ReadBlocking([&set](sqlite::Connection& conn) -> Result<void> {
        set = WrappedKeySet{};  // a clean start should the function ever run twice
        auto keys = conn.Prepare(
            "SELECT tenant_id, classification, version, wrapped, created_at FROM crypto_data_keys "
            "ORDER BY tenant_id, classification, version"
        );
        if (!keys) {
            return keys.error();
        }
        for (;;) {
            auto row = keys->Step();
            if (!row) {
                return row.error();
            }
            if (!*row) {
                break;
            }
            auto classification = ClassOf(keys->ColumnInt64(1));
            if (!classification) {
                return classification.error();
            }
            auto version = Uint32Of(keys->ColumnInt64(2), 1, "key version");
            if (!version) {
                return version.error();
            }
            const auto wrapped = keys->ColumnBlob(3);
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(wrapped.data());
            set.keys.push_back(WrappedKeyRecord{
                .tenant = std::string(keys->ColumnText(0)),
                .classification = *classification,
                .version = *version,
                .wrapped = std::vector<std::uint8_t>(bytes, bytes + wrapped.size()),
                .created_at = FromMillis(keys->ColumnInt64(4)),
            });
        }
        auto policies = conn.Prepare(
            "SELECT tenant_id, classification, min_decrypt_version FROM crypto_key_policies "
            "ORDER BY tenant_id, classification"
        );
        if (!policies) {
            return policies.error();
        }
        for (;;) {
            auto row = policies->Step();
            if (!row) {
                return row.error();
            }
            if (!*row) {
                break;
            }
            auto classification = ClassOf(policies->ColumnInt64(1));
            if (!classification) {
                return classification.error();
            }
            auto min_version = Uint32Of(policies->ColumnInt64(2), 0, "min decrypt version");
            if (!min_version) {
                return min_version.error();
            }
            set.policies.push_back(KeyPolicyRecord{
                .tenant = std::string(policies->ColumnText(0)),
                .classification = *classification,
                .min_decrypt_version = *min_version,
            });
        }
        return Ok();
    });
    if (!loaded) {
        return loaded.error();
    }
    return set;
}

Result<void> SqliteWrappedKeyStore::Insert(const WrappedKeyRecord& record) {
    if (auto valid = CheckTenantAndClass(record.tenant, record.classification); !valid) {
        return valid;
    }
    if (record.version < 1) {
        return MakeError(ErrorCode::kInvalidArgument, "key store: key versions start at 1");
    }
    if (record.wrapped.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "key store: empty wrapped key");
    }
    return store_.WriteBlocking([&record](sqlite::Connection& conn) -> Result<void> {
        return WithSecureDelete(conn, [&]() -> Result<void> {
            auto stmt = conn.Prepare(
                "INSERT INTO crypto_data_keys (tenant_id, classification, version, wrapped, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING"
            );
            if (!stmt) {
                return stmt.error();
            }
            Result<void> bound = stmt->Bind(1, std::string_view(record.tenant));
            bound = bound ? stmt->Bind(2, static_cast<std::int64_t>(record.classification)) : bound;
            bound = bound ? stmt->Bind(3, static_cast<std::int64_t>(record.version)) : bound;
            bound = bound ? stmt->BindBlob(4, std::as_bytes(std::span(record.wrapped))) : bound;
            bound = bound ? stmt->Bind(5, ToMillis(record.created_at)) : bound;
            if (!bound) {
                return bound;
            }
            auto inserted = stmt->Run();
            if (!inserted) {
                return inserted.error();
            }
            if (*inserted == 0) {
                return MakeError(
                    ErrorCode::kConflict,
                    KeyName(record.tenant, record.classification, record.version) + " already exists"
                );
            }
            return Ok();
        });
    });
}

Result<void> SqliteWrappedKeyStore::SetPolicy(const KeyPolicyRecord& policy) {
    if (auto valid = CheckTenantAndClass(policy.tenant, policy.classification); !valid) {
        return valid;
    }
    return store_.WriteBlocking([&policy](sqlite::Connection& conn) -> Result<void> {
        return WithSecureDelete(conn, [&]() -> Result<void> {
            auto stmt = conn.Prepare(
                "INSERT INTO crypto_key_policies (tenant_id, classification, min_decrypt_version) "
                "VALUES (?1, ?2, ?3) ON CONFLICT (tenant_id, classification) "
                "DO UPDATE SET min_decrypt_version = excluded.min_decrypt_version"
            );
            if (!stmt) {
                return stmt.error();
            }
            Result<void> bound = stmt->Bind(1, std::string_view(policy.tenant));
            bound = bound ? stmt->Bind(2, static_cast<std::int64_t>(policy.classification)) : bound;
            bound = bound ? stmt->Bind(3, static_cast<std::int64_t>(policy.min_decrypt_version)) : bound;
            if (!bound) {
                return bound;
            }
            auto ran = stmt->Run();
            return ran ? Ok() : Result<void>(ran.error());
        });
    });
}

Result<void> SqliteWrappedKeyStore::DeleteTenant(std::string_view tenant) {
    if (tenant.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "key store: a tenant is required");
    }
    std::int64_t keys_deleted = 0;
    auto deleted = store_.WriteBlocking([tenant, &keys_deleted](sqlite::Connection& conn) -> Result<void> {
        return WithSecureDelete(conn, [&]() -> Result<void> {
            auto policies =
                RunForTenant(conn, "DELETE FROM crypto_key_policies WHERE tenant_id = ?1", tenant);
            if (!policies) {
                return policies.error();
            }
            auto keys = RunForTenant(conn, "DELETE FROM crypto_data_keys WHERE tenant_id = ?1", tenant);
            if (!keys) {
                return keys.error();
            }
            keys_deleted = *keys;
            return Ok();
        });
    });
    if (!deleted) {
        return deleted.error();
    }
    const std::string count_text = std::to_string(keys_deleted);
    obs::Log(
        obs::LogLevel::kInfo, kLogger, "wrapped data keys deleted", {{"tenant", tenant}, {"keys", count_text}}
    );
    return CheckpointTruncate();
}

Result<void> SqliteWrappedKeyStore::CheckpointTruncate() {
    // A connection of our own: the writer's connection is always inside a group-commit transaction
    // when it runs our code, and a checkpoint needs a connection without one.
    auto conn = sqlite::Connection::Open(
        store_.DatabasePath(),
        {.read_only = false, .busy_timeout = options_.checkpoint_timeout, .create = false}
    );
    if (!conn) {
        return conn.error();
    }
    auto stmt = conn->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return MakeError(ErrorCode::kInternal, "key store: PRAGMA wal_checkpoint returned no row");
    }
    if (stmt->ColumnInt64(0) != 0) {
        obs::Log(
            obs::LogLevel::kWarn,
            kLogger,
            "WAL checkpoint after deleting data keys did not complete; they may remain in the WAL",
            {{"path", store_.DatabasePath()}}
        );
        return MakeError(
            ErrorCode::kUnavailable,
            "key store: keys deleted, but the WAL checkpoint did not complete (long read transaction?); retry"
        );
    }
    return Ok();
}

}  // namespace gw::store
