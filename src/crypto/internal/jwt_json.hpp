#pragma once
/// @file
/// @brief Private: strict JSON object parsing for JOSE headers, JWT claims and JWKs.

#include <string_view>

#include <boost/json/object.hpp>

#include "base/error.hpp"

namespace gw::crypto::internal {

/// Parses `text` as one JSON object. Stricter than boost::json::parse: duplicate member names (at any
/// depth) are rejected, nesting is limited to `max_depth`, comments/trailing commas/invalid UTF-8 are
/// refused. Errors are kInvalidArgument.
Result<boost::json::object> ParseStrictJsonObject(std::string_view text, std::size_t max_depth = 16);

/// Returns the string member `name` of `obj`, or nullptr when absent or not a string.
const boost::json::string* FindString(const boost::json::object& obj, std::string_view name);

}  // namespace gw::crypto::internal
