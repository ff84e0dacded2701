// GET /v1/models, GET /v1/models/{id}: the agent targets, in the OpenAI list shape.
#include <boost/json.hpp>

#include "api/internal/openai_handlers.hpp"

namespace gw::api::internal {
namespace {

json::object Model(std::string_view id, std::int64_t created) {
    return json::object{{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", "openclaw"}};
}

std::vector<std::string> Targets(const ConversationDeps& deps) {
    std::vector<std::string> ids{"openclaw", "openclaw/default"};
    for (const auto& agent : KnownAgents(deps.engine, deps.config)) {
        ids.push_back("openclaw/" + agent);
    }
    return ids;
}

/// Percent-decodes a path segment (model ids contain '/', which clients may send as %2F).
std::string PercentDecode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            auto hex = [](char c) -> int {
                if (c >= '0' && c <= '9') {
                    return c - '0';
                }
                if (c >= 'a' && c <= 'f') {
                    return c - 'a' + 10;
                }
                if (c >= 'A' && c <= 'F') {
                    return c - 'A' + 10;
                }
                return -1;
            };
            const int hi = hex(s[i + 1]);
            const int lo = hex(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

// Model `created`: the process start (stable across calls).
const std::int64_t kCreated = NowSeconds();

}  // namespace

Awaitable HandleListModels(const ConversationDeps& deps, const net::HttpRequest& /*request*/) {
    json::array data;
    for (const auto& id : Targets(deps)) {
        data.push_back(Model(id, kCreated));
    }
    co_return JsonResponse(200, json::object{{"object", "list"}, {"data", std::move(data)}});
}

Awaitable HandleGetModel(const ConversationDeps& deps, const net::HttpRequest& request) {
    constexpr std::string_view kPrefix = "/v1/models/";
    const std::string id = PercentDecode(std::string_view(request.path).substr(kPrefix.size()));
    for (const auto& target : Targets(deps)) {
        if (target == id) {
            co_return JsonResponse(200, Model(target, kCreated));
        }
    }
    CountError(deps, 404);
    co_return OpenAiError(RequestError{
        "The model '" + id + "' does not exist", "model", 404, "invalid_request_error", "model_not_found"});
}

}  // namespace gw::api::internal
