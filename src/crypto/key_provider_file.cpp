// LocalKeyFileProvider: the master key in a local 0600 file, created on first use.
#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/check.hpp"
#include "crypto/encoding.hpp"
#include "crypto/key_provider.hpp"
#include "crypto/random.hpp"

namespace gw::crypto {
namespace {

namespace fs = std::filesystem;

std::string Octal(mode_t mode) {
    std::array<char, 8> buf{};
    std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(mode & 07777));
    return buf.data();
}

Error IoError(std::string_view what, const fs::path& path, int err) {
    return MakeError(
        ErrorCode::kInternal, std::string(what) + " " + path.string() + ": " + std::strerror(err)
    );
}

// Closes the descriptor on scope exit.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}

    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

    int Get() const { return fd_; }

private:
    int fd_;
};

Result<void> EnsurePrivateDirectory(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec) {
            return IoError("cannot create key directory", dir, ec.value());
        }
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
        if (ec) {
            return IoError("cannot chmod 0700 key directory", dir, ec.value());
        }
        return Ok();
    }

    struct stat st {};

    if (::stat(dir.c_str(), &st) != 0) {
        return IoError("cannot stat key directory", dir, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        return MakeError(
            ErrorCode::kInvalidArgument, "key directory " + dir.string() + " is not a directory"
        );
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "key directory " + dir.string() + " has permissions " + Octal(st.st_mode) +
                "; others could replace the key file (chmod 700 " + dir.string() + ")"
        );
    }
    return Ok();
}

bool WriteAll(int fd, std::span<const std::uint8_t> data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        data = data.subspan(static_cast<std::size_t>(n));
    }
    return true;
}

// Writes a fresh key to a private temp file and links it to `path`. If another process created
// `path` first, the link fails with EEXIST and its key wins (the caller then reads it).
Result<void> CreateKeyFile(const fs::path& path) {
    const fs::path tmp = path.string() + ".tmp-" + HexEncode(RandomBytes<8>());
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR));
    if (fd.Get() < 0) {
        return IoError("cannot create key file", tmp, errno);
    }
    auto key = RandomBytes<kAes256KeySize>();
    const bool written =
        ::fchmod(fd.Get(), S_IRUSR | S_IWUSR) == 0 && WriteAll(fd.Get(), key) && ::fsync(fd.Get()) == 0;
    const int write_errno = errno;
    OPENSSL_cleanse(key.data(), key.size());
    if (!written) {
        ::unlink(tmp.c_str());
        return IoError("cannot write key file", tmp, write_errno);
    }
    const bool linked = ::link(tmp.c_str(), path.c_str()) == 0;
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (!linked && link_errno != EEXIST) {
        return IoError("cannot create key file", path, link_errno);
    }
    Fd dir(::open(
        path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC
    ));
    if (dir.Get() >= 0) {
        ::fsync(dir.Get());  // best effort: makes the new directory entry durable
    }
    return Ok();
}

Result<Aes256GcmKey> ReadKeyFile(const fs::path& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.Get() < 0) {
        if (errno == ELOOP) {
            return MakeError(
                ErrorCode::kPermissionDenied, "key file " + path.string() + " is a symlink; refusing it"
            );
        }
        return IoError("cannot open key file", path, errno);
    }

    struct stat st {};

    if (::fstat(fd.Get(), &st) != 0) {
        return IoError("cannot stat key file", path, errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return MakeError(ErrorCode::kInvalidArgument, "key file " + path.string() + " is not a regular file");
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "key file " + path.string() + " has permissions " + Octal(st.st_mode) +
                "; it must not be accessible to group or others (chmod 600 " + path.string() + ")"
        );
    }
    if (st.st_uid != ::geteuid()) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "key file " + path.string() + " is owned by uid " + std::to_string(st.st_uid) +
                ", not by this process (uid " + std::to_string(::geteuid()) + ")"
        );
    }
    if (st.st_size != static_cast<off_t>(kAes256KeySize)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "key file " + path.string() + " has " + std::to_string(st.st_size) +
                " bytes; a master key file holds exactly 32"
        );
    }
    std::array<std::uint8_t, kAes256KeySize> bytes{};
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::read(fd.Get(), bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            OPENSSL_cleanse(bytes.data(), bytes.size());
            return n < 0 ? IoError("cannot read key file", path, errno)
                         : MakeError(
                               ErrorCode::kInvalidArgument, "key file " + path.string() + " is truncated"
                           );
        }
        got += static_cast<std::size_t>(n);
    }
    Aes256GcmKey key(bytes);
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return key;
}

}  // namespace

LocalKeyFileProvider::LocalKeyFileProvider(std::filesystem::path path) : path_(std::move(path)) {}

Result<Aes256GcmKey> LocalKeyFileProvider::MasterKey() {
    const std::lock_guard lock(mutex_);
    if (key_) {
        return key_->Clone();
    }
    const fs::path dir = path_.parent_path().empty() ? fs::path(".") : path_.parent_path();
    if (auto ok = EnsurePrivateDirectory(dir); !ok) {
        return ok.error();
    }
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path_, ec))) {
        if (auto created = CreateKeyFile(path_); !created) {
            return created.error();
        }
    }
    auto key = ReadKeyFile(path_);
    if (!key) {
        return key.error();
    }
    key_ = key->Clone();
    return key;
}

std::string LocalKeyFileProvider::Describe() const {
    return "local master key file " + path_.string();
}

}  // namespace gw::crypto
