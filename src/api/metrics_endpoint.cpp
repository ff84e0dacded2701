#include "api/metrics_endpoint.hpp"

namespace gw::api {

void RegisterMetricsRoute(net::Router& router, const obs::Registry& registry) {
    auto handler = [&registry](const net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> {
        net::HttpResponse resp;
        resp.content_type = std::string(obs::Registry::kContentType);
        resp.body = registry.RenderPrometheus();
        co_return resp;
    };
    router.Add("GET", "/metrics", handler);
}

}  // namespace gw::api
