#pragma once
/// @file
/// @brief Shared test helper: a fresh directory under the system temp dir (mkdtemp), removed with its
/// contents on destruction.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <stdlib.h>

namespace gw::testing {

class TempDir {
public:
    explicit TempDir(std::string_view prefix = "gw-test") {
        std::string templ =
            (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
        if (::mkdtemp(templ.data()) == nullptr) {
            std::abort();  // without a writable temp dir no test can run
        }
        path_ = templ;
    }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }

    const std::filesystem::path& Path() const noexcept { return path_; }

    /// The full path of `name` inside the directory (the file need not exist).
    std::string File(const std::string& name) const { return (path_ / name).string(); }

    /// Writes `content` to `name` inside the directory and returns its full path.
    std::string Write(const std::string& name, std::string_view content) const {
        const auto file = path_ / name;
        std::ofstream out(file, std::ios::binary);
        out << content;
        return file.string();
    }

private:
    std::filesystem::path path_;
};

}  // namespace gw::testing
