#pragma once
/// @file
/// @brief ParamReader: validation of closed params objects with OpenClaw-style messages
/// ("invalid chat.send params: must have required property 'message'"; unknown keys → "must NOT have
/// additional properties"; wrong types → "/<key> must be string"). Module-internal.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/ws/internal/frames.hpp"

namespace gw::api::ws {

/// Reads fields of one params object; the first problem is remembered and every later read returns
/// nullopt. Absent/null params count as `{}`; non-object params are an error. Call Finish() last: it
/// reports unknown keys (every key not read) and returns the first error, if any.
class ParamReader {
public:
    ParamReader(std::string_view method, const json::value& params);
    /// A reader for a nested object: paths in messages start with `path_prefix` (e.g. "/client"), so
    /// errors read "invalid connect params: /client/id must be string".
    ParamReader(std::string_view method, const json::value& params, std::string path_prefix);

    /// Strings: `max_len` in bytes; `non_empty` rejects "" (and all-whitespace) as "must NOT be empty".
    std::optional<std::string> String(std::string_view key, bool required, std::size_t max_len = 64 * 1024,
                                      bool non_empty = false);
    std::optional<std::int64_t> Int(std::string_view key, bool required, std::int64_t min, std::int64_t max);
    std::optional<bool> Bool(std::string_view key, bool required);
    std::optional<std::vector<std::string>> StringArray(std::string_view key, bool required,
                                                         std::size_t max_items = 256);
    /// One of `allowed` (message "/<key> must be equal to one of the allowed values").
    std::optional<std::string> Enum(std::string_view key, bool required, std::initializer_list<std::string_view> allowed);
    /// Any JSON value (objects/arrays passed through, e.g. attachments); marks the key as known.
    std::optional<json::value> Any(std::string_view key, bool required);
    /// Marks keys as accepted-and-ignored (fields OpenClaw defines that we do not act on).
    void Ignore(std::initializer_list<std::string_view> keys);

    bool Ok() const noexcept { return !error_; }
    std::optional<WsError> Finish();

private:
    const json::value* Get(std::string_view key, bool required);
    void Fail(std::string detail);

    std::string method_;
    std::string prefix_;
    const json::object* object_ = nullptr;
    std::set<std::string, std::less<>> seen_;
    std::optional<WsError> error_;
};

}  // namespace gw::api::ws
