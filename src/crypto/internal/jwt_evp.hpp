#pragma once
/// @file
/// @brief Private: RAII owners for OpenSSL objects and the error-queue helper used by jwt/jwk/ed25519.

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace gw::crypto::internal {

struct EvpPkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};

struct EvpPkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};

struct EvpMdCtxFree {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};

struct BnFree {
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};

struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};

struct ParamFree {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};

struct EcdsaSigFree {
    void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};

struct BioFree {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

/// Drains this thread's OpenSSL error queue and returns the first entry's text ("" when empty), so
/// a failed verification never leaves stale errors behind for unrelated later calls.
inline std::string DrainOpenSslErrors() {
    std::string first;
    while (const unsigned long code = ERR_get_error()) {
        if (first.empty()) {
            char buf[256];
            ERR_error_string_n(code, buf, sizeof(buf));
            first = buf;
        }
    }
    return first;
}

}  // namespace gw::crypto::internal
