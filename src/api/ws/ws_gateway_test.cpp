#include <atomic>
#include <chrono>

#include "api/ws/ws_gateway_test_support.hpp"

namespace gw::api::ws::testing {
namespace {

using namespace std::chrono_literals;

/// test.sleep {ms}: answers {slept: ms} after a cancellable wait. test.admin needs operator.admin.
void AddTestMethods(MethodRegistry& registry, std::atomic<int>* cancelled_handlers) {
    registry.Add(MethodSpec{"test.sleep", std::string(kScopeRead),
                            [cancelled_handlers](MethodCall& call) -> asio::awaitable<MethodReply> {
                                const std::int64_t ms = call.params.as_object().at("ms").as_int64();
                                asio::steady_timer timer(co_await asio::this_coro::executor,
                                                         std::chrono::milliseconds(ms));
                                try {
                                    co_await timer.async_wait(asio::use_awaitable);
                                } catch (const boost::system::system_error&) {
                                    if (cancelled_handlers != nullptr) {
                                        ++*cancelled_handlers;
                                    }
                                    throw;
                                }
                                co_return json::value(json::object{{"slept", ms}});
                            }});
    // test.burst {n}: n events sent from n handlers posted to the io_context (concurrent senders).
    registry.Add(MethodSpec{"test.burst", std::string(kScopeRead), [](MethodCall& call) -> asio::awaitable<MethodReply> {
                                const std::int64_t n = call.params.as_object().at("n").as_int64();
                                for (std::int64_t i = 0; i < n; ++i) {
                                    asio::post(call.services.ioc, [conn = call.conn, i] {
                                        conn->SendEvent("test.burst", json::object{{"i", i}});
                                    });
                                }
                                co_return json::value(n);
                            }});
    registry.Add(MethodSpec{"test.admin", std::string(kScopeAdmin),
                            [](MethodCall&) -> asio::awaitable<MethodReply> { co_return json::value(true); }});
    if (registry.Find("health") == nullptr) {
        registry.Add(MethodSpec{"health", std::string(kScopeRead), [](MethodCall& call) -> asio::awaitable<MethodReply> {
                                    co_return json::value(co_await BuildHealthSnapshot(call.services));
                                }});
    }
}

class WsGatewayTest : public GatewayFixture {
protected:
    void SetUp() override {
        extra_methods = [this](MethodRegistry& methods) { AddTestMethods(methods, &cancelled_handlers); };
    }
    std::atomic<int> cancelled_handlers{0};
};

TEST_F(WsGatewayTest, SendsChallengeFirstThenHelloOkWithRequiredKeysAndHealthAsSeqOne) {
    Start();
    WsTestClient client(Port());
    auto challenge = client.Read();
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->at("event"), "connect.challenge");
    EXPECT_FALSE(challenge->contains("seq"));
    const auto& payload = challenge->at("payload").as_object();
    EXPECT_EQ(payload.at("nonce").as_string().size(), 36u);
    EXPECT_TRUE(payload.at("ts").is_int64());
    EXPECT_TRUE(payload.at("capabilities").is_array());

