#include "net/admission.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "net/http_server.hpp"
#include "net/internal/test_support.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using runtime::RunCoro;

/// Refuses peers equal to `refused_peer`; rejects requests carrying `X-Reject` with 429; takes the
/// client address from `X-Test-Client`; adds `X-Admitted` (and `X-Handler-Wins`) to admitted answers.
class FakeAdmission final : public Admission {
public:
    class Ticket final : public AdmissionTicket {
    public:
        explicit Ticket(std::atomic<int>& alive) : alive_(alive) { ++alive_; }

        ~Ticket() override { --alive_; }

        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;

    private:
        std::atomic<int>& alive_;
    };

    AcceptDecision OnAccept(std::string_view peer_ip) override {
        ++accepts;
        {
            std::lock_guard lock(mutex_);
            last_peer_ = std::string(peer_ip);
        }
        if (peer_ip == refused_peer) {
            return AcceptDecision{false, nullptr};
        }
        return AcceptDecision{true, std::make_unique<Ticket>(tickets_alive)};
    }

    RequestDecision OnRequest(HttpRequest& request) override {
        ++requests;
        if (!request.body.empty()) {
            ++saw_body;
        }
        if (request.client_ip != request.remote_ip) {
            ++client_ip_not_preset;
        }
        RequestDecision d;
        if (request.Header("X-Reject")) {
            auto resp = JsonError(429, "rate_limited", "slow down", request.request_id);
            resp.headers.emplace_back("Retry-After", "7");
            d.reject = std::move(resp);
            return d;
        }
        if (auto client = request.Header("X-Test-Client")) {
            request.client_ip = std::string(*client);
        }
        d.headers.emplace_back("X-Admitted", "yes");
        d.headers.emplace_back("X-Handler-Wins", "admission");
        return d;
    }

    std::string LastPeer() const {
        std::lock_guard lock(mutex_);
        return last_peer_;
    }

    std::string refused_peer = "none";
    std::atomic<int> accepts{0};
    std::atomic<int> requests{0};
    std::atomic<int> saw_body{0};
    std::atomic<int> client_ip_not_preset{0};
    std::atomic<int> tickets_alive{0};

private:
    mutable std::mutex mutex_;
    std::string last_peer_;
};

/// GET /client → "client_ip|remote_ip" and sets X-Handler-Wins; POST /count counts its calls.
void AddAdmissionRoutes(Router& router, std::atomic<int>& handled) {
    router.Add("GET", "/client", [&handled](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
        ++handled;
        HttpResponse r;
        r.content_type = "text/plain";
        r.body = req.client_ip + "|" + req.remote_ip;
        r.headers.emplace_back("X-Handler-Wins", "handler");
        co_return r;
    });
    router.Add("POST", "/count", [&handled](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
        ++handled;
        HttpResponse r;
        r.body = std::to_string(req.body.size());
        co_return r;
    });
}

struct AdmissionFixture {
    AdmissionFixture() {
        fake = std::make_shared<FakeAdmission>();
        server.admission = fake;
        AddAdmissionRoutes(server.router, handled);
    }

    std::shared_ptr<FakeAdmission> fake;
    std::atomic<int> handled{0};
    ServerFixture server;
};

TEST(AdmissionTest, RefusedConnectionIsClosedWithoutAnAnswerAndNotCounted) {
    AdmissionFixture f;
    f.fake->refused_peer = "127.0.0.1";
    f.server.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.server.Port());
        // The write may or may not fail (the server may already have closed); no answer must come.
        const std::string request = Request("GET", "/client");
        co_await asio::async_write(socket, asio::buffer(request), asio::as_tuple(asio::use_awaitable));
        const std::string data = co_await ReadToEof(socket);
        EXPECT_EQ(data, "");
    }());
    EXPECT_EQ(f.fake->accepts.load(), 1);
    EXPECT_EQ(f.fake->LastPeer(), "127.0.0.1");
    EXPECT_EQ(f.fake->requests.load(), 0);
    EXPECT_EQ(f.handled.load(), 0);
    EXPECT_EQ(f.server.observer.opened.load(), 0);
    EXPECT_EQ(f.server.Server().OpenConnections(), 0U);
}

TEST(AdmissionTest, TicketLivesExactlyAsLongAsTheConnection) {
    AdmissionFixture f;
    f.server.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.server.Port());
        beast::flat_buffer buffer;
        co_await Send(socket, Request("GET", "/client"));
        auto r = co_await Read(socket, buffer);
        EXPECT_TRUE(r && r->status == 200);
        EXPECT_EQ(f.fake->tickets_alive.load(), 1);
        socket.close();
        EXPECT_TRUE(co_await Eventually([&] { return f.fake->tickets_alive.load() == 0; }));
    }());
}

