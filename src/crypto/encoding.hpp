#pragma once
/// @file
/// @brief Base64 (RFC 4648 §4) and base64url (RFC 4648 §5) encoding for binary data.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace gw::crypto {

/// Standard base64 with '=' padding.
std::string Base64Encode(std::span<const std::uint8_t> data);

/// Decodes standard base64. Strict: padding is required (length % 4 == 0), no whitespace, only the
/// standard alphabet, and non-canonical trailing bits are rejected. Errors are kInvalidArgument.
Result<std::vector<std::uint8_t>> Base64Decode(std::string_view text);

/// base64url without padding (as used by JWS/JWK and the OpenClaw device proof).
std::string Base64UrlEncode(std::span<const std::uint8_t> data);

/// Decodes base64url without padding. Strict: '=' padding, '+', '/', whitespace, any other
/// character, an impossible length (len % 4 == 1) and non-zero trailing bits are rejected
/// (so every byte string has exactly one accepted encoding). Errors are kInvalidArgument.
Result<std::vector<std::uint8_t>> Base64UrlDecode(std::string_view text);

/// Standard alphabet without '=' padding (the PHC string format's "B64").
std::string Base64EncodeUnpadded(std::span<const std::uint8_t> data);

/// Decodes standard-alphabet base64 without padding; same strictness as Base64UrlDecode.
Result<std::vector<std::uint8_t>> Base64DecodeUnpadded(std::string_view text);

/// Convenience overloads for text.
std::string Base64UrlEncode(std::string_view data);
std::string Base64Encode(std::string_view data);

/// Lower-case hex of `data`.
std::string HexEncode(std::span<const std::uint8_t> data);

/// Decodes hex (upper or lower case, even length). Errors are kInvalidArgument.
Result<std::vector<std::uint8_t>> HexDecode(std::string_view text);

}  // namespace gw::crypto
