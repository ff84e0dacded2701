#include "crypto/ed25519.hpp"

#include <algorithm>
#include <vector>

#include <openssl/crypto.h>

#include "crypto/encoding.hpp"
#include "crypto/internal/jwt_evp.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"

namespace gw::crypto {
namespace {

using internal::DrainOpenSslErrors;
using internal::EvpMdCtxPtr;
using internal::EvpPkeyPtr;

constexpr std::string_view kPublicKeyInvalid = "public_key_invalid: ";
constexpr std::string_view kSignatureInvalid = "signature_invalid: ";

/// DER SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 },
/// BIT STRING (33 bytes, 0 unused bits) }.
constexpr std::array<std::uint8_t, 12> kSpkiPrefix = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

Error PublicKeyInvalid(std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(kPublicKeyInvalid) + std::string(why));
}

Error SignatureInvalid(std::string_view why) {
    return MakeError(ErrorCode::kUnauthenticated, std::string(kSignatureInvalid) + std::string(why));
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Result<Ed25519PublicKey> KeyFromDer(std::span<const std::uint8_t> der) {
    Ed25519PublicKey key{};
    if (der.size() == kEd25519PublicKeySize) {
        std::copy(der.begin(), der.end(), key.begin());
        return key;
    }
    if (der.size() == kSpkiPrefix.size() + kEd25519PublicKeySize &&
        std::equal(kSpkiPrefix.begin(), kSpkiPrefix.end(), der.begin())) {
        std::copy(der.begin() + kSpkiPrefix.size(), der.end(), key.begin());
        return key;
    }
    return PublicKeyInvalid("not a raw or SPKI Ed25519 key");
}

Result<Ed25519PublicKey> KeyFromPem(std::string_view pem) {
    constexpr std::string_view kBegin = "-----BEGIN PUBLIC KEY-----";
    constexpr std::string_view kEnd = "-----END PUBLIC KEY-----";
    const auto begin = pem.find(kBegin);
    const auto end = pem.find(kEnd);
    if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) {
        return PublicKeyInvalid("malformed PEM");
    }
    std::string body;
    for (const char c : pem.substr(begin + kBegin.size(), end - begin - kBegin.size())) {
        if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
            body.push_back(c);
        }
    }
    auto der = Base64Decode(body);
    if (!der) {
        return PublicKeyInvalid("malformed PEM base64");
    }
    if (der->size() != kSpkiPrefix.size() + kEd25519PublicKeySize) {
        return PublicKeyInvalid("PEM does not hold an Ed25519 SPKI");
    }
    return KeyFromDer(*der);
}

}  // namespace

Ed25519KeyPair::~Ed25519KeyPair() {
    OPENSSL_cleanse(seed_.data(), seed_.size());
}

Result<Ed25519KeyPair> Ed25519KeyPair::Generate() {
    std::array<std::uint8_t, kEd25519SeedSize> seed{};
    SecureRandom(seed);
    auto pair = FromSeed(seed);
    OPENSSL_cleanse(seed.data(), seed.size());
    return pair;
}

Result<Ed25519KeyPair> Ed25519KeyPair::FromSeed(std::span<const std::uint8_t> seed) {
    if (seed.size() != kEd25519SeedSize) {
        return MakeError(ErrorCode::kInvalidArgument, "ed25519: seed must be 32 bytes");
    }
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    if (!pkey) {
        return MakeError(ErrorCode::kInternal, "ed25519: cannot load seed: " + DrainOpenSslErrors());
    }
    Ed25519KeyPair pair;
    std::copy(seed.begin(), seed.end(), pair.seed_.begin());
    std::size_t len = pair.public_key_.size();
    if (EVP_PKEY_get_raw_public_key(pkey.get(), pair.public_key_.data(), &len) != 1 ||
        len != kEd25519PublicKeySize) {
        return MakeError(ErrorCode::kInternal, "ed25519: cannot derive public key: " + DrainOpenSslErrors());
    }
    return pair;
}

Result<Ed25519Signature> Ed25519KeyPair::Sign(std::span<const std::uint8_t> message) const {
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed_.data(), seed_.size()));
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
        return MakeError(ErrorCode::kInternal, "ed25519: sign init failed: " + DrainOpenSslErrors());
    }
    Ed25519Signature sig{};
    std::size_t len = sig.size();
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 ||
        len != sig.size()) {
        return MakeError(ErrorCode::kInternal, "ed25519: sign failed: " + DrainOpenSslErrors());
    }
    return sig;
}

Result<Ed25519Signature> Ed25519KeyPair::Sign(std::string_view message) const {
    return Sign(AsBytes(message));
}

Result<void> Ed25519Verify(
    std::span<const std::uint8_t> public_key,
    std::span<const std::uint8_t> message,
    std::span<const std::uint8_t> signature
) {
    if (public_key.size() != kEd25519PublicKeySize) {
        return PublicKeyInvalid("public key must be 32 bytes");
    }
    EvpPkeyPtr pkey(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size())
    );
    if (!pkey) {
        DrainOpenSslErrors();
        return PublicKeyInvalid("rejected by OpenSSL");
    }
    if (signature.size() != kEd25519SignatureSize) {
        return SignatureInvalid("signature must be 64 bytes");
    }
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
        return MakeError(ErrorCode::kInternal, "ed25519: verify init failed: " + DrainOpenSslErrors());
    }
    const int rc =
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size());
    if (rc != 1) {
        DrainOpenSslErrors();
        return SignatureInvalid("verification failed");
    }
    return Ok();
}

std::string DeviceIdFromPublicKey(std::span<const std::uint8_t, kEd25519PublicKeySize> public_key) {
    return HexEncode(Sha256(public_key));
}

Result<Ed25519PublicKey> ParseDevicePublicKey(std::string_view encoded) {
    if (encoded.find("-----BEGIN") != std::string_view::npos) {
        return KeyFromPem(encoded);
    }
    if (encoded.size() > 128) {
        return PublicKeyInvalid("too long");
    }
    auto der = Base64UrlDecode(encoded);
    if (!der) {
        return PublicKeyInvalid("not base64url");
    }
    return KeyFromDer(*der);
}

std::string EncodeDevicePublicKey(const Ed25519PublicKey& public_key) {
    return Base64UrlEncode(public_key);
}

Result<void> VerifyDeviceSignature(
    std::string_view public_key, std::string_view message, std::string_view signature_b64url
) {
    auto key = ParseDevicePublicKey(public_key);
    if (!key) {
        return key.error();
    }
    if (signature_b64url.size() > 128) {
        return SignatureInvalid("too long");
    }
    auto sig = Base64UrlDecode(signature_b64url);
    if (!sig) {
        return SignatureInvalid("not base64url");
    }
    return Ed25519Verify(*key, AsBytes(message), *sig);
}

std::optional<DeviceProofFailure> ClassifyDeviceProofError(const Error& error) {
    const std::string_view msg = error.message;
    if (error.code == ErrorCode::kInvalidArgument && msg.starts_with(kPublicKeyInvalid)) {
        return DeviceProofFailure::kPublicKeyInvalid;
    }
    if (error.code == ErrorCode::kUnauthenticated && msg.starts_with(kSignatureInvalid)) {
        return DeviceProofFailure::kSignatureInvalid;
    }
    return std::nullopt;
}

}  // namespace gw::crypto
