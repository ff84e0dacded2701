#include "store/internal/migrator.hpp"

#include <cstdio>
#include <string_view>

#include "obs/log.hpp"
#include "store/internal/sha256.hpp"

namespace gw::store::internal {

namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER NOT NULL PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";

struct AppliedRow {
    std::int64_t version = 0;
    std::string name;
    std::string checksum;
};

Result<bool> TableExists(sqlite::Connection& conn) {
    auto stmt =
        conn.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->Step();
}

Result<std::vector<AppliedRow>> ReadApplied(sqlite::Connection& conn) {
    std::vector<AppliedRow> rows;
    auto exists = TableExists(conn);
    if (!exists || !*exists) {
        return exists ? Result<std::vector<AppliedRow>>(rows) : exists.error();
    }
    auto stmt = conn.Prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    if (!stmt) {
        return stmt.error();
    }
    for (;;) {
        auto row = stmt->Step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return rows;
        }
        rows.push_back(
            {stmt->ColumnInt64(0), std::string(stmt->ColumnText(1)), std::string(stmt->ColumnText(2))}
        );
    }
}

Error Annotate(Error e, const std::string& prefix) {
    e.message = prefix + e.message;
    return e;
}

/// Rolls back after `cause`; a failing ROLLBACK is appended to the returned error.
Error RollbackAfter(sqlite::Connection& conn, Error cause) {
    if (conn.InTransaction()) {
        if (auto rb = conn.Exec("ROLLBACK"); !rb) {
            cause.message += "; rollback also failed: " + rb.error().message;
        }
    }
    return cause;
}

}  // namespace

std::string Migration::Label() const {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%04d", version);
    return std::string(buf) + "_" + name;
}

Result<Migrator> Migrator::Create(std::vector<Migration> migrations) {
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        if (migrations[i].version != static_cast<int>(i) + 1) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "migrations must be numbered 1..N without gaps; position " + std::to_string(i + 1) +
                    " has version " + std::to_string(migrations[i].version)
            );
        }
    }
    return Migrator(std::move(migrations));
}

Result<Migrator> Migrator::FromEmbedded(std::span<const EmbeddedMigration> embedded) {
    std::vector<Migration> migrations;
    migrations.reserve(embedded.size());
    for (const auto& e : embedded) {
        auto sum = Sha256Hex(e.sql);
        if (!sum) {
            return sum.error();
        }
        migrations.push_back({e.version, std::string(e.name), std::string(e.sql), std::move(*sum)});
    }
    return Create(std::move(migrations));
}

Result<MigrationStatus> Migrator::Inspect(sqlite::Connection& conn) const {
    auto applied = ReadApplied(conn);
    if (!applied) {
        return Annotate(applied.error(), "reading schema_migrations: ");
    }
    const int latest = LatestVersion();
    if (!applied->empty() && applied->back().version > latest) {
        return MakeError(
            ErrorCode::kConflict,
            "database schema version " + std::to_string(applied->back().version) +
                " is newer than this binary supports (" + std::to_string(latest) +
                "); upgrade openclaw-gateway or restore a matching backup"
        );
    }
    for (std::size_t i = 0; i < applied->size(); ++i) {
        const AppliedRow& row = (*applied)[i];
        if (row.version != static_cast<std::int64_t>(i) + 1) {
            return MakeError(
                ErrorCode::kConflict,
                "schema_migrations is inconsistent: version " + std::to_string(i + 1) +
                    " is missing (next recorded version is " + std::to_string(row.version) +
                    "); restore a matching backup"
            );
        }
        const Migration& m = migrations_[i];
        if (row.checksum != m.checksum) {
            return MakeError(
                ErrorCode::kConflict,
                "migration " + m.Label() + " (version " + std::to_string(m.version) +
                    ") differs from the one applied to this database: recorded checksum " + row.checksum +
                    ", embedded checksum " + m.checksum + "; applied migrations must never be edited"
            );
        }
    }
    MigrationStatus status;
    status.applied_version = static_cast<int>(applied->size());
    status.latest_version = latest;
    for (std::size_t i = applied->size(); i < migrations_.size(); ++i) {
        status.pending.push_back(migrations_[i].Label());
    }
    return status;
}

Result<bool> Migrator::ApplyNext(sqlite::Connection& conn) const {
    if (auto begin = conn.Exec("BEGIN IMMEDIATE"); !begin) {
        return Annotate(begin.error(), "migrate: ");
    }
    if (auto create = conn.Exec(kCreateTable); !create) {
        return RollbackAfter(conn, Annotate(create.error(), "migrate: creating schema_migrations: "));
    }
    // Re-inspect under the write lock: another process may have migrated since the caller looked.
    auto status = Inspect(conn);
    if (!status) {
        return RollbackAfter(conn, status.error());
    }
    if (status->pending.empty()) {
        if (auto commit = conn.Exec("COMMIT"); !commit) {
            return RollbackAfter(conn, Annotate(commit.error(), "migrate: "));
        }
        return false;
    }
    const Migration& m = migrations_[static_cast<std::size_t>(status->applied_version)];
    const std::string prefix = "migration " + m.Label() + " failed: ";
    if (auto run = conn.Exec(m.sql); !run) {
        return RollbackAfter(conn, Annotate(run.error(), prefix));
    }
    if (!conn.InTransaction()) {
        return MakeError(
            ErrorCode::kInternal, prefix + "it ended the migrator's transaction (COMMIT/ROLLBACK in SQL)"
        );
    }
    auto insert = conn.Prepare(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
        " VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
    );
    if (!insert) {
        return RollbackAfter(conn, Annotate(insert.error(), prefix));
    }
    auto bound = insert->Bind(1, m.version);
    if (bound) {
        bound = insert->Bind(2, std::string_view(m.name));
    }
    if (bound) {
        bound = insert->Bind(3, std::string_view(m.checksum));
    }
    if (!bound) {
        return RollbackAfter(conn, Annotate(bound.error(), prefix));
    }
    if (auto ran = insert->Run(); !ran) {
        return RollbackAfter(conn, Annotate(ran.error(), prefix));
    }
    if (auto commit = conn.Exec("COMMIT"); !commit) {
        return RollbackAfter(conn, Annotate(commit.error(), prefix));
    }
    obs::Log(
        obs::LogLevel::kInfo,
        "gw.store",
        "applied migration",
        {{"migration", m.Label()}, {"checksum", m.checksum}, {"path", conn.Path()}}
    );
    return true;
}

Result<MigrationStatus> Migrator::Apply(sqlite::Connection& conn) const {
    for (;;) {
        auto applied = ApplyNext(conn);
        if (!applied) {
            return applied.error();
        }
        if (!*applied) {
            return Inspect(conn);
        }
    }
}

Result<void> CheckSchemaCurrent(sqlite::Connection& conn, int latest_version) {
    auto stmt = conn.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!stmt) {
        return Error{ErrorCode::kUnavailable, "store not ready: " + stmt.error().message};
    }
    auto row = stmt->Step();
    if (!row) {
        return Error{ErrorCode::kUnavailable, "store not ready: " + row.error().message};
    }
    const std::int64_t version = *row ? stmt->ColumnInt64(0) : 0;
    if (version != latest_version) {
        return MakeError(
            ErrorCode::kUnavailable,
            "store not ready: schema version " + std::to_string(version) + ", this binary needs " +
                std::to_string(latest_version)
        );
    }
    return Ok();
}

}  // namespace gw::store::internal
