#include "net/http_client.hpp"

#include <utility>

#include "net/http_types.hpp"
#include "net/internal/client_exchange.hpp"

namespace gw::net {

namespace asio = boost::asio;
using internal::ClientExchange;

namespace {

std::optional<std::string_view> FindHeader(const HttpHeaders& headers, std::string_view name) {
    for (const auto& [k, v] : headers) {
        if (IEquals(k, name)) {
            return std::string_view(v);
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string_view> HttpClientResponse::Header(std::string_view name) const {
    return FindHeader(headers, name);
}

// ---------------------------------------------------------------------------------------------------
// StreamingResponse

struct StreamingResponse::Impl {
    ClientExchange exchange;
    int status = 0;
    HttpHeaders headers;
    std::optional<Error> error;  ///< sticky
    bool ended = false;
};

StreamingResponse::StreamingResponse(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamingResponse::~StreamingResponse() = default;
StreamingResponse::StreamingResponse(StreamingResponse&&) noexcept = default;
StreamingResponse& StreamingResponse::operator=(StreamingResponse&&) noexcept = default;

int StreamingResponse::Status() const noexcept {
    return impl_->status;
}

const HttpHeaders& StreamingResponse::Headers() const noexcept {
    return impl_->headers;
}

std::optional<std::string_view> StreamingResponse::Header(std::string_view name) const {
    return FindHeader(impl_->headers, name);
}

asio::awaitable<Result<std::optional<std::string>>> StreamingResponse::NextChunk() {
    return NextChunk(impl_->exchange.deadline);
}

asio::awaitable<Result<std::optional<std::string>>> StreamingResponse::NextChunk(Deadline deadline) {
    auto& im = *impl_;
    if (im.error) {
        co_return *im.error;
    }
    if (im.ended) {
        co_return std::optional<std::string>();
    }
    std::string chunk;
    auto more = co_await internal::ReadBodySome(im.exchange, chunk, deadline);
    if (!more) {
        im.error = more.error();
        co_return more.error();
    }
    if (!*more) {
        im.ended = true;
        co_return std::optional<std::string>();
    }
    co_return std::optional<std::string>(std::move(chunk));
}

// ---------------------------------------------------------------------------------------------------
// HttpClient

struct HttpClient::Impl {
    std::shared_ptr<internal::ClientCore> core;
};

HttpClient::HttpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(asio::io_context& ioc, HttpClientOptions options) {
    auto tls = internal::BuildClientTlsContext(options);
    if (!tls) {
        return tls.error();
    }
    auto impl = std::make_shared<Impl>();
    impl->core = std::make_shared<internal::ClientCore>(ioc, std::move(options), std::move(*tls));
    return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

asio::awaitable<Result<HttpClientResponse>> HttpClient::Request(HttpClientRequest req, Deadline deadline) {
    ClientExchange ex;
    ex.core = impl_->core;  // keeps the pool alive even if the client is destroyed meanwhile
    ex.deadline = deadline;
    ex.body_limit = req.max_body_bytes != 0 ? req.max_body_bytes : ex.core->options.max_body_bytes;
    if (auto started = co_await internal::StartExchange(ex, req); !started) {
        co_return started.error();
    }
    HttpClientResponse resp;
    resp.status = ex.Status();
    resp.headers = ex.Headers();
    for (;;) {
        auto more = co_await internal::ReadBodySome(ex, resp.body, deadline);
        if (!more) {
            co_return more.error();
        }
        if (!*more) {
            break;
        }
    }
    co_return resp;
}

asio::awaitable<Result<StreamingResponse>> HttpClient::Stream(HttpClientRequest req, Deadline deadline) {
    auto impl = std::make_unique<StreamingResponse::Impl>();
    auto& ex = impl->exchange;
    ex.core = impl_->core;
    ex.deadline = deadline;
    ex.body_limit = std::nullopt;
    if (auto started = co_await internal::StartExchange(ex, req); !started) {
        co_return started.error();
    }
    impl->status = ex.Status();
    impl->headers = ex.Headers();
    co_return StreamingResponse(std::move(impl));
}

std::size_t HttpClient::IdleConnections() const {
    return impl_->core->pool.Idle();
}

void HttpClient::CloseIdle() {
    impl_->core->pool.Clear();
}

}  // namespace gw::net
