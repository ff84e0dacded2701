#pragma once
/// @file
/// @brief Private: building OpenSSL public keys from JWK members and reading them back.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "base/error.hpp"
#include "crypto/internal/jwt_evp.hpp"

namespace gw::crypto::internal {

/// The base64url-decoded bytes of a required string member (kInvalidArgument if absent/invalid).
Result<std::vector<std::uint8_t>> RequiredB64UrlMember(const boost::json::object& obj, std::string_view name);

/// kty "RSA": n, e; modulus 2048..16384 bits, e odd and > 1.
Result<EvpPkeyPtr> ImportRsaJwk(const boost::json::object& obj);
/// kty "EC": crv "P-256", 32-byte x and y, point validated.
Result<EvpPkeyPtr> ImportEcJwk(const boost::json::object& obj);
/// kty "OKP": crv "Ed25519", 32-byte x.
Result<EvpPkeyPtr> ImportOkpJwk(const boost::json::object& obj);

/// base64url of a BIGNUM key parameter (OSSL_PKEY_PARAM_*), left-padded to `pad_to` bytes if > 0.
Result<std::string> BnParamToB64Url(EVP_PKEY* pkey, const char* param, int pad_to);

}  // namespace gw::crypto::internal
