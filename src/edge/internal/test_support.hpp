#pragma once
/// @file
/// @brief Internal, tests only: temp directories, atomic file writes, the test geo databases and
/// request builders.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <system_error>
#include <utility>

#include <unistd.h>

#include "net/http_types.hpp"

namespace gw::edge::testing {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/gw_edge_XXXXXX";
        if (::mkdtemp(tmpl.data()) != nullptr) {
            path_ = tmpl;
        }
    }

    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    bool ok() const { return !path_.empty(); }

    std::string File(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

/// Writes `content` to `path` through a temporary file and rename (a new inode, like config tools).
inline bool WriteFileAtomically(const std::string& path, const std::string& content) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out) {
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    return !ec;
}

/// The test country databases built from tests/data/make_geo_db.pl (see CMakeLists.txt):
/// kGeoBase maps 1.2.3.0/24→DE, 2001:db8::/32→FR, 5.6.7.0/24→registered_country US;
/// kGeoChanged maps 1.2.3.0/24→NL.
inline constexpr const char* kGeoBase = "geo_base.mmdb";
inline constexpr const char* kGeoChanged = "geo_changed.mmdb";

/// Copies test database `which` to `dest` atomically (a new inode and mtime, like a real update).
inline bool InstallGeoDatabase(const char* which, const std::string& dest) {
    const std::string tmp = dest + ".tmp";
    std::error_code ec;
    std::filesystem::copy_file(
        std::string(GW_EDGE_TEST_GEO_DIR) + "/" + which,
        tmp,
        std::filesystem::copy_options::overwrite_existing,
        ec
    );
    if (ec) {
        return false;
    }
    std::filesystem::rename(tmp, dest, ec);
    return !ec;
}

inline net::HttpRequest MakeRequest(
    std::string remote_ip,
    std::initializer_list<std::pair<std::string, std::string>> headers = {},
    std::string path = "/v1/chat/completions"
) {
    net::HttpRequest r;
    r.method = "POST";
    r.target = path;
    r.path = std::move(path);
    r.remote_ip = std::move(remote_ip);
    r.headers.assign(headers.begin(), headers.end());
    r.request_id = "req-1";
    return r;
}

}  // namespace gw::edge::testing
