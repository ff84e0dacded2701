#pragma once
/// @file
/// @brief Positional binding helpers: `PrepareBound(conn, sql, a, b, c)` prepares `sql` and binds the
/// arguments to parameters 1..N. Optionals bind NULL when empty. Same threading rules as Statement.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "drivers/sqlite/connection.hpp"
#include "drivers/sqlite/statement.hpp"

namespace gw::sqlite {

Result<void> BindValue(Statement& stmt, int index, std::int64_t value);
Result<void> BindValue(Statement& stmt, int index, int value);
Result<void> BindValue(Statement& stmt, int index, bool value);
Result<void> BindValue(Statement& stmt, int index, std::string_view value);
Result<void> BindValue(Statement& stmt, int index, const std::string& value);
Result<void> BindValue(Statement& stmt, int index, const char* value);
Result<void> BindValue(Statement& stmt, int index, const std::optional<std::string>& value);
Result<void> BindValue(Statement& stmt, int index, const std::optional<std::int64_t>& value);

/// Binds `args` to parameters 1..N in order (after a Reset, to reuse a statement).
template <class... Args>
Result<void> BindAll(Statement& stmt, const Args&... args) {
    int index = 0;
    Result<void> bound = Ok();
    ((bound = bound ? BindValue(stmt, ++index, args) : bound), ...);
    return bound;
}

/// Prepares `sql` and binds `args` to parameters 1..N in order.
template <class... Args>
Result<Statement> PrepareBound(Connection& conn, std::string_view sql, const Args&... args) {
    auto stmt = conn.Prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    if (auto bound = BindAll(*stmt, args...); !bound) {
        return bound.error();
    }
    return stmt;
}

}  // namespace gw::sqlite
