#include "crypto/key_provider.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include <openssl/crypto.h>

#include "crypto/encoding.hpp"

namespace gw::crypto {
namespace {

constexpr std::size_t kWrappedSize = 1 + kAesGcmNonceSize + kAes256KeySize + kAesGcmTagSize;

// Wipes a decoded key buffer on every path out of FromEncoded.
class WipeOnExit {
public:
    explicit WipeOnExit(std::vector<std::uint8_t>& bytes) : bytes_(bytes) {}

    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;

    ~WipeOnExit() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

private:
    std::vector<std::uint8_t>& bytes_;
};

bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && IsSpace(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && IsSpace(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

Result<std::vector<std::uint8_t>> DecodeKeyText(std::string_view text) {
    constexpr std::size_t kHexSize = 2 * kAes256KeySize;
    constexpr std::size_t kBase64Size = 44;
    constexpr std::size_t kBase64UrlSize = 43;
    if (text.size() == kHexSize) {
        return HexDecode(text);
    }
    if (text.size() == kBase64Size) {
        return Base64Decode(text);
    }
    if (text.size() == kBase64UrlSize) {
        return Base64UrlDecode(text);
    }
    return MakeError(ErrorCode::kInvalidArgument, "wrong length " + std::to_string(text.size()));
}

}  // namespace

Result<std::vector<std::uint8_t>> LocalMasterKeyProvider::WrapKey(
    const Aes256GcmKey& data_key, std::span<const std::uint8_t> aad
) {
    auto master = MasterKey();
    if (!master) {
        return master.error();
    }
    std::vector<std::uint8_t> sealed = AesGcmSeal(*master, aad, data_key.Bytes());
    std::vector<std::uint8_t> out;
    out.reserve(1 + sealed.size());
    out.push_back(kWrapFormatLocalAesGcm);
    out.insert(out.end(), sealed.begin(), sealed.end());
    return out;
}

Result<Aes256GcmKey> LocalMasterKeyProvider::UnwrapKey(
    std::span<const std::uint8_t> wrapped, std::span<const std::uint8_t> aad
) {
    if (wrapped.size() != kWrappedSize || wrapped[0] != kWrapFormatLocalAesGcm) {
        return MakeError(
            ErrorCode::kInternal, "wrapped data key has an unknown format (not written by a local master key)"
        );
    }
    auto master = MasterKey();
    if (!master) {
        return master.error();
    }
    auto opened = AesGcmOpen(*master, aad, wrapped.subspan(1));
    if (!opened) {
        return MakeError(
            ErrorCode::kInternal,
            "cannot unwrap data key with the " + Describe() +
                " (a different master key wrapped it, or the wrapped key was modified)"
        );
    }
    WipeOnExit wipe{*opened};
    return Aes256GcmKey::FromBytes(*opened);
}

Result<std::unique_ptr<StaticKeyProvider>> StaticKeyProvider::FromEncoded(
    std::string_view encoded, std::string source
) {
    auto decoded = DecodeKeyText(Trim(encoded));
    if (!decoded || decoded->size() != kAes256KeySize) {
        if (decoded) {
            OPENSSL_cleanse(decoded->data(), decoded->size());
        }
        return MakeError(
            ErrorCode::kInvalidArgument,
            "master key from " + source +
                " is not 32 bytes encoded as 64 hex digits, base64 (44 characters) or base64url (43 "
                "characters)"
        );
    }
    WipeOnExit wipe{*decoded};
    auto key = Aes256GcmKey::FromBytes(*decoded);
    if (!key) {
        return key.error();
    }
    return std::unique_ptr<StaticKeyProvider>(new StaticKeyProvider(std::move(*key), std::move(source)));
}

Result<std::unique_ptr<StaticKeyProvider>> StaticKeyProvider::FromEnv(const std::string& name) {
    // getenv is read-only here; the process does not modify its environment after startup.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr || *value == '\0') {
        return MakeError(ErrorCode::kNotFound, "environment variable " + name + " (master key) is not set");
    }
    return FromEncoded(value, "env:" + name);
}

Result<std::unique_ptr<StaticKeyProvider>> StaticKeyProvider::FromFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return MakeError(ErrorCode::kNotFound, "master key file " + path.string() + " cannot be opened");
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return MakeError(ErrorCode::kInternal, "reading master key file " + path.string() + " failed");
    }
    auto provider = FromEncoded(text, "file:" + path.string());
    OPENSSL_cleanse(text.data(), text.size());
    return provider;
}

Result<std::unique_ptr<StaticKeyProvider>> StaticKeyProvider::FromSecret(const config::Secret& secret) {
    if (!secret.IsSet()) {
        return MakeError(ErrorCode::kNotFound, "master key secret is not set");
    }
    return FromEncoded(secret.value, secret.source.empty() ? std::string("config") : secret.source);
}

}  // namespace gw::crypto
