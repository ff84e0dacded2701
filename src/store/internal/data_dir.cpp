#include "store/internal/data_dir.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <sys/stat.h>

#include "obs/log.hpp"

namespace gw::store::internal {

namespace {

namespace fs = std::filesystem;

Error SysError(const std::string& what, const fs::path& path, int err) {
    return MakeError(ErrorCode::kInternal, what + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

Result<void> EnsurePrivateDir(const std::string& dir) {
    if (dir.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "store data_dir is empty");
    }
    const fs::path target(dir);
    fs::path current;
    bool created_leaf = false;
    for (const auto& part : target) {
        current /= part;
        if (part.empty()) {
            continue;  // trailing separator
        }

        struct stat st {};

        if (::stat(current.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                return MakeError(
                    ErrorCode::kInternal, "store data_dir: " + current.string() + " is not a directory"
                );
            }
            created_leaf = false;
            continue;
        }
        if (errno != ENOENT) {
            return SysError("store data_dir: cannot stat", current, errno);
        }
        if (::mkdir(current.c_str(), 0700) != 0 && errno != EEXIST) {
            return SysError("store data_dir: cannot create", current, errno);
        }
        // mkdir applies the umask, which may drop owner bits; the directory must end up exactly 0700.
        if (::chmod(current.c_str(), 0700) != 0) {
            return SysError("store data_dir: cannot chmod", current, errno);
        }
        created_leaf = true;
    }
    if (!created_leaf) {
        struct stat st {};

        if (::stat(target.c_str(), &st) != 0) {
            return SysError("store data_dir: cannot stat", target, errno);
        }
        if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
            obs::Log(
                obs::LogLevel::kWarn,
                "gw.store",
                "data dir is accessible by group or others; chmod 700 is recommended",
                {{"path", dir}}
            );
        }
    }
    return Ok();
}

}  // namespace gw::store::internal
