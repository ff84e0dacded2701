#include "crypto/internal/jwt_signature.hpp"

#include <array>

#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "crypto/hmac.hpp"
#include "crypto/internal/jwt_evp.hpp"
#include "crypto/internal/jwt_key.hpp"

namespace gw::crypto::internal {
namespace {

Error BadSignature(std::string_view why) {
    return MakeError(ErrorCode::kUnauthenticated, std::string(why));
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// EVP_DigestVerify with `md` (nullptr for EdDSA); RSA keys get PKCS#1 v1.5 padding explicitly.
Result<void> EvpVerify(
    EVP_PKEY* pkey, const EVP_MD* md, std::string_view input, std::span<const std::uint8_t> sig
) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) {
        return BadSignature("verify init failed: " + DrainOpenSslErrors());
    }
    if (IsRsaKey(pkey) && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        return BadSignature("cannot set RSA padding: " + DrainOpenSslErrors());
    }
    const auto data = AsBytes(input);
    if (EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size()) != 1) {
        DrainOpenSslErrors();
        return BadSignature("signature does not verify");
    }
    return Ok();
}

Result<std::vector<std::uint8_t>> EvpSign(EVP_PKEY* pkey, const EVP_MD* md, std::string_view input) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) {
        return MakeError(ErrorCode::kInternal, "sign init failed: " + DrainOpenSslErrors());
    }
    if (IsRsaKey(pkey) && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        return MakeError(ErrorCode::kInternal, "cannot set RSA padding: " + DrainOpenSslErrors());
    }
    const auto data = AsBytes(input);
    std::size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
        return MakeError(ErrorCode::kInternal, "sign failed: " + DrainOpenSslErrors());
    }
    std::vector<std::uint8_t> sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
        return MakeError(ErrorCode::kInternal, "sign failed: " + DrainOpenSslErrors());
    }
    sig.resize(len);
    return sig;
}

}  // namespace

bool IsRsaKey(EVP_PKEY* pkey) {
    return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA;
}

bool IsP256Key(EVP_PKEY* pkey) {
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
        return false;
    }
    std::array<char, 64> name{};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, name.data(), name.size(), &len) != 1) {
        DrainOpenSslErrors();
        return false;
    }
    return std::string_view(name.data(), len) == "prime256v1";
}

bool IsEd25519Key(EVP_PKEY* pkey) {
    return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519;
}

Result<std::vector<std::uint8_t>> EcdsaRawToDer(std::span<const std::uint8_t> raw) {
    if (raw.size() != kEs256SignatureSize) {
        return BadSignature("ES256 signature must be 64 bytes");
    }
    BnPtr r(BN_bin2bn(raw.data(), static_cast<int>(kEs256CoordinateSize), nullptr));
    BnPtr s(BN_bin2bn(raw.data() + kEs256CoordinateSize, static_cast<int>(kEs256CoordinateSize), nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
        return MakeError(ErrorCode::kInternal, "ECDSA_SIG setup failed: " + DrainOpenSslErrors());
    }
    (void)r.release();  // now owned by sig
    (void)s.release();
    const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (len <= 0) {
        return MakeError(ErrorCode::kInternal, "i2d_ECDSA_SIG failed: " + DrainOpenSslErrors());
    }
    std::vector<std::uint8_t> der(static_cast<std::size_t>(len));
    unsigned char* p = der.data();
    if (i2d_ECDSA_SIG(sig.get(), &p) != len) {
        return MakeError(ErrorCode::kInternal, "i2d_ECDSA_SIG failed: " + DrainOpenSslErrors());
    }
    return der;
}

Result<std::vector<std::uint8_t>> EcdsaDerToRaw(std::span<const std::uint8_t> der) {
    const unsigned char* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) {
        return MakeError(ErrorCode::kInternal, "d2i_ECDSA_SIG failed: " + DrainOpenSslErrors());
    }
    std::vector<std::uint8_t> raw(kEs256SignatureSize);
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), static_cast<int>(kEs256CoordinateSize)) < 0 ||
        BN_bn2binpad(
            ECDSA_SIG_get0_s(sig.get()),
            raw.data() + kEs256CoordinateSize,
            static_cast<int>(kEs256CoordinateSize)
        ) < 0) {
        return MakeError(ErrorCode::kInternal, "ECDSA coordinate too large");
    }
    return raw;
}

Result<void> VerifyJwsSignature(
    JwtAlg alg, const Jwk& key, std::string_view signing_input, std::span<const std::uint8_t> signature
) {
    const Jwk::Impl& k = key.impl();
    switch (alg) {
        case JwtAlg::kHs256: {
            if (k.type != JwkType::kOct || signature.size() != kHs256SignatureSize) {
                return BadSignature("HS256 signature must be 32 bytes from an oct key");
            }
            if (!VerifyHmacSha256(k.secret, AsBytes(signing_input), signature)) {
                return BadSignature("signature does not verify");
            }
            return Ok();
        }
        case JwtAlg::kRs256:
            if (!k.pkey || !IsRsaKey(k.pkey.get()) ||
                signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(k.pkey.get()))) {
                return BadSignature("RS256 signature length does not match the modulus");
            }
            return EvpVerify(k.pkey.get(), EVP_sha256(), signing_input, signature);
        case JwtAlg::kEs256: {
            if (!k.pkey || !IsP256Key(k.pkey.get())) {
                return BadSignature("ES256 needs a P-256 key");
            }
            auto der = EcdsaRawToDer(signature);
            if (!der) {
                return der.error();
            }
            return EvpVerify(k.pkey.get(), EVP_sha256(), signing_input, *der);
        }
        case JwtAlg::kEdDsa:
            if (!k.pkey || !IsEd25519Key(k.pkey.get()) || signature.size() != kEdDsaSignatureSize) {
                return BadSignature("EdDSA signature must be 64 bytes from an Ed25519 key");
            }
            return EvpVerify(k.pkey.get(), nullptr, signing_input, signature);
    }
    return BadSignature("unsupported alg");
}

Result<std::vector<std::uint8_t>> SignJwsAsymmetric(
    JwtAlg alg, EVP_PKEY* private_key, std::string_view signing_input
) {
    switch (alg) {
        case JwtAlg::kRs256:
            if (!IsRsaKey(private_key)) {
                break;
            }
            return EvpSign(private_key, EVP_sha256(), signing_input);
        case JwtAlg::kEs256: {
            if (!IsP256Key(private_key)) {
                break;
            }
            auto der = EvpSign(private_key, EVP_sha256(), signing_input);
            if (!der) {
                return der.error();
            }
            return EcdsaDerToRaw(*der);
        }
        case JwtAlg::kEdDsa:
            if (!IsEd25519Key(private_key)) {
                break;
            }
            return EvpSign(private_key, nullptr, signing_input);
        case JwtAlg::kHs256:
            break;
    }
    return MakeError(ErrorCode::kInvalidArgument, "signing key does not match alg");
}

}  // namespace gw::crypto::internal