    client.Send(Req("c1", "connect", ConnectParamsJson("secret-token", {"operator.read"})));
    auto res = client.ReadResponse("c1");
    ASSERT_TRUE(res);
    ASSERT_TRUE(res->at("ok").as_bool()) << json::serialize(*res);
    const auto& hello_ok = res->at("payload").as_object();
    EXPECT_EQ(hello_ok.at("type"), "hello-ok");
    EXPECT_EQ(hello_ok.at("protocol").as_int64(), 4);
    const auto& server = hello_ok.at("server").as_object();
    for (const char* key : {"version", "buildId", "bootId", "connId"}) {
        EXPECT_TRUE(server.contains(key)) << key;
    }
    EXPECT_EQ(server.at("version"), "1.2.3");
    const auto& features = hello_ok.at("features").as_object();
    bool has_sleep = false;
    for (const auto& name : features.at("methods").as_array()) {
        has_sleep = has_sleep || name == "test.sleep";
    }
    EXPECT_TRUE(has_sleep);
    EXPECT_TRUE(features.at("events").is_array());
    const auto& snapshot = hello_ok.at("snapshot").as_object();
    EXPECT_TRUE(snapshot.at("health").is_object());
    EXPECT_TRUE(snapshot.at("stateVersion").as_object().contains("presence"));
    EXPECT_TRUE(snapshot.at("stateVersion").as_object().contains("health"));
    EXPECT_TRUE(snapshot.at("uptimeMs").is_int64());
    EXPECT_EQ(snapshot.at("sessionDefaults").as_object().at("mainSessionKey"), "agent:main:main");
    EXPECT_EQ(snapshot.at("authMode"), "token");
    const auto& presence = snapshot.at("presence").as_array();
    ASSERT_GE(presence.size(), 2u);
    EXPECT_EQ(presence[0].as_object().at("mode"), "gateway");
    EXPECT_EQ(presence[0].as_object().at("reason"), "self");
    const auto& auth = hello_ok.at("auth").as_object();
    EXPECT_EQ(auth.at("method"), "token");
    EXPECT_EQ(auth.at("role"), "operator");
    EXPECT_EQ(auth.at("scopes").as_array(), json::array({"operator.read"}));
    const auto& policy = hello_ok.at("policy").as_object();
    EXPECT_EQ(policy.at("maxPayload").to_number<std::uint64_t>(), config.server.ws_max_message_bytes);
    EXPECT_EQ(policy.at("maxBufferedBytes").to_number<std::uint64_t>(), config.server.ws_max_queued_bytes);
    EXPECT_EQ(policy.at("tickIntervalMs").as_int64(), 30'000);

    auto health = client.Read();
    ASSERT_TRUE(health);
    EXPECT_EQ(health->at("event"), "health");
    EXPECT_EQ(health->at("seq").as_int64(), 1);
    EXPECT_EQ(gateway_->Connections(), 1u);
}

TEST_F(WsGatewayTest, WrongTokenGetsAuthMismatchThenClose1008) {
    Start();
    WsTestClient client(Port());
    ASSERT_TRUE(client.Read());
    client.Send(Req("c1", "connect", ConnectParamsJson("wrong", {"operator.read"})));
    auto res = client.ReadResponse("c1");
    ASSERT_TRUE(res);
    EXPECT_FALSE(res->at("ok").as_bool());
    const auto& error = res->at("error").as_object();
    EXPECT_EQ(error.at("code"), "INVALID_REQUEST");
    EXPECT_EQ(error.at("message"),
              "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)");
    EXPECT_EQ(error.at("details").as_object().at("code"), "AUTH_TOKEN_MISMATCH");
    EXPECT_EQ(error.at("details").as_object().at("recommendedNextStep"), "retry_with_device_token");
    EXPECT_EQ(client.ReadUntilClose(), 1008);
    EXPECT_EQ(client.CloseReason(), error.at("message").as_string());
    EXPECT_NE(registry.RenderPrometheus().find("openclaw_ws_handshake_failures_total{reason=\"auth_failed\"} 1"),
              std::string::npos);
}

TEST_F(WsGatewayTest, RepeatedAuthFailuresAreRateLimited) {
    limiter_options.exempt_loopback = false;
    limiter_options.max_failures = 2;
    Start();
    std::vector<std::string> codes;
    for (const char* token : {"wrong-1", "wrong-2", "secret-token"}) {
        WsTestClient client(Port());
        ASSERT_TRUE(client.Read());
        client.Send(Req("c1", "connect", ConnectParamsJson(token, {})));
        auto res = client.ReadResponse("c1");
        ASSERT_TRUE(res);
        ASSERT_FALSE(res->at("ok").as_bool());
        const auto& error = res->at("error").as_object();
        codes.emplace_back(error.at("details").as_object().at("code").as_string());
        if (codes.back() == "AUTH_RATE_LIMITED") {
            EXPECT_GT(error.at("details").as_object().at("retryAfterMs").as_int64(), 0);
            EXPECT_TRUE(error.at("retryable").as_bool());
        }
        EXPECT_EQ(client.ReadUntilClose(), 1008);
    }
    // The failure that reaches the limit still reports the mismatch; the next attempt meets the lockout.
    EXPECT_EQ(codes, (std::vector<std::string>{"AUTH_TOKEN_MISMATCH", "AUTH_TOKEN_MISMATCH", "AUTH_RATE_LIMITED"}));
}

TEST_F(WsGatewayTest, FirstFrameMustBeConnect) {
    Start();
    WsTestClient client(Port());
    ASSERT_TRUE(client.Read());
    client.Send(Req("h1", "health"));
    auto res = client.ReadResponse("h1");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->at("error").as_object().at("message"), "invalid handshake: first request must be connect");
    EXPECT_EQ(client.ReadUntilClose(), 1008);
    EXPECT_EQ(client.CloseReason(), "invalid handshake: first request must be connect");
}

TEST_F(WsGatewayTest, ProtocolMismatchClosesWith1002) {
    Start();
    WsTestClient client(Port());
    ASSERT_TRUE(client.Read());
    auto params = ConnectParamsJson("secret-token", {});
    params["minProtocol"] = 1;
    params["maxProtocol"] = 3;
    client.Send(Req("c1", "connect", params));
    auto res = client.ReadResponse("c1");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->at("error").as_object().at("details").as_object().at("code"), "PROTOCOL_MISMATCH");
    EXPECT_EQ(client.ReadUntilClose(), 1002);
    EXPECT_EQ(client.CloseReason(), "protocol mismatch");
}

