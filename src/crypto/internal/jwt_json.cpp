#include "crypto/internal/jwt_json.hpp"

#include <set>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

namespace gw::crypto::internal {
namespace {

namespace json = boost::json;

/// basic_parser handler that only detects duplicate member names.
class DuplicateKeyDetector {
public:
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    bool duplicate_found = false;

    bool on_document_begin(json::error_code&) { return true; }

    bool on_document_end(json::error_code&) { return true; }

    bool on_array_begin(json::error_code&) { return true; }

    bool on_array_end(std::size_t, json::error_code&) { return true; }

    bool on_object_begin(json::error_code&) {
        keys_.emplace_back();
        return true;
    }

    bool on_object_end(std::size_t, json::error_code&) {
        keys_.pop_back();
        return true;
    }

    bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }

    bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }

    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        return true;
    }

    bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
        key_.append(s.data(), s.size());
        const bool inserted = keys_.back().insert(std::move(key_)).second;
        key_.clear();
        if (!inserted) {
            duplicate_found = true;
            ec = json::error::syntax;
            return false;
        }
        return true;
    }

    bool on_number_part(json::string_view, json::error_code&) { return true; }

    bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }

    bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }

    bool on_double(double, json::string_view, json::error_code&) { return true; }

    bool on_bool(bool, json::error_code&) { return true; }

    bool on_null(json::error_code&) { return true; }

    bool on_comment_part(json::string_view, json::error_code&) { return true; }

    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    std::vector<std::set<std::string, std::less<>>> keys_;
    std::string key_;
};

}  // namespace

Result<json::object> ParseStrictJsonObject(std::string_view text, std::size_t max_depth) {
    json::parse_options opts;
    opts.max_depth = max_depth;
    {
        json::basic_parser<DuplicateKeyDetector> detector(opts);
        json::error_code ec;
        const std::size_t used = detector.write_some(false, text.data(), text.size(), ec);
        if (detector.handler().duplicate_found) {
            return MakeError(ErrorCode::kInvalidArgument, "json: duplicate member name");
        }
        if (ec || used != text.size()) {
            return MakeError(ErrorCode::kInvalidArgument, "json: syntax error");
        }
    }
    json::error_code ec;
    json::value value = json::parse(json::string_view(text.data(), text.size()), ec, {}, opts);
    if (ec) {
        return MakeError(ErrorCode::kInvalidArgument, "json: syntax error");
    }
    if (!value.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "json: not an object");
    }
    return std::move(value.as_object());
}

const json::string* FindString(const json::object& obj, std::string_view name) {
    const json::value* v = obj.if_contains(json::string_view(name.data(), name.size()));
    return v != nullptr ? v->if_string() : nullptr;
}

}  // namespace gw::crypto::internal
