#pragma once
/// @file
/// @brief Numbered, checksummed schema migrations over a writable sqlite::Connection.

#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "drivers/sqlite/connection.hpp"
#include "store/internal/embedded_migrations.hpp"
#include "store/migrations.hpp"

namespace gw::store::internal {

/// One migration with its SHA-256 checksum (hex of the SQL text).
struct Migration {
    int version = 0;
    std::string name;
    std::string sql;
    std::string checksum;

    /// "NNNN_name", the file name without ".sql".
    std::string Label() const;
};

/// Validates and applies migrations, recording each in
/// `schema_migrations(version INTEGER PRIMARY KEY, name TEXT, checksum TEXT, applied_at TEXT)`.
/// Not thread-safe; the connection must not be inside a transaction.
class Migrator {
public:
    /// `migrations` must be versions 1..N in order (kInvalidArgument otherwise).
    static Result<Migrator> Create(std::vector<Migration> migrations);

    /// Computes checksums of the embedded files.
    static Result<Migrator> FromEmbedded(std::span<const EmbeddedMigration> embedded);

    int LatestVersion() const noexcept { return static_cast<int>(migrations_.size()); }

    /// Reads schema_migrations (missing table = version 0) without changing anything. kConflict when the
    /// database is newer than this binary, an applied migration's checksum differs, or a version is missing.
    Result<MigrationStatus> Inspect(sqlite::Connection& conn) const;

    /// Applies every pending migration, each in its own BEGIN IMMEDIATE transaction (re-validated inside
    /// it, so concurrent migrators on one file are safe). Returns the final status; on a failing migration
    /// that migration is rolled back, earlier ones stay, and the error names it.
    Result<MigrationStatus> Apply(sqlite::Connection& conn) const;

private:
    explicit Migrator(std::vector<Migration> migrations) : migrations_(std::move(migrations)) {}

    Result<bool> ApplyNext(sqlite::Connection& conn) const;

    std::vector<Migration> migrations_;
};

/// The readiness check: kUnavailable unless schema_migrations records exactly `latest_version`.
Result<void> CheckSchemaCurrent(sqlite::Connection& conn, int latest_version);

}  // namespace gw::store::internal