TEST(AdmissionTest, RejectedRequestGetsTheAnswerSkipsTheHandlerAndKeepsTheConnection) {
    AdmissionFixture f;
    f.server.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.server.Port());
        beast::flat_buffer buffer;
        co_await Send(socket, Request("GET", "/client", "X-Reject: 1\r\n"));
        auto rejected = co_await Read(socket, buffer);
        EXPECT_TRUE(rejected.has_value());
        if (rejected) {
            ExpectJsonError(*rejected, 429, "rate_limited");
            EXPECT_EQ(rejected->Header("Retry-After"), "7");
            EXPECT_FALSE(rejected->Header("X-Admitted").has_value());
            EXPECT_TRUE(rejected->keep_alive);
        }
        co_await Send(socket, Request("GET", "/client"));
        auto ok = co_await Read(socket, buffer);
        EXPECT_TRUE(ok && ok->status == 200);
    }());
    EXPECT_EQ(f.handled.load(), 1);
    EXPECT_TRUE(WaitFor([&] { return f.server.observer.RequestCount(429) == 1; }));
}

TEST(AdmissionTest, RejectedRequestWithAnUnreadBodyClosesTheConnection) {
    AdmissionFixture f;
    f.server.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.server.Port());
        // The header arrives first; the body is still pending when the admission answers.
        std::string req = Request("POST", "/count", "X-Reject: 1\r\n", std::string(1000, 'x'));
        co_await Send(socket, req.substr(0, req.size() - 1000));
        const std::string data = co_await ReadToEof(socket);
        EXPECT_TRUE(data.starts_with("HTTP/1.1 429")) << data;
        EXPECT_NE(data.find("Connection: close"), std::string::npos) << data;
    }());
    EXPECT_EQ(f.handled.load(), 0);
    EXPECT_EQ(f.fake->saw_body.load(), 0);
}

TEST(AdmissionTest, AdmittedRequestSeesTheClientAddressAndGetsTheExtraHeaders) {
    AdmissionFixture f;
    f.server.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto r = co_await Fetch(f.server.Port(), Request("GET", "/client", "X-Test-Client: 203.0.113.9\r\n"));
        EXPECT_TRUE(r.has_value());
        if (r) {
            EXPECT_EQ(r->status, 200);
            EXPECT_EQ(r->body, "203.0.113.9|127.0.0.1");
            EXPECT_EQ(r->Header("X-Admitted"), "yes");
            EXPECT_EQ(r->Header("X-Handler-Wins"), "handler");  // the handler's header is kept
            ExpectCommonHeaders(*r);
        }
        // The next request starts from the TCP peer again; errors from net get the headers too.
        auto again = co_await Fetch(f.server.Port(), Request("GET", "/client"));
        EXPECT_TRUE(again && again->body == "127.0.0.1|127.0.0.1");
        auto missing = co_await Fetch(f.server.Port(), Request("GET", "/missing"));
        EXPECT_TRUE(missing && missing->status == 404 && missing->Header("X-Admitted") == "yes");
        auto body = co_await Fetch(f.server.Port(), Request("POST", "/count", "", "12345"));
        EXPECT_TRUE(body && body->body == "5");
    }());
    EXPECT_EQ(f.fake->client_ip_not_preset.load(), 0);
    EXPECT_EQ(f.fake->saw_body.load(), 0);  // asked before the body is read
}

TEST(AdmissionTest, WebSocketUpgradeIsCheckedBeforeItIsHandled) {
    AdmissionFixture f;  // no WebSocket handler: an admitted upgrade would get 404
    f.server.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        const std::string upgrade =
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n";
        auto rejected = co_await Fetch(f.server.Port(), Request("GET", "/ws", upgrade + "X-Reject: 1\r\n"));
        EXPECT_TRUE(rejected && rejected->status == 429);
        auto admitted = co_await Fetch(f.server.Port(), Request("GET", "/ws", upgrade));
        EXPECT_TRUE(admitted && admitted->status == 404);
    }());
    EXPECT_EQ(f.fake->requests.load(), 2);
}

TEST(AdmissionTest, WithoutAdmissionTheClientIsTheTcpPeer) {
    std::atomic<int> handled{0};
    ServerFixture f;
    AddAdmissionRoutes(f.router, handled);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto r = co_await Fetch(f.Port(), Request("GET", "/client", "X-Test-Client: 203.0.113.9\r\n"));
        EXPECT_TRUE(r && r->body == "127.0.0.1|127.0.0.1");
    }());
}

}  // namespace
}  // namespace gw::net
