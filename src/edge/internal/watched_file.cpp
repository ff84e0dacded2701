#include "edge/internal/watched_file.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

namespace gw::edge::internal {

std::optional<FileIdentity> StatFile(const std::string& path) noexcept {
    struct stat st {};

    if (::stat(path.c_str(), &st) != 0) {
        return std::nullopt;
    }
    FileIdentity id;
    id.device = static_cast<std::uint64_t>(st.st_dev);
    id.inode = static_cast<std::uint64_t>(st.st_ino);
    id.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    id.size = static_cast<std::int64_t>(st.st_size);
    return id;
}

Result<std::string> ReadFileLimited(const std::string& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return MakeError(ErrorCode::kUnavailable, "cannot open " + path + ": " + std::strerror(errno));
    }
    std::string data;
    std::array<char, 64 * 1024> chunk{};
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (data.size() + got > max_bytes) {
            return MakeError(
                ErrorCode::kInvalidArgument, path + " is larger than " + std::to_string(max_bytes) + " bytes"
            );
        }
        data.append(chunk.data(), got);
    }
    if (in.bad()) {
        return MakeError(ErrorCode::kUnavailable, "cannot read " + path);
    }
    return data;
}

}  // namespace gw::edge::internal
