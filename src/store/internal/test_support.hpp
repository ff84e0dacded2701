#pragma once
/// @file
/// @brief Helpers for the store's own tests: a mkdtemp directory and one-value queries.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "drivers/sqlite/connection.hpp"

namespace gw::store::internal {

/// A unique temporary directory, removed with its contents on destruction.
class TempDirForTest {
public:
    TempDirForTest() {
        std::string templ = (std::filesystem::temp_directory_path() / "gw-store-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr) {
            std::abort();  // no test can run without a writable temp dir
        }
        path_ = templ;
    }

    TempDirForTest(const TempDirForTest&) = delete;
    TempDirForTest& operator=(const TempDirForTest&) = delete;

    ~TempDirForTest() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }

    const std::filesystem::path& Path() const noexcept { return path_; }

    std::string Sub(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

/// First column of the first row as an integer (-1 with no row or on error).
inline std::int64_t QueryInt(sqlite::Connection& conn, std::string_view sql) {
    auto stmt = conn.Prepare(sql);
    if (!stmt) {
        return -1;
    }
    auto row = stmt->Step();
    return row && *row ? stmt->ColumnInt64(0) : -1;
}

/// First column of the first row as text ("" with no row or on error).
inline std::string QueryText(sqlite::Connection& conn, std::string_view sql) {
    auto stmt = conn.Prepare(sql);
    if (!stmt) {
        return {};
    }
    auto row = stmt->Step();
    return row && *row ? std::string(stmt->ColumnText(0)) : std::string();
}

}  // namespace gw::store::internal
