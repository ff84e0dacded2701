#include "drivers/sqlite/bind.hpp"

namespace gw::sqlite {

Result<void> BindValue(Statement& stmt, int index, std::int64_t value) {
    return stmt.Bind(index, value);
}

Result<void> BindValue(Statement& stmt, int index, int value) {
    return stmt.Bind(index, static_cast<std::int64_t>(value));
}

Result<void> BindValue(Statement& stmt, int index, bool value) {
    return stmt.Bind(index, static_cast<std::int64_t>(value ? 1 : 0));
}

Result<void> BindValue(Statement& stmt, int index, std::string_view value) {
    return stmt.Bind(index, value);
}

Result<void> BindValue(Statement& stmt, int index, const std::string& value) {
    return stmt.Bind(index, std::string_view(value));
}

Result<void> BindValue(Statement& stmt, int index, const char* value) {
    return stmt.Bind(index, std::string_view(value));
}

Result<void> BindValue(Statement& stmt, int index, const std::optional<std::string>& value) {
    return value ? stmt.Bind(index, std::string_view(*value)) : stmt.BindNull(index);
}

Result<void> BindValue(Statement& stmt, int index, const std::optional<std::int64_t>& value) {
    return value ? stmt.Bind(index, *value) : stmt.BindNull(index);
}

}  // namespace gw::sqlite
