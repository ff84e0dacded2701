#pragma once
/// @file
/// @brief RAII wrapper over a prepared `sqlite3_stmt*`. Must not outlive the Connection that prepared it;
/// used by one thread at a time, like its Connection.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gw::sqlite {

namespace internal {
struct StatementCache;
struct CachedStatement;
}  // namespace internal

/// Storage class of a result column value.
enum class ColumnType { kInteger, kFloat, kText, kBlob, kNull };

/// A compiled statement (possibly borrowed from its Connection's statement cache: destroying it then
/// resets it, clears its bindings and returns it to the cache instead of finalizing it). Parameter and column
/// indexes follow SQLite: parameters are 1-based, columns 0-based. Bind errors (bad index, out of memory)
/// return kInternal/kInvalidArgument.
class Statement {
public:
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Result<void> Bind(int index, std::int64_t value);

    Result<void> Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }

    Result<void> Bind(int index, double value);
    /// Text; SQLite copies it, so `value` need not outlive the call.
    Result<void> Bind(int index, std::string_view value);

    Result<void> Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }

    Result<void> Bind(int index, std::nullptr_t);
    /// Blob; SQLite copies it.
    Result<void> BindBlob(int index, std::span<const std::byte> value);

    Result<void> Bind(int index, std::span<const std::byte> value) { return BindBlob(index, value); }

    Result<void> BindNull(int index) { return Bind(index, nullptr); }

    /// 1-based index of a named parameter (":name", "@name", "$name"), or kInvalidArgument.
    Result<int> ParameterIndex(std::string_view name) const;

    /// Advances: true when a row is available, false when the statement finished.
    /// Errors: kUnavailable (SQLITE_BUSY/LOCKED), kConflict (constraint violation), kInternal otherwise.
    Result<bool> Step();

    /// Steps to completion, discarding rows; returns the number of rows changed.
    Result<std::int64_t> Run();

    /// Rewinds so the statement can run again; bindings are kept (see ClearBindings). The error of a failed
    /// Step is not reported again.
    Result<void> Reset();

    /// Sets every parameter back to NULL.
    Result<void> ClearBindings();

    int ColumnCount() const noexcept;
    std::string ColumnName(int column) const;
    ColumnType Type(int column) const noexcept;

    bool IsNull(int column) const noexcept { return Type(column) == ColumnType::kNull; }

    std::int64_t ColumnInt64(int column) const noexcept;
    double ColumnDouble(int column) const noexcept;
    /// Valid until the next Step/Reset or destruction; copy it to keep it. Empty for NULL.
    std::string_view ColumnText(int column) const noexcept;
    /// Valid until the next Step/Reset or destruction. Empty for NULL.
    std::span<const std::byte> ColumnBlob(int column) const noexcept;

    /// The SQL text the statement was compiled from.
    std::string_view Sql() const noexcept;

private:
    friend class Connection;

    Statement(sqlite3* db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}

    Statement(
        sqlite3* db,
        sqlite3_stmt* stmt,
        std::shared_ptr<internal::StatementCache> cache,
        internal::CachedStatement* entry
    ) noexcept;

    Result<void> CheckBind(int rc, int index, const char* what) const;
    void Finalize() noexcept;

    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    int last_step_rc_ = 0;  ///< result of the most recent sqlite3_step (SQLITE_OK before the first)
    std::shared_ptr<internal::StatementCache> cache_;  ///< set when `stmt_` is borrowed from the cache
    internal::CachedStatement* entry_ = nullptr;       ///< the cache slot `stmt_` returns to
};

}  // namespace gw::sqlite
