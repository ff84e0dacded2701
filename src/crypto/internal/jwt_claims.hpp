#pragma once
/// @file
/// @brief Private: the representation behind gw::crypto::VerifiedJwt, and NumericDate parsing.

#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "crypto/jwt.hpp"

namespace gw::crypto {

struct VerifiedJwt::Impl {
    JwtAlg alg = JwtAlg::kHs256;
    std::string kid;
    std::optional<std::string> type;
    std::string header_json;
    std::string payload_json;
    boost::json::value claims;  ///< always an object
};

namespace internal {

/// A JSON number as whole seconds (RFC 7519 NumericDate; fractions truncated toward -inf). nullopt for
/// non-numbers, NaN/inf and values outside int64.
std::optional<std::int64_t> NumericDate(const boost::json::value& value) noexcept;

}  // namespace internal
}  // namespace gw::crypto
