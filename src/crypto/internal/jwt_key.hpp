#pragma once
/// @file
/// @brief Private: the representation behind gw::crypto::Jwk.

#include <optional>
#include <string>
#include <vector>

#include <openssl/crypto.h>

#include "crypto/internal/jwt_evp.hpp"
#include "crypto/jwk.hpp"

namespace gw::crypto {

struct Jwk::Impl {
    JwkType type = JwkType::kOct;
    std::string kid;
    std::optional<std::string> alg;
    std::optional<std::string> use;
    std::optional<std::vector<std::string>> key_ops;
    internal::EvpPkeyPtr pkey;         ///< RSA / EC / OKP public key
    std::vector<std::uint8_t> secret;  ///< oct key bytes

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    ~Impl() {
        if (!secret.empty()) {
            OPENSSL_cleanse(secret.data(), secret.size());
        }
    }
};

}  // namespace gw::crypto
