#include "drivers/sqlite/statement.hpp"

#include <utility>

#include <sqlite3.h>

#include "drivers/sqlite/internal/error.hpp"
#include "drivers/sqlite/internal/statement_cache.hpp"

namespace gw::sqlite {

Statement::Statement(
    sqlite3* db,
    sqlite3_stmt* stmt,
    std::shared_ptr<internal::StatementCache> cache,
    internal::CachedStatement* entry
) noexcept
    : db_(db), stmt_(stmt), cache_(std::move(cache)), entry_(entry) {}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      last_step_rc_(other.last_step_rc_),
      cache_(std::move(other.cache_)),
      entry_(std::exchange(other.entry_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        Finalize();
        db_ = std::exchange(other.db_, nullptr);
        stmt_ = std::exchange(other.stmt_, nullptr);
        last_step_rc_ = other.last_step_rc_;
        cache_ = std::move(other.cache_);
        entry_ = std::exchange(other.entry_, nullptr);
    }
    return *this;
}

Statement::~Statement() {
    Finalize();
}

void Statement::Finalize() noexcept {
    if (stmt_ != nullptr && entry_ != nullptr && cache_ && !cache_->closed) {
        // Back to the cache: rewound (releasing any read snapshot) and unbound. The reset code repeats
        // the last Step's error, already reported.
        static_cast<void>(sqlite3_reset(stmt_));
        static_cast<void>(sqlite3_clear_bindings(stmt_));
        entry_->stmt = std::exchange(stmt_, nullptr);
        entry_->in_use = false;
        entry_ = nullptr;
        cache_.reset();
        return;
    }
    entry_ = nullptr;
    cache_.reset();
    if (stmt_ != nullptr) {
        // sqlite3_finalize repeats the error of the last Step (already reported to the caller); the
        // statement is released regardless, so the code carries no new information here.
        static_cast<void>(sqlite3_finalize(std::exchange(stmt_, nullptr)));
    }
}

Result<void> Statement::CheckBind(int rc, int index, const char* what) const {
    if (rc == SQLITE_OK) {
        return Ok();
    }
    if (rc == SQLITE_RANGE) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            std::string("sqlite bind ") + what + ": parameter index " + std::to_string(index) +
                " out of range"
        );
    }
    return internal::Translate(rc, db_, std::string("sqlite bind ") + what);
}

Result<void> Statement::Bind(int index, std::int64_t value) {
    return CheckBind(sqlite3_bind_int64(stmt_, index, value), index, "int64");
}

Result<void> Statement::Bind(int index, double value) {
    return CheckBind(sqlite3_bind_double(stmt_, index, value), index, "double");
}

Result<void> Statement::Bind(int index, std::string_view value) {
    const int rc = sqlite3_bind_text64(
        stmt_, index, value.data(), static_cast<sqlite3_uint64>(value.size()), SQLITE_TRANSIENT, SQLITE_UTF8
    );
    return CheckBind(rc, index, "text");
}

Result<void> Statement::Bind(int index, std::nullptr_t) {
    return CheckBind(sqlite3_bind_null(stmt_, index), index, "null");
}

Result<void> Statement::BindBlob(int index, std::span<const std::byte> value) {
    // A null data pointer would bind NULL instead of an empty blob.
    static constexpr std::byte kEmpty{};
    const void* data = value.empty() ? &kEmpty : value.data();
    const int rc =
        sqlite3_bind_blob64(stmt_, index, data, static_cast<sqlite3_uint64>(value.size()), SQLITE_TRANSIENT);
    return CheckBind(rc, index, "blob");
}

Result<int> Statement::ParameterIndex(std::string_view name) const {
    const std::string key(name);
    const int index = sqlite3_bind_parameter_index(stmt_, key.c_str());
    if (index == 0) {
        return MakeError(ErrorCode::kInvalidArgument, "sqlite: no parameter named " + key);
    }
    return index;
}

Result<bool> Statement::Step() {
    const int rc = sqlite3_step(stmt_);
    last_step_rc_ = rc;
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    return internal::Translate(rc, db_, "sqlite step");
}

Result<std::int64_t> Statement::Run() {
    for (;;) {
        auto row = Step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return sqlite3_changes64(db_);
        }
    }
}

Result<void> Statement::Reset() {
    // sqlite3_reset repeats the error of the previous Step, which the caller already saw; the statement
    // is rewound either way. Any other code is a new failure.
    const int rc = sqlite3_reset(stmt_);
    const int previous = std::exchange(last_step_rc_, SQLITE_OK);
    if (rc != SQLITE_OK && rc != previous) {
        return internal::Translate(rc, db_, "sqlite reset");
    }
    return Ok();
}

Result<void> Statement::ClearBindings() {
    if (const int rc = sqlite3_clear_bindings(stmt_); rc != SQLITE_OK) {
        return internal::Translate(rc, db_, "sqlite clear_bindings");
    }
    return Ok();
}

int Statement::ColumnCount() const noexcept {
    return sqlite3_column_count(stmt_);
}

std::string Statement::ColumnName(int column) const {
    const char* name = sqlite3_column_name(stmt_, column);
    return name == nullptr ? std::string() : std::string(name);
}

ColumnType Statement::Type(int column) const noexcept {
    switch (sqlite3_column_type(stmt_, column)) {
        case SQLITE_INTEGER:
            return ColumnType::kInteger;
        case SQLITE_FLOAT:
            return ColumnType::kFloat;
        case SQLITE_TEXT:
            return ColumnType::kText;
        case SQLITE_BLOB:
            return ColumnType::kBlob;
        default:
            return ColumnType::kNull;
    }
}

std::int64_t Statement::ColumnInt64(int column) const noexcept {
    return sqlite3_column_int64(stmt_, column);
}

double Statement::ColumnDouble(int column) const noexcept {
    return sqlite3_column_double(stmt_, column);
}

std::string_view Statement::ColumnText(int column) const noexcept {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (text == nullptr || size <= 0) {
        return {};
    }
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::span<const std::byte> Statement::ColumnBlob(int column) const noexcept {
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr || size <= 0) {
        return {};
    }
    return {static_cast<const std::byte*>(data), static_cast<std::size_t>(size)};
}

std::string_view Statement::Sql() const noexcept {
    const char* sql = sqlite3_sql(stmt_);
    return sql == nullptr ? std::string_view() : std::string_view(sql);
}

}  // namespace gw::sqlite
