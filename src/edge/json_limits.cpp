#include "edge/json_limits.hpp"

#include <string>

namespace gw::edge {

Result<void> CheckJsonLimits(std::string_view body, const JsonLimits& limits) {
    if (limits.max_bytes != 0 && body.size() > limits.max_bytes) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "JSON body is larger than " + std::to_string(limits.max_bytes) + " bytes"
        );
    }
    std::size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : body) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                break;
            case '[':
            case '{':
                if (++depth > limits.max_depth) {
                    return MakeError(
                        ErrorCode::kInvalidArgument,
                        "JSON nesting is deeper than " + std::to_string(limits.max_depth)
                    );
                }
                break;
            case ']':
            case '}':
                if (depth > 0) {
                    --depth;  // an unbalanced close is the parser's problem
                }
                break;
            default:
                break;
        }
    }
    return Ok();
}

}  // namespace gw::edge
