#include "crypto/jwk.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "crypto/encoding.hpp"
#include "crypto/internal/jwt_json.hpp"
#include "crypto/internal/jwt_key.hpp"
#include "crypto/internal/jwt_key_import.hpp"
#include "crypto/internal/jwt_signature.hpp"

namespace gw::crypto {
namespace {

namespace json = boost::json;
using internal::DrainOpenSslErrors;
using internal::EvpPkeyPtr;

Error Invalid(std::string why) {
    return MakeError(ErrorCode::kInvalidArgument, "jwk: " + std::move(why));
}

/// Reads an optional string member; a present non-string member is an error.
Result<std::optional<std::string>> OptionalString(const json::object& obj, std::string_view name) {
    const json::value* v = obj.if_contains(json::string_view(name.data(), name.size()));
    if (v == nullptr) {
        return std::optional<std::string>();
    }
    if (!v->is_string()) {
        return Invalid("member '" + std::string(name) + "' is not a string");
    }
    return std::optional<std::string>(std::string(v->get_string()));
}

Result<Jwk> FromJsonObject(const json::object& obj, bool allow_symmetric) {
    auto impl = std::make_shared<Jwk::Impl>();
    const json::string* kty = internal::FindString(obj, "kty");
    if (kty == nullptr) {
        return Invalid("missing kty");
    }
    auto kid = OptionalString(obj, "kid");
    auto alg = OptionalString(obj, "alg");
    auto use = OptionalString(obj, "use");
    if (!kid || !alg || !use) {
        return !kid ? kid.error() : (!alg ? alg.error() : use.error());
    }
    impl->kid = kid->value_or("");
    impl->alg = std::move(*alg);
    impl->use = std::move(*use);
    if (const json::value* ops = obj.if_contains("key_ops")) {
        if (!ops->is_array()) {
            return Invalid("key_ops is not an array");
        }
        std::vector<std::string> list;
        for (const json::value& op : ops->get_array()) {
            if (!op.is_string()) {
                return Invalid("key_ops entry is not a string");
            }
            list.emplace_back(op.get_string());
        }
        impl->key_ops = std::move(list);
    }
    Result<EvpPkeyPtr> pkey = EvpPkeyPtr();
    if (*kty == "RSA") {
        impl->type = JwkType::kRsa;
        pkey = internal::ImportRsaJwk(obj);
    } else if (*kty == "EC") {
        impl->type = JwkType::kEc;
        pkey = internal::ImportEcJwk(obj);
    } else if (*kty == "OKP") {
        impl->type = JwkType::kOkp;
        pkey = internal::ImportOkpJwk(obj);
    } else if (*kty == "oct") {
        if (!allow_symmetric) {
            return Invalid("symmetric (oct) keys are not accepted here");
        }
        impl->type = JwkType::kOct;
        auto k = internal::RequiredB64UrlMember(obj, "k");
        if (!k) {
            return k.error();
        }
        if (k->size() < 32) {
            return Invalid("HMAC key must be at least 32 bytes");
        }
        impl->secret = std::move(*k);
    } else {
        return Invalid("unsupported kty '" + std::string(*kty) + "'");
    }
    if (!pkey) {
        return pkey.error();
    }
    impl->pkey = std::move(*pkey);
    return Jwk(std::move(impl));
}

}  // namespace

std::string_view JwtAlgName(JwtAlg alg) noexcept {
    switch (alg) {
        case JwtAlg::kHs256:
            return "HS256";
        case JwtAlg::kRs256:
            return "RS256";
        case JwtAlg::kEs256:
            return "ES256";
        case JwtAlg::kEdDsa:
            return "EdDSA";
    }
    return "?";
}

std::optional<JwtAlg> JwtAlgFromName(std::string_view name) noexcept {
    for (const JwtAlg alg : {JwtAlg::kHs256, JwtAlg::kRs256, JwtAlg::kEs256, JwtAlg::kEdDsa}) {
        if (name == JwtAlgName(alg)) {
            return alg;
        }
    }
    return std::nullopt;
}

Jwk::Jwk(std::shared_ptr<const Impl> impl) noexcept : impl_(std::move(impl)) {}

JwkType Jwk::type() const noexcept {
    return impl_->type;
}

const std::string& Jwk::kid() const noexcept {
    return impl_->kid;
}

const std::optional<std::string>& Jwk::alg() const noexcept {
    return impl_->alg;
}

const std::optional<std::string>& Jwk::use() const noexcept {
    return impl_->use;
}

bool Jwk::CanVerify(JwtAlg alg) const noexcept {
    JwkType needed = JwkType::kOct;
    switch (alg) {
        case JwtAlg::kHs256:
            needed = JwkType::kOct;
            break;
        case JwtAlg::kRs256:
            needed = JwkType::kRsa;
            break;
        case JwtAlg::kEs256:
            needed = JwkType::kEc;
            break;
        case JwtAlg::kEdDsa:
            needed = JwkType::kOkp;
            break;
    }
    if (impl_->type != needed) {
        return false;
    }
    if (impl_->alg && *impl_->alg != JwtAlgName(alg)) {
        return false;
    }
    if (impl_->use && *impl_->use != "sig") {
        return false;
    }
    if (impl_->key_ops &&
        std::find(impl_->key_ops->begin(), impl_->key_ops->end(), "verify") == impl_->key_ops->end()) {
        return false;
    }
    return true;
}

Result<std::string> Jwk::ToPublicJson() const {
    json::object obj;
    EVP_PKEY* pkey = impl_->pkey.get();
    switch (impl_->type) {
        case JwkType::kOct:
            return Invalid("oct keys are never serialised");
        case JwkType::kRsa: {
            auto n = internal::BnParamToB64Url(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
            auto e = internal::BnParamToB64Url(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
            if (!n || !e) {
                return !n ? n.error() : e.error();
            }
            obj["kty"] = "RSA";
            obj["n"] = *n;
            obj["e"] = *e;
            break;
        }
        case JwkType::kEc: {
            auto x = internal::BnParamToB64Url(pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32);
            auto y = internal::BnParamToB64Url(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
            if (!x || !y) {
                return !x ? x.error() : y.error();
            }
            obj["kty"] = "EC";
            obj["crv"] = "P-256";
            obj["x"] = *x;
            obj["y"] = *y;
            break;
        }
        case JwkType::kOkp: {
            std::array<std::uint8_t, 32> raw{};
            std::size_t len = raw.size();
            if (EVP_PKEY_get_raw_public_key(pkey, raw.data(), &len) != 1) {
                return MakeError(
                    ErrorCode::kInternal, "jwk: cannot read Ed25519 key: " + DrainOpenSslErrors()
                );
            }
            obj["kty"] = "OKP";
            obj["crv"] = "Ed25519";
            obj["x"] = Base64UrlEncode(std::span<const std::uint8_t>(raw.data(), len));
            break;
        }
    }
    if (!impl_->kid.empty()) {
        obj["kid"] = impl_->kid;
    }
    if (impl_->alg) {
        obj["alg"] = *impl_->alg;
    }
    if (impl_->use) {
        obj["use"] = *impl_->use;
    }
    return json::serialize(obj);
}

Result<Jwk> Jwk::FromJson(std::string_view text, bool allow_symmetric) {
    if (text.size() > (64U << 10)) {
        return Invalid("JWK too large");
    }
    auto obj = internal::ParseStrictJsonObject(text);
    if (!obj) {
        return Invalid(obj.error().message);
    }
    return FromJsonObject(*obj, allow_symmetric);
}

Result<Jwk> Jwk::FromPublicKeyPem(std::string_view pem, std::string kid) {
    internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EvpPkeyPtr pkey(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!pkey) {
        DrainOpenSslErrors();
        return Invalid("not a PEM public key");
    }
    auto impl = std::make_shared<Impl>();
    impl->kid = std::move(kid);
    if (internal::IsRsaKey(pkey.get())) {
        const int bits = EVP_PKEY_get_bits(pkey.get());
        if (bits < internal::kMinRsaBits || bits > internal::kMaxRsaBits) {
            return Invalid("RSA modulus must have 2048..16384 bits");
        }
        impl->type = JwkType::kRsa;
    } else if (internal::IsP256Key(pkey.get())) {
        impl->type = JwkType::kEc;
    } else if (internal::IsEd25519Key(pkey.get())) {
        impl->type = JwkType::kOkp;
    } else {
        return Invalid("unsupported public key type (RSA, EC P-256 or Ed25519)");
    }
    impl->pkey = std::move(pkey);
    return Jwk(std::move(impl));
}

Result<Jwk> Jwk::FromHmacSecret(std::span<const std::uint8_t> secret, std::string kid) {
    if (secret.size() < 32) {
        return Invalid("HMAC key must be at least 32 bytes");
    }
    auto impl = std::make_shared<Impl>();
    impl->type = JwkType::kOct;
    impl->kid = std::move(kid);
    impl->secret.assign(secret.begin(), secret.end());
    return Jwk(std::move(impl));
}

Result<Jwk> Jwk::FromHmacSecret(std::string_view secret, std::string kid) {
    return FromHmacSecret(
        std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()), std::move(kid)
    );
}

Result<JwkSet> JwkSet::Parse(std::string_view jwks_json, const JwkSetParseOptions& options) {
    if (jwks_json.size() > options.max_document_bytes) {
        return Invalid("JWKS document too large");
    }
    auto doc = internal::ParseStrictJsonObject(jwks_json);
    if (!doc) {
        return Invalid("JWKS: " + doc.error().message);
    }
    const json::value* keys = doc->if_contains("keys");
    if (keys == nullptr || !keys->is_array()) {
        return Invalid("JWKS has no \"keys\" array");
    }
    if (keys->get_array().size() > options.max_keys) {
        return Invalid("JWKS has too many keys");
    }
    JwkSet set;
    std::size_t index = 0;
    for (const json::value& entry : keys->get_array()) {
        const std::string label = "key #" + std::to_string(index++);
        if (!entry.is_object()) {
            set.skipped_.push_back(label + ": not an object");
            continue;
        }
        auto key = FromJsonObject(entry.get_object(), options.allow_symmetric);
        if (!key) {
            const json::string* kid = internal::FindString(entry.get_object(), "kid");
            set.skipped_.push_back(
                label + (kid != nullptr ? " (kid '" + std::string(*kid) + "')" : "") + ": " +
                key.error().message
            );
            continue;
        }
        set.keys_.push_back(std::move(*key));
    }
    return set;
}

void JwkSet::Add(Jwk key) {
    keys_.push_back(std::move(key));
}

std::vector<Jwk> JwkSet::FindKeys(std::optional<std::string_view> kid) const {
    if (!kid) {
        return keys_;
    }
    std::vector<Jwk> out;
    for (const Jwk& key : keys_) {
        if (key.kid() == *kid) {
            out.push_back(key);
        }
    }
    return out;
}

}  // namespace gw::crypto
