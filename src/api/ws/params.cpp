#include "api/ws/internal/params.hpp"

#include <cmath>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace gw::api::ws {
namespace {

bool AllWhitespace(std::string_view text) {
    for (char c : text) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') {
            return false;
        }
    }
    return true;
}

std::optional<std::int64_t> AsInteger(const json::value& value) {
    if (value.is_int64()) {
        return value.get_int64();
    }
    if (value.is_uint64()) {
        if (value.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(value.get_uint64());
    }
    if (value.is_double()) {
        const double d = value.get_double();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

}  // namespace

ParamReader::ParamReader(std::string_view method, const json::value& params)
    : ParamReader(method, params, std::string()) {}

ParamReader::ParamReader(std::string_view method, const json::value& params, std::string path_prefix)
    : method_(method), prefix_(std::move(path_prefix)) {
    if (params.is_object()) {
        object_ = &params.get_object();
    } else if (!params.is_null()) {
        Fail("must be object");
    }
}

void ParamReader::Fail(std::string detail) {
    if (error_) {
        return;
    }
    // Key paths ("/key ...") get the prefix prepended; object-level messages get "<prefix> ".
    if (!prefix_.empty()) {
        detail = detail.starts_with('/') ? prefix_ + detail : prefix_ + " " + detail;
    }
    error_ = InvalidRequest("invalid " + method_ + " params: " + detail);
}

const json::value* ParamReader::Get(std::string_view key, bool required) {
    seen_.emplace(key);
    if (error_) {
        return nullptr;
    }
    const json::value* value = object_ == nullptr ? nullptr : object_->if_contains(key);
    if (value == nullptr || value->is_null()) {
        if (required) {
            Fail("must have required property '" + std::string(key) + "'");
        }
        return nullptr;
    }
    return value;
}

std::optional<std::string> ParamReader::String(std::string_view key, bool required, std::size_t max_len,
                                               bool non_empty) {
    const json::value* value = Get(key, required);
    if (value == nullptr) {
        return std::nullopt;
    }
    const std::string path = "/" + std::string(key);
    if (!value->is_string()) {
        Fail(path + " must be string");
        return std::nullopt;
    }
    std::string_view text = value->get_string();
    if (non_empty && AllWhitespace(text)) {
        Fail(path + " must NOT be empty");
        return std::nullopt;
    }
    if (text.size() > max_len) {
        Fail(path + " must NOT have more than " + std::to_string(max_len) + " characters");
        return std::nullopt;
    }
    return std::string(text);
}

std::optional<std::int64_t> ParamReader::Int(std::string_view key, bool required, std::int64_t min,
                                             std::int64_t max) {
    const json::value* value = Get(key, required);
    if (value == nullptr) {
        return std::nullopt;
    }
    const std::string path = "/" + std::string(key);
    auto number = AsInteger(*value);
    if (!number) {
        Fail(path + " must be integer");
        return std::nullopt;
    }
    if (*number < min) {
        Fail(path + " must be >= " + std::to_string(min));
        return std::nullopt;
    }
    if (*number > max) {
        Fail(path + " must be <= " + std::to_string(max));
        return std::nullopt;
    }
    return number;
}

std::optional<bool> ParamReader::Bool(std::string_view key, bool required) {
    const json::value* value = Get(key, required);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_bool()) {
        Fail("/" + std::string(key) + " must be boolean");
        return std::nullopt;
    }
    return value->get_bool();
}

std::optional<std::vector<std::string>> ParamReader::StringArray(std::string_view key, bool required,
                                                                  std::size_t max_items) {
    const json::value* value = Get(key, required);
    if (value == nullptr) {
        return std::nullopt;
    }
    const std::string path = "/" + std::string(key);
    if (!value->is_array()) {
        Fail(path + " must be array");
        return std::nullopt;
    }
    const json::array& items = value->get_array();
    if (items.size() > max_items) {
        Fail(path + " must NOT have more than " + std::to_string(max_items) + " items");
        return std::nullopt;
    }
    std::vector<std::string> out;
    out.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_string()) {
            Fail(path + "/" + std::to_string(i) + " must be string");
            return std::nullopt;
        }
        out.emplace_back(items[i].get_string());
    }
    return out;
}

std::optional<std::string> ParamReader::Enum(std::string_view key, bool required,
                                             std::initializer_list<std::string_view> allowed) {
    const json::value* value = Get(key, required);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (value->is_string()) {
        for (std::string_view candidate : allowed) {
            if (value->get_string() == candidate) {
                return std::string(candidate);
            }
        }
    }
    Fail("/" + std::string(key) + " must be equal to one of the allowed values");
    return std::nullopt;
}

std::optional<json::value> ParamReader::Any(std::string_view key, bool required) {
    const json::value* value = Get(key, required);
    if (value == nullptr) {
        return std::nullopt;
    }
    return *value;
}

void ParamReader::Ignore(std::initializer_list<std::string_view> keys) {
    for (std::string_view key : keys) {
        seen_.emplace(key);
    }
}

std::optional<WsError> ParamReader::Finish() {
    if (!error_ && object_ != nullptr) {
        for (const auto& entry : *object_) {
            if (seen_.find(std::string_view(entry.key())) == seen_.end()) {
                // OpenClaw's wording: "invalid connect params: at root: unexpected property 'bogus'".
                error_ = InvalidRequest(
                    "invalid " + method_ + " params: at " + (prefix_.empty() ? std::string("root") : prefix_) +
                    ": unexpected property '" + std::string(entry.key()) + "'"
                );
                break;
            }
        }
    }
    return error_;
}

}  // namespace gw::api::ws
