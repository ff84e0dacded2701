#pragma once
/// @file
/// @brief Private to providers: Boost.JSON helpers shared by the wire adapters.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "base/error.hpp"
#include "domain/model_client.hpp"

namespace gw::providers::internal {

namespace json = boost::json;

/// Parses caller-supplied JSON text (`what` names it in the error). kInvalidArgument on failure.
Result<json::value> ParseJsonText(std::string_view text, std::string_view what);

/// Parses `text` as an object, or `{}` when it is not one (models do emit broken tool arguments).
json::object ObjectOrEmpty(std::string_view text);

/// `request.extra_params_json` as an object (empty when unset); kInvalidArgument if not an object.
Result<json::object> ExtraParams(const domain::ModelRequest& request);

const json::object* ObjectAt(const json::object& o, std::string_view key);
const json::array* ArrayAt(const json::object& o, std::string_view key);
std::string_view StringAt(const json::object& o, std::string_view key);
std::optional<std::int64_t> IntAt(const json::object& o, std::string_view key);

/// Text blocks of an entry joined with "\n".
std::string JoinedText(const domain::TranscriptEntry& entry);

/// `data:<mime>;base64,<data>`
std::string ImageDataUrl(const domain::ImageBlock& image);

/// Copies `keys` present in `from` into `to`.
void CopyKeys(const json::object& from, json::object& to, std::initializer_list<std::string_view> keys);

/// Parses an SSE `data` payload as an object; nullopt when it is not JSON or not an object.
std::optional<json::object> ParseEventObject(std::string_view data);

}  // namespace gw::providers::internal
