#include "net/http_server.hpp"

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/check.hpp"
#include "net/internal/server_state.hpp"
#include "net/internal/tls_context.hpp"
#include "obs/log.hpp"
#include "runtime/log_on_error.hpp"

namespace gw::net {

namespace asio = boost::asio;
using internal::Tcp;

namespace {

/// Overload answers written at the same time; beyond this, excess connections are just closed.
constexpr std::size_t kMaxConcurrentRejects = 64;
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

bool IsResourceExhaustion(const boost::system::error_code& ec) {
    const int v = ec.value();
    return ec.category() == boost::system::system_category() &&
           (v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM);
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
    Impl(
        asio::io_context& io,
        const config::ServerOptions& options,
        const Router& router,
        ServerObserver& observer,
        WebSocketHandler* ws
    )
        : ioc(io),
          state(std::make_shared<internal::ServerState>(options, router, observer, ws)),
          strand(asio::make_strand(io)),
          acceptor(strand) {}

    static asio::awaitable<void> Accept(std::shared_ptr<Impl> self);
    void Admit(Tcp::socket socket);
    void CloseAcceptor();

    asio::io_context& ioc;
    std::shared_ptr<internal::ServerState> state;
    asio::strand<asio::io_context::executor_type> strand;
    Tcp::acceptor acceptor;  // touched only on `strand` once started
    std::atomic<std::uint16_t> port{0};
    std::atomic<bool> started{false};
};

asio::awaitable<void> HttpServer::Impl::Accept(std::shared_ptr<Impl> self) {
    asio::steady_timer backoff(self->strand);
    for (;;) {
        const asio::any_io_executor conn_strand = asio::make_strand(self->ioc);
        auto [ec, socket] =
            co_await self->acceptor.async_accept(conn_strand, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) {
                co_return;
            }
            obs::Log(obs::LogLevel::kWarn, internal::kLogger, "accept failed", {{"error", ec.message()}});
            if (IsResourceExhaustion(ec)) {
                backoff.expires_after(kAcceptBackoff);
                co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            continue;
        }
        self->Admit(std::move(socket));
    }
}

void HttpServer::Impl::Admit(Tcp::socket socket) {
    boost::system::error_code ec;
    if (state->draining.load()) {
        socket.close(ec);
        return;
    }
    std::unique_ptr<AdmissionTicket> ticket;
    if (Admission* admission = state->admission.get()) {
        const auto peer = socket.remote_endpoint(ec);
        if (ec) {
            socket.close(ec);  // the peer is already gone
            return;
        }
        AcceptDecision decision = admission->OnAccept(peer.address().to_string());
        if (!decision.allowed) {
            socket.close(ec);
            return;
        }
        ticket = std::move(decision.ticket);
    }
    socket.set_option(Tcp::no_delay(true), ec);
    const bool reject = state->admitted.load() >= state->options.max_connections;
    if (reject) {
        if (state->rejecting.load() >= kMaxConcurrentRejects) {
            state->observer.OnError("overload");
            socket.close(ec);
            return;
        }
        state->rejecting.fetch_add(1);
    } else {
        state->admitted.fetch_add(1);
        state->observer.OnConnectionOpened();
    }
    internal::StartConnection(state, std::move(socket), reject, std::move(ticket));
}

void HttpServer::Impl::CloseAcceptor() {
    auto self = shared_from_this();
    asio::post(strand, [self] {
        boost::system::error_code ec;
        self->acceptor.close(ec);
    });
}

HttpServer::HttpServer(
    asio::io_context& ioc,
    const config::ServerOptions& options,
    const Router& router,
    ServerObserver& observer,
    WebSocketHandler* ws_handler
)
    : impl_(std::make_shared<Impl>(ioc, options, router, observer, ws_handler)) {}

HttpServer::~HttpServer() {
    if (impl_->started.load()) {
        impl_->CloseAcceptor();
    }
}

void HttpServer::SetAdmission(std::shared_ptr<Admission> admission) {
    GW_CHECK(!impl_->started.load(), "HttpServer::SetAdmission must be called before Start");
    impl_->state->admission = std::move(admission);
}

Result<void> HttpServer::Start() {
    auto& st = *impl_->state;
    const auto& opts = st.options;
    if (impl_->started.exchange(true)) {
        return MakeError(ErrorCode::kInternal, "HttpServer::Start called twice");
    }
    if (opts.tls.enabled) {
        auto ctx = internal::BuildTlsContext(opts.tls);
        if (!ctx) {
            return ctx.error();
        }
        st.tls.store(std::move(*ctx));
    }
    boost::system::error_code ec;
    Tcp::resolver resolver(impl_->ioc);
    const auto results = resolver.resolve(
        opts.host, std::to_string(opts.port), Tcp::resolver::passive | Tcp::resolver::numeric_service, ec
    );
    if (ec || results.empty()) {
        return MakeError(
            ErrorCode::kInvalidArgument, "cannot resolve server host '" + opts.host + "': " + ec.message()
        );
    }
    const Tcp::endpoint endpoint = results.begin()->endpoint();
    const std::string where = opts.host + ":" + std::to_string(opts.port);
    auto& acc = impl_->acceptor;
    if (acc.open(endpoint.protocol(), ec); ec) {
        return MakeError(ErrorCode::kUnavailable, "cannot open a socket for " + where + ": " + ec.message());
    }
    acc.set_option(asio::socket_base::reuse_address(true), ec);
    if (acc.bind(endpoint, ec); ec) {
        acc.close();
        if (ec == asio::error::address_in_use) {
            return MakeError(ErrorCode::kUnavailable, "address " + where + " is already in use");
        }
        if (ec == boost::system::errc::address_not_available) {
            return MakeError(
                ErrorCode::kInvalidArgument, "address " + where + " is not available on this host"
            );
        }
        return MakeError(ErrorCode::kUnavailable, "cannot bind " + where + ": " + ec.message());
    }
    if (acc.listen(asio::socket_base::max_listen_connections, ec); ec) {
        acc.close();
        return MakeError(ErrorCode::kUnavailable, "cannot listen on " + where + ": " + ec.message());
    }
    impl_->port.store(acc.local_endpoint(ec).port());
    asio::co_spawn(impl_->strand, Impl::Accept(impl_), runtime::LogOnError("http-accept"));
    obs::Log(
        obs::LogLevel::kInfo,
        internal::kLogger,
        "listening",
        {{"address", opts.host}, {"port", std::to_string(Port())}, {"scheme", Scheme()}}
    );
    return Ok();
}

std::uint16_t HttpServer::Port() const noexcept {
    return impl_->port.load();
}

std::string HttpServer::Scheme() const {
    return impl_->state->options.tls.enabled ? "https" : "http";
}

Result<void> HttpServer::ReloadTls() {
    auto& st = *impl_->state;
    if (!st.options.tls.enabled) {
        return MakeError(ErrorCode::kInvalidArgument, "TLS is not enabled");
    }
    auto ctx = internal::BuildTlsContext(st.options.tls);
    if (!ctx) {
        return ctx.error();
    }
    st.tls.store(std::move(*ctx));
    obs::Log(
        obs::LogLevel::kInfo,
        internal::kLogger,
        "TLS certificate reloaded",
        {{"cert_file", st.options.tls.cert_file}}
    );
    return Ok();
}

void HttpServer::BeginDrain() {
    auto& st = *impl_->state;
    if (st.draining.exchange(true)) {
        return;
    }
    obs::Log(
        obs::LogLevel::kInfo,
        internal::kLogger,
        "draining",
        {{"connections", std::to_string(OpenConnections())}}
    );
    impl_->CloseAcceptor();
    for (const auto& conn : st.Snapshot()) {
        conn->Drain();
    }
}

bool HttpServer::Draining() const noexcept {
    return impl_->state->draining.load();
}

std::size_t HttpServer::OpenConnections() const noexcept {
    return impl_->state->admitted.load();
}

void HttpServer::ForceClose() {
    auto& st = *impl_->state;
    st.draining.store(true);
    st.killed.store(true);
    impl_->CloseAcceptor();
    for (const auto& conn : st.Snapshot()) {
        conn->Kill();
    }
}

}  // namespace gw::net
