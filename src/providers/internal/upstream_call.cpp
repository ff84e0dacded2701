#include "providers/internal/upstream_call.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/this_coro.hpp>

#include "net/http_types.hpp"
#include "net/sse_parser.hpp"
#include "providers/internal/accumulator.hpp"
#include "providers/internal/error_classify.hpp"

namespace gw::providers::internal {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using domain::ModelError;
using domain::ModelErrorKind;

constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;

asio::awaitable<bool> Cancelled() {
    auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

CallOutcome Failed(ModelError error) {
    CallOutcome out;
    out.result.error = std::move(error);
    return out;
}

std::string Ms(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

/// Classifies a transport failure; `step_deadline` is the deadline the failed step had.
asio::awaitable<ModelError> Transport(
    const Error& error,
    Clock::time_point step_deadline,
    Clock::time_point call_deadline,
    const Upstream& up,
    std::string_view phase
) {
    const bool cancelled = co_await Cancelled();
    if (cancelled) {
        ModelError e;
        e.kind = ModelErrorKind::kAborted;
        e.message = "cancelled by the caller";
        co_return e;
    }
    ModelError e = ClassifyTransportError(error);
    if (e.kind == ModelErrorKind::kTimeout) {
        e.message = step_deadline < call_deadline
                        ? "no data from upstream for " + Ms(up.options.idle_timeout) + " (idle_timeout) " +
                              std::string(phase)
                        : "upstream call exceeded its deadline " + std::string(phase);
    } else {
        e.message = std::string(phase) + ": " + e.message;
    }
    co_return e;
}

Clock::time_point IdleDeadline(const Upstream& up, Clock::time_point call_deadline) {
    const auto now = Clock::now();
    if (call_deadline - now <= up.options.idle_timeout) {
        return call_deadline;
    }
    return now + up.options.idle_timeout;
}

ModelError HttpFailure(int status, std::string_view body, const net::HttpHeaders& headers) {
    std::optional<std::string_view> retry_after;
    std::optional<std::string_view> retry_after_ms;
    for (const auto& [name, value] : headers) {
        if (net::IEquals(name, "retry-after") && !retry_after) {
            retry_after = value;
        } else if (net::IEquals(name, "retry-after-ms") && !retry_after_ms) {
            retry_after_ms = value;
        }
    }
    return ClassifyHttpError(status, body, ParseRetryAfter(retry_after, retry_after_ms));
}

/// Parses a complete body; on success the whole answer goes to `sink`.
CallOutcome FromBody(const Upstream& up, std::string_view body, const domain::DeltaSink& sink) {
    ResponseAccumulator acc;
    if (auto err = up.wire->ParseBody(body, acc)) {
        return Failed(std::move(*err));
    }
    CallOutcome out;
    out.result.response = acc.Take();
    if (sink && !out.result.response->content.empty()) {
        out.first_delta_at = Clock::now();
        EmitAll(*out.result.response, sink);
    }
    return out;
}

asio::awaitable<CallOutcome> ReadStream(
    const Upstream& up, net::StreamingResponse& s, Clock::time_point deadline, const domain::DeltaSink& sink
) {
    ResponseAccumulator acc(sink);
    net::SseParser parser;
    auto decoder = up.wire->NewDecoder(acc);
    std::optional<ModelError> failure;
    const auto on_event = [&](const net::SseEvent& ev) {
        if (!failure) {
            failure = decoder->OnEvent(ev);
        }
    };
    while (!failure) {
        const auto step = IdleDeadline(up, deadline);
        auto chunk = co_await s.NextChunk(step);
        if (!chunk) {
            if (decoder->Finished()) {
                break;  // the answer is complete; only the tail of the body was lost
            }
            auto error = co_await Transport(chunk.error(), step, deadline, up, "while streaming");
            failure = std::move(error);
            break;
        }
        if (!*chunk) {
            break;
        }
        if (auto fed = parser.Feed(**chunk, on_event); !fed && !failure) {
            failure = Malformed("event stream: " + fed.error().message);
        }
    }
    if (!failure && !decoder->Finished()) {
        ModelError e;
        e.kind = ModelErrorKind::kConnection;
        e.message = "the stream ended before its terminal event";
        failure = std::move(e);
    }
    CallOutcome out;
    out.first_delta_at = acc.FirstDeltaAt();
    if (failure) {
        out.result.error = std::move(failure);
    } else {
        out.result.response = acc.Take();
    }
    co_return out;
}

/// Reads at most `limit` bytes of the body (an error body, or a JSON answer to a streaming request).
asio::awaitable<Result<std::string>> ReadBody(
    const Upstream& up, net::StreamingResponse& s, Clock::time_point deadline, std::size_t limit
) {
    std::string body;
    while (body.size() < limit) {
        auto chunk = co_await s.NextChunk(IdleDeadline(up, deadline));
        if (!chunk) {
            co_return chunk.error();
        }
        if (!*chunk) {
            break;
        }
        body.append(**chunk);
    }
    co_return body;
}

}  // namespace

asio::awaitable<CallOutcome> CallUpstream(
    const Upstream& up, const domain::ModelRequest& request, const domain::DeltaSink& sink
) {
    const auto now = Clock::now();
    const auto deadline = request.deadline - now > up.options.request_timeout
                              ? now + up.options.request_timeout
                              : request.deadline;
    auto wire = up.wire->Build(request, up.options);
    if (!wire) {
        ModelError e;
        e.kind = ModelErrorKind::kBadRequest;
        e.message = "cannot build the " + std::string(up.wire->Api()) + " request: " + wire.error().message;
        co_return Failed(std::move(e));
    }
    net::HttpClientRequest http;
    http.method = "POST";
    http.url = up.base_url + wire->path;
    http.headers.emplace_back("Content-Type", "application/json");
    http.headers.emplace_back("Accept", request.stream ? "text/event-stream" : "application/json");
    for (auto& h : wire->headers) {
        http.headers.push_back(std::move(h));
    }
    for (const auto& [name, value] : up.options.headers) {
        http.headers.emplace_back(name, value);
    }
    http.body = std::move(wire->body);

    if (!request.stream) {
        http.max_body_bytes = kMaxResponseBytes;
        auto r = co_await up.client->Request(std::move(http), deadline);
        if (!r) {
            auto error = co_await Transport(r.error(), deadline, deadline, up, "calling upstream");
            co_return Failed(std::move(error));
        }
        if (r->status < 200 || r->status > 299) {
            co_return Failed(HttpFailure(r->status, r->body, r->headers));
        }
        co_return FromBody(up, r->body, sink);
    }

    const auto head_deadline = IdleDeadline(up, deadline);
    auto s = co_await up.client->Stream(std::move(http), head_deadline);
    if (!s) {
        auto error =
            co_await Transport(s.error(), head_deadline, deadline, up, "waiting for the response head");
        co_return Failed(std::move(error));
    }
    if (s->Status() < 200 || s->Status() > 299) {
        auto body = co_await ReadBody(up, *s, deadline, kMaxErrorBodyBytes);
        if (!body) {
            const bool cancelled = co_await Cancelled();
            if (cancelled) {
                auto error =
                    co_await Transport(body.error(), deadline, deadline, up, "reading the error body");
                co_return Failed(std::move(error));
            }
        }
        co_return Failed(HttpFailure(s->Status(), body ? *body : std::string(), s->Headers()));
    }
    const auto content_type = s->Header("content-type").value_or("");
    if (content_type.find("application/json") != std::string_view::npos) {
        // A server that ignored `stream: true`: one JSON answer.
        auto body = co_await ReadBody(up, *s, deadline, kMaxResponseBytes + 1);
        if (!body) {
            auto error = co_await Transport(body.error(), deadline, deadline, up, "reading the body");
            co_return Failed(std::move(error));
        }
        if (body->size() > kMaxResponseBytes) {
            co_return Failed(Malformed("response body over " + std::to_string(kMaxResponseBytes) + " bytes"));
        }
        co_return FromBody(up, *body, sink);
    }
    co_return co_await ReadStream(up, *s, deadline, sink);
}

}  // namespace gw::providers::internal
