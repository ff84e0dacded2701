#include "crypto/jwt_sign.hpp"

#include <array>
#include <functional>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/encoding.hpp"
#include "crypto/hmac.hpp"
#include "crypto/internal/jwt_evp.hpp"
#include "crypto/internal/jwt_json.hpp"
#include "crypto/internal/jwt_signature.hpp"
#include "crypto/random.hpp"

namespace gw::crypto {

struct JwtSigningKey::Impl {
    internal::EvpPkeyPtr pkey;
    std::vector<std::uint8_t> secret;

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    ~Impl() {
        if (!secret.empty()) {
            OPENSSL_cleanse(secret.data(), secret.size());
        }
    }
};

namespace {

using internal::DrainOpenSslErrors;
using internal::EvpPkeyCtxPtr;
using internal::EvpPkeyPtr;

Error Invalid(std::string why) {
    return MakeError(ErrorCode::kInvalidArgument, "jwt sign: " + std::move(why));
}

Result<JwtSigningKey> FromPkey(EvpPkeyPtr pkey) {
    EVP_PKEY* p = pkey.get();
    const bool rsa_ok = internal::IsRsaKey(p) && EVP_PKEY_get_bits(p) >= internal::kMinRsaBits;
    if (!rsa_ok && !internal::IsP256Key(p) && !internal::IsEd25519Key(p)) {
        return Invalid("unsupported private key (RSA >= 2048, EC P-256 or Ed25519)");
    }
    auto impl = std::make_shared<JwtSigningKey::Impl>();
    impl->pkey = std::move(pkey);
    return JwtSigningKey(std::move(impl));
}

Result<EvpPkeyPtr> GenerateKey(JwtAlg alg) {
    EVP_PKEY* raw = nullptr;
    switch (alg) {
        case JwtAlg::kRs256:
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048));
            break;
        case JwtAlg::kEs256:
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
            break;
        case JwtAlg::kEdDsa:
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
            break;
        case JwtAlg::kHs256:
            break;
    }
    if (raw == nullptr) {
        return MakeError(ErrorCode::kInternal, "jwt sign: key generation failed: " + DrainOpenSslErrors());
    }
    return EvpPkeyPtr(raw);
}

Result<std::string> BioToString(const std::function<int(BIO*)>& write) {
    internal::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) {
        return MakeError(ErrorCode::kInternal, "jwt sign: PEM write failed: " + DrainOpenSslErrors());
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

JwtSigningKey::JwtSigningKey(std::shared_ptr<const Impl> impl) noexcept : impl_(std::move(impl)) {}

Result<JwtSigningKey> JwtSigningKey::FromPrivateKeyPem(std::string_view pem) {
    internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EvpPkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!pkey) {
        DrainOpenSslErrors();
        return Invalid("not an unencrypted PEM private key");
    }
    return FromPkey(std::move(pkey));
}

Result<JwtSigningKey> JwtSigningKey::FromHmacSecret(std::span<const std::uint8_t> secret) {
    if (secret.size() < 32) {
        return Invalid("HMAC key must be at least 32 bytes");
    }
    auto impl = std::make_shared<Impl>();
    impl->secret.assign(secret.begin(), secret.end());
    return JwtSigningKey(std::move(impl));
}

Result<JwtSigningKey> JwtSigningKey::FromHmacSecret(std::string_view secret) {
    return FromHmacSecret(std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()));
}

Result<JwtSigningKey> JwtSigningKey::FromEd25519(const Ed25519KeyPair& pair) {
    const auto seed = pair.seed();
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    if (!pkey) {
        return MakeError(ErrorCode::kInternal, "jwt sign: cannot load Ed25519 seed: " + DrainOpenSslErrors());
    }
    return FromPkey(std::move(pkey));
}

Result<JwtSigningKey> JwtSigningKey::Generate(JwtAlg alg) {
    if (alg == JwtAlg::kHs256) {
        std::array<std::uint8_t, 32> secret{};
        SecureRandom(secret);
        auto key = FromHmacSecret(secret);
        OPENSSL_cleanse(secret.data(), secret.size());
        return key;
    }
    auto pkey = GenerateKey(alg);
    if (!pkey) {
        return pkey.error();
    }
    return FromPkey(std::move(*pkey));
}

bool JwtSigningKey::CanSign(JwtAlg alg) const noexcept {
    EVP_PKEY* p = impl_->pkey.get();
    switch (alg) {
        case JwtAlg::kHs256:
            return p == nullptr;
        case JwtAlg::kRs256:
            return p != nullptr && internal::IsRsaKey(p);
        case JwtAlg::kEs256:
            return p != nullptr && internal::IsP256Key(p);
        case JwtAlg::kEdDsa:
            return p != nullptr && internal::IsEd25519Key(p);
    }
    return false;
}

Result<Jwk> JwtSigningKey::VerificationKey(std::string kid) const {
    if (!impl_->pkey) {
        return Jwk::FromHmacSecret(impl_->secret, std::move(kid));
    }
    auto pem = PublicKeyPem();
    if (!pem) {
        return pem.error();
    }
    return Jwk::FromPublicKeyPem(*pem, std::move(kid));
}

Result<std::string> JwtSigningKey::PublicKeyPem() const {
    if (!impl_->pkey) {
        return Invalid("HMAC keys have no public key");
    }
    EVP_PKEY* p = impl_->pkey.get();
    return BioToString([p](BIO* bio) { return PEM_write_bio_PUBKEY(bio, p); });
}

Result<std::string> JwtSigningKey::PrivateKeyPem() const {
    if (!impl_->pkey) {
        return Invalid("HMAC keys have no PEM form");
    }
    EVP_PKEY* p = impl_->pkey.get();
    return BioToString([p](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, p, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

Result<std::string> SignJwsCompact(
    JwtAlg alg, const JwtSigningKey& key, std::string_view header_json, std::string_view payload_json
) {
    if (!key.CanSign(alg)) {
        return Invalid("key cannot sign " + std::string(JwtAlgName(alg)));
    }
    std::string token = Base64UrlEncode(header_json);
    token += '.';
    token += Base64UrlEncode(payload_json);
    std::vector<std::uint8_t> sig;
    if (alg == JwtAlg::kHs256) {
        const auto data = std::span(reinterpret_cast<const std::uint8_t*>(token.data()), token.size());
        const HmacSha256Tag tag = HmacSha256(key.impl().secret, data);
        sig.assign(tag.begin(), tag.end());
    } else {
        auto signed_bytes = internal::SignJwsAsymmetric(alg, key.impl().pkey.get(), token);
        if (!signed_bytes) {
            return signed_bytes.error();
        }
        sig = std::move(*signed_bytes);
    }
    token += '.';
    token += Base64UrlEncode(sig);
    return token;
}

Result<std::string> SignJwt(
    JwtAlg alg, const JwtSigningKey& key, std::string_view claims_json, const JwtSignOptions& options
) {
    auto claims = internal::ParseStrictJsonObject(claims_json);
    if (!claims) {
        return Invalid("claims: " + claims.error().message);
    }
    boost::json::object header;
    header["alg"] = JwtAlgName(alg);
    if (!options.typ.empty()) {
        header["typ"] = options.typ;
    }
    if (!options.kid.empty()) {
        header["kid"] = options.kid;
    }
    return SignJwsCompact(alg, key, boost::json::serialize(header), claims_json);
}

}  // namespace gw::crypto
