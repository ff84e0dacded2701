#include "providers/internal/json_util.hpp"

#include <variant>

namespace gw::providers::internal {

Result<json::value> ParseJsonText(std::string_view text, std::string_view what) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) {
        return MakeError(
            ErrorCode::kInvalidArgument, std::string(what) + " is not valid JSON: " + ec.message()
        );
    }
    return v;
}

json::object ObjectOrEmpty(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        return {};
    }
    return std::move(v.get_object());
}

Result<json::object> ExtraParams(const domain::ModelRequest& request) {
    if (!request.extra_params_json || request.extra_params_json->empty()) {
        return json::object{};
    }
    auto v = ParseJsonText(*request.extra_params_json, "extra_params_json");
    if (!v) {
        return v.error();
    }
    if (!v->is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "extra_params_json must be a JSON object");
    }
    return std::move(v->get_object());
}

const json::object* ObjectAt(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* ArrayAt(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

std::string_view StringAt(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::optional<std::int64_t> IntAt(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return v->get_int64();
    }
    if (v->is_uint64()) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_double()) {
        // Upstream JSON is untrusted: a double outside int64 (or NaN) must not be cast (UB).
        const double d = v->get_double();
        if (!(d >= -9.0e18 && d <= 9.0e18)) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

std::string JoinedText(const domain::TranscriptEntry& entry) {
    std::string out;
    bool first = true;
    for (const auto& block : entry.content) {
        if (const auto* t = std::get_if<domain::TextBlock>(&block)) {
            if (!first) {
                out += '\n';
            }
            out += t->text;
            first = false;
        }
    }
    return out;
}

std::string ImageDataUrl(const domain::ImageBlock& image) {
    return "data:" + image.mime_type + ";base64," + image.data;
}

void CopyKeys(const json::object& from, json::object& to, std::initializer_list<std::string_view> keys) {
    for (auto key : keys) {
        if (const auto* v = from.if_contains(key)) {
            to[key] = *v;
        }
    }
}

std::optional<json::object> ParseEventObject(std::string_view data) {
    boost::system::error_code ec;
    auto v = json::parse(data, ec);
    if (ec || !v.is_object()) {
        return std::nullopt;
    }
    return std::move(v.get_object());
}

}  // namespace gw::providers::internal
