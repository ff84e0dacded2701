#include "crypto/internal/jwt_key_import.hpp"

#include <openssl/core_names.h>

#include "crypto/encoding.hpp"
#include "crypto/internal/jwt_json.hpp"
#include "crypto/internal/jwt_signature.hpp"

namespace gw::crypto::internal {
namespace {

namespace json = boost::json;

Error Invalid(std::string why) {
    return MakeError(ErrorCode::kInvalidArgument, "jwk: " + std::move(why));
}

Result<EvpPkeyPtr> FromData(const char* type, ParamBldPtr bld) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return Invalid(std::string("cannot import ") + type + " key: " + DrainOpenSslErrors());
    }
    return EvpPkeyPtr(raw);
}

}  // namespace

Result<std::vector<std::uint8_t>> RequiredB64UrlMember(const json::object& obj, std::string_view name) {
    const json::string* s = internal::FindString(obj, name);
    if (s == nullptr) {
        return Invalid("missing member '" + std::string(name) + "'");
    }
    auto bytes = Base64UrlDecode(std::string_view(s->data(), s->size()));
    if (!bytes) {
        return Invalid("member '" + std::string(name) + "' is not base64url");
    }
    return bytes;
}

Result<EvpPkeyPtr> ImportRsaJwk(const json::object& obj) {
    auto n_bytes = RequiredB64UrlMember(obj, "n");
    auto e_bytes = RequiredB64UrlMember(obj, "e");
    if (!n_bytes || !e_bytes) {
        return !n_bytes ? n_bytes.error() : e_bytes.error();
    }
    if (n_bytes->empty() || e_bytes->empty() || e_bytes->size() > 8 ||
        n_bytes->size() > static_cast<std::size_t>(internal::kMaxRsaBits / 8 + 1)) {
        return Invalid("RSA n/e out of range");
    }
    BnPtr n(BN_bin2bn(n_bytes->data(), static_cast<int>(n_bytes->size()), nullptr));
    BnPtr e(BN_bin2bn(e_bytes->data(), static_cast<int>(e_bytes->size()), nullptr));
    if (!n || !e) {
        return MakeError(ErrorCode::kInternal, "jwk: BN_bin2bn failed");
    }
    if (BN_num_bits(n.get()) < internal::kMinRsaBits || BN_num_bits(n.get()) > internal::kMaxRsaBits) {
        return Invalid("RSA modulus must have 2048..16384 bits");
    }
    if (!BN_is_odd(e.get()) || BN_is_one(e.get())) {
        return Invalid("RSA exponent must be odd and > 1");
    }
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
        return MakeError(ErrorCode::kInternal, "jwk: OSSL_PARAM_BLD failed");
    }
    return FromData("RSA", std::move(bld));
}

Result<EvpPkeyPtr> ImportEcJwk(const json::object& obj) {
    const json::string* crv = internal::FindString(obj, "crv");
    if (crv == nullptr || *crv != "P-256") {
        return Invalid("unsupported EC crv (only P-256)");
    }
    auto x = RequiredB64UrlMember(obj, "x");
    auto y = RequiredB64UrlMember(obj, "y");
    if (!x || !y) {
        return !x ? x.error() : y.error();
    }
    if (x->size() != internal::kEs256CoordinateSize || y->size() != internal::kEs256CoordinateSize) {
        return Invalid("P-256 coordinates must be 32 bytes");
    }
    std::vector<std::uint8_t> point{0x04};
    point.insert(point.end(), x->begin(), x->end());
    point.insert(point.end(), y->begin(), y->end());
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) !=
            1) {
        return MakeError(ErrorCode::kInternal, "jwk: OSSL_PARAM_BLD failed");
    }
    auto pkey = FromData("EC", std::move(bld));
    if (!pkey) {
        return pkey.error();
    }
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        DrainOpenSslErrors();
        return Invalid("EC point is not on P-256");
    }
    return pkey;
}

Result<EvpPkeyPtr> ImportOkpJwk(const json::object& obj) {
    const json::string* crv = internal::FindString(obj, "crv");
    if (crv == nullptr || *crv != "Ed25519") {
        return Invalid("unsupported OKP crv (only Ed25519)");
    }
    auto x = RequiredB64UrlMember(obj, "x");
    if (!x) {
        return x.error();
    }
    if (x->size() != 32) {
        return Invalid("Ed25519 x must be 32 bytes");
    }
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x->data(), x->size()));
    if (!pkey) {
        return Invalid("cannot import Ed25519 key: " + DrainOpenSslErrors());
    }
    return pkey;
}

Result<std::string> BnParamToB64Url(EVP_PKEY* pkey, const char* param, int pad_to) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) {
        return MakeError(ErrorCode::kInternal, "jwk: cannot read key parameter: " + DrainOpenSslErrors());
    }
    BnPtr bn(raw);
    const int len = pad_to > 0 ? pad_to : BN_num_bytes(bn.get());
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(len));
    if (BN_bn2binpad(bn.get(), bytes.data(), len) < 0) {
        return MakeError(ErrorCode::kInternal, "jwk: key parameter too large");
    }
    return Base64UrlEncode(bytes);
}

}  // namespace gw::crypto::internal
