#include "store/internal/conversation_codec.hpp"

#include <utility>

#include <boost/json.hpp>

namespace gw::store::internal {

namespace json = boost::json;

namespace {

Error Corrupt(std::string_view what) {
    return MakeError(ErrorCode::kInternal, "store: corrupt transcript content: " + std::string(what));
}

/// The string member `key` of `obj`, or nullptr.
const json::string* Str(const json::object& obj, std::string_view key) {
    const json::value* v = obj.if_contains(key);
    return v != nullptr ? v->if_string() : nullptr;
}

std::string Text(const json::string* s) {
    return s != nullptr ? std::string(s->data(), s->size()) : std::string();
}

struct BlockEncoder {
    json::object operator()(const domain::TextBlock& b) const { return {{"type", "text"}, {"text", b.text}}; }

    json::object operator()(const domain::ThinkingBlock& b) const {
        return {{"type", "thinking"}, {"thinking", b.text}};
    }

    json::object operator()(const domain::ToolCallBlock& b) const {
        json::object out{{"type", "toolCall"}, {"id", b.id}, {"name", b.name}};
        boost::system::error_code ec;
        json::value args = json::parse(b.arguments_json, ec);
        if (ec) {
            out["argumentsText"] = b.arguments_json;
        } else {
            out["arguments"] = std::move(args);
        }
        return out;
    }

    json::object operator()(const domain::ToolResultBlock& b) const {
        return {
            {"type", "toolResult"},
            {"toolCallId", b.tool_call_id},
            {"toolName", b.tool_name},
            {"content", b.content},
            {"isError", b.is_error},
        };
    }

    json::object operator()(const domain::ImageBlock& b) const {
        return {{"type", "image"}, {"mimeType", b.mime_type}, {"data", b.data}};
    }
};

Result<domain::ContentBlock> DecodeBlock(const json::object& obj) {
    const std::string type = Text(Str(obj, "type"));
    if (type == "text") {
        return domain::ContentBlock(domain::TextBlock{Text(Str(obj, "text"))});
    }
    if (type == "thinking") {
        return domain::ContentBlock(domain::ThinkingBlock{Text(Str(obj, "thinking"))});
    }
    if (type == "toolCall") {
        domain::ToolCallBlock call{Text(Str(obj, "id")), Text(Str(obj, "name")), {}};
        if (const json::value* args = obj.if_contains("arguments")) {
            call.arguments_json = json::serialize(*args);
        } else {
            call.arguments_json = Text(Str(obj, "argumentsText"));
        }
        return domain::ContentBlock(std::move(call));
    }
    if (type == "toolResult") {
        const json::value* is_error = obj.if_contains("isError");
        return domain::ContentBlock(domain::ToolResultBlock{
            Text(Str(obj, "toolCallId")),
            Text(Str(obj, "toolName")),
            Text(Str(obj, "content")),
            is_error != nullptr && is_error->is_bool() && is_error->get_bool(),
        });
    }
    if (type == "image") {
        return domain::ContentBlock(domain::ImageBlock{Text(Str(obj, "mimeType")), Text(Str(obj, "data"))});
    }
    return Corrupt("unknown block type '" + type + "'");
}

}  // namespace

std::string EncodeContent(const std::vector<domain::ContentBlock>& blocks) {
    json::array out;
    out.reserve(blocks.size());
    for (const domain::ContentBlock& block : blocks) {
        out.emplace_back(std::visit(BlockEncoder{}, block));
    }
    return json::serialize(out);
}

Result<std::vector<domain::ContentBlock>> DecodeContent(std::string_view text) {
    boost::system::error_code ec;
    const json::value doc = json::parse(text, ec);
    if (ec || !doc.is_array()) {
        return Corrupt("not a JSON array");
    }
    std::vector<domain::ContentBlock> blocks;
    blocks.reserve(doc.get_array().size());
    for (const json::value& item : doc.get_array()) {
        if (!item.is_object()) {
            return Corrupt("a block is not an object");
        }
        auto block = DecodeBlock(item.get_object());
        if (!block) {
            return block.error();
        }
        blocks.push_back(std::move(*block));
    }
    return blocks;
}

std::string EncodeMetadata(const std::map<std::string, std::string>& metadata) {
    json::object out;
    for (const auto& [key, value] : metadata) {
        out[key] = value;
    }
    return json::serialize(out);
}

Result<std::map<std::string, std::string>> DecodeMetadata(std::string_view text) {
    boost::system::error_code ec;
    const json::value doc = json::parse(text, ec);
    if (ec || !doc.is_object()) {
        return MakeError(ErrorCode::kInternal, "store: corrupt session metadata: not a JSON object");
    }
    std::map<std::string, std::string> out;
    for (const auto& member : doc.get_object()) {
        if (!member.value().is_string()) {
            return MakeError(ErrorCode::kInternal, "store: corrupt session metadata: non-string value");
        }
        const json::string& s = member.value().get_string();
        out.emplace(std::string(member.key()), std::string(s.data(), s.size()));
    }
    return out;
}

}  // namespace gw::store::internal