TEST_F(WsGatewayTest, PreAuthFramesAreCappedAt64KiB) {
    Start();
    WsTestClient client(Port());
    ASSERT_TRUE(client.Read());
    auto params = ConnectParamsJson("secret-token", {});
    params["userAgent"] = std::string(70 * 1024, 'x');
    client.Send(Req("c1", "connect", params));
    EXPECT_EQ(client.ReadUntilClose(), 1009);
}

TEST_F(WsGatewayTest, AfterHelloTheLimitIsMaxPayload) {
    Start();
    auto client = Connect();
    // 100 KiB is over the pre-auth cap but under policy.maxPayload: answered, not closed.
    client->Send(Req("big", "no.such.method", json::object{{"pad", std::string(100 * 1024, 'x')}}));
    auto res = client->ReadResponse("big");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->at("error").as_object().at("message"), "unknown method: no.such.method");
}

TEST_F(WsGatewayTest, HandshakeTimesOut) {
    config.ws.handshake_timeout = 100ms;
    Start();
    WsTestClient client(Port());
    ASSERT_TRUE(client.Read());
    EXPECT_EQ(client.ReadUntilClose(), 1008);
    EXPECT_EQ(client.CloseReason(), "handshake timeout");
}

TEST_F(WsGatewayTest, HealthCallSucceedsAndUnknownMethodAndMissingScopeAreRejected) {
    Start();
    auto client = Connect({"operator.read"});
    client->Send(Req("h1", "health"));
    auto health = client->ReadResponse("h1");
    ASSERT_TRUE(health);
    EXPECT_TRUE(health->at("ok").as_bool()) << json::serialize(*health);
    EXPECT_TRUE(health->at("payload").is_object());

    client->Send(Req("u1", "no.such.method"));
    auto unknown = client->ReadResponse("u1");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->at("error").as_object().at("code"), "INVALID_REQUEST");
    EXPECT_EQ(unknown->at("error").as_object().at("message"), "unknown method: no.such.method");

    client->Send(Req("a1", "test.admin"));
    auto forbidden = client->ReadResponse("a1");
    ASSERT_TRUE(forbidden);
    EXPECT_EQ(forbidden->at("error").as_object().at("code"), "FORBIDDEN");
    EXPECT_EQ(forbidden->at("error").as_object().at("message"), "missing scope: operator.admin");

    client->Send(Req("c2", "connect", ConnectParamsJson("secret-token", {})));
    auto again = client->ReadResponse("c2");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->at("error").as_object().at("code"), "INVALID_REQUEST");
}

TEST_F(WsGatewayTest, ConcurrentRequestsAreAnsweredOutOfOrder) {
    Start();
    auto client = Connect();
    client->Send(Req("slow", "test.sleep", json::object{{"ms", 400}}));
    client->Send(Req("fast", "test.sleep", json::object{{"ms", 1}}));
    std::vector<std::string> order;
    while (order.size() < 2) {
        auto frame = client->Read();
        ASSERT_TRUE(frame);
        if (frame->at("type") == "res") {
            EXPECT_TRUE(frame->at("ok").as_bool());
            order.emplace_back(frame->at("id").as_string());
        }
    }
    EXPECT_EQ(order, (std::vector<std::string>{"fast", "slow"}));
}

