#pragma once
/// @file
/// @brief JSON text for transcript content blocks and session metadata (the stored formats). Private to
/// store; Boost.JSON stays in the .cpp.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "domain/transcript.hpp"

namespace gw::store::internal {

/// The pi session format's block array: `{"type":"text","text"}`, `{"type":"thinking","thinking"}`,
/// `{"type":"toolCall","id","name","arguments"}` (arguments as a JSON value when `arguments_json` parses,
/// else `"argumentsText"`), `{"type":"toolResult","toolCallId","toolName","content","isError"}`,
/// `{"type":"image","mimeType","data"}`.
std::string EncodeContent(const std::vector<domain::ContentBlock>& blocks);

/// Inverse of EncodeContent. kInternal for text that is not such an array (a corrupt row).
Result<std::vector<domain::ContentBlock>> DecodeContent(std::string_view json);

/// A flat JSON object of strings.
std::string EncodeMetadata(const std::map<std::string, std::string>& metadata);

/// kInternal for anything but a flat object of strings.
Result<std::map<std::string, std::string>> DecodeMetadata(std::string_view json);

}  // namespace gw::store::internal
