#pragma once
/// @file
/// @brief A unique temporary directory for tests (mkdtemp), removed with its contents on destruction.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace gw::sqlite::internal {

class TempDirForTest {
public:
    TempDirForTest() {
        std::string templ = (std::filesystem::temp_directory_path() / "gw-sqlite-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr) {
            std::abort();  // a test environment without a writable temp dir cannot run any test
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

    std::string File(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace gw::sqlite::internal