TEST_F(WsGatewayTest, CancelAbortsThePendingRequest) {
    Start();
    auto client = Connect();
    const auto started = std::chrono::steady_clock::now();
    client->Send(Req("long", "test.sleep", json::object{{"ms", 10'000}}));
    client->Send(json::object{{"type", "cancel"}, {"id", "long"}});
    auto res = client->ReadResponse("long");
    ASSERT_TRUE(res);
    EXPECT_FALSE(res->at("ok").as_bool());
    EXPECT_EQ(res->at("error").as_object().at("message"), "request cancelled");
    EXPECT_FALSE(res->at("error").as_object().contains("retryable"));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    // The handler itself was aborted (not left running), and the id is free again.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (cancelled_handlers.load() == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(cancelled_handlers.load(), 1);
    client->Send(Req("long", "test.sleep", json::object{{"ms", 1}}));
    auto reuse = client->ReadResponse("long");
    ASSERT_TRUE(reuse);
    EXPECT_TRUE(reuse->at("ok").as_bool());
}

TEST_F(WsGatewayTest, RequestsBeyondTheInflightBoundGetRetryableUnavailable) {
    config.ws.max_inflight_requests = 2;
    Start();
    auto client = Connect();
    client->Send(Req("a", "test.sleep", json::object{{"ms", 500}}));
    client->Send(Req("b", "test.sleep", json::object{{"ms", 500}}));
    client->Send(Req("c", "test.sleep", json::object{{"ms", 1}}));
    auto res = client->ReadResponse("c");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->at("error").as_object().at("code"), "UNAVAILABLE");
    EXPECT_TRUE(res->at("error").as_object().at("retryable").as_bool());
}

TEST_F(WsGatewayTest, EventSeqIsStrictlyIncreasingFromOneWithTicks) {
    config.ws.tick_interval = 20ms;
    Start();
    auto client = Connect();
    std::int64_t expected = 1;
    int ticks = 0;
    while (ticks < 5) {
        auto frame = client->Read();
        ASSERT_TRUE(frame);
        if (frame->at("type") != "event") {
            continue;
        }
        EXPECT_EQ(frame->at("seq").as_int64(), expected);
        ++expected;
        if (frame->at("event") == "tick") {
            EXPECT_TRUE(frame->at("payload").as_object().at("ts").is_int64());
            ++ticks;
        }
    }
}

TEST_F(WsGatewayTest, SeqStaysStrictlyIncreasingWithConcurrentSenders) {
    config.ws.tick_interval = 5ms;
    Start();
    auto client = Connect();
    client->Send(Req("b", "test.burst", json::object{{"n", 200}}));
    std::int64_t last = 0;
    int burst = 0;
    while (burst < 200) {
        auto frame = client->Read();
        ASSERT_TRUE(frame);
        if (frame->at("type") != "event") {
            continue;
        }
        const std::int64_t seq = frame->at("seq").as_int64();
        EXPECT_EQ(seq, last + 1);
        last = seq;
        burst += frame->at("event") == "test.burst" ? 1 : 0;
    }
}

TEST_F(WsGatewayTest, ShutdownSendsShutdownEventThenCloses1012AndRefusesNewConnections) {
    Start();
    auto client = Connect();
    gateway_->BeginShutdown("drain", 5000);
    std::optional<json::object> shutdown;
    while (auto frame = client->Read()) {
        if (frame->at("type") == "event" && frame->at("event") == "shutdown") {
            shutdown = frame;
        }
    }
    ASSERT_TRUE(shutdown);
    EXPECT_EQ(shutdown->at("payload").as_object().at("reason"), "drain");
    EXPECT_EQ(shutdown->at("payload").as_object().at("restartExpectedMs").as_int64(), 5000);
    EXPECT_EQ(client->ReadUntilClose(), 1012);

    WsTestClient late(Port());
    auto challenge = late.Read();
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->at("event"), "connect.challenge");
    EXPECT_EQ(late.ReadUntilClose(), 1012);
}

}  // namespace
}  // namespace gw::api::ws::testing
