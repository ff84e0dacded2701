// Fuzz target: the first WebSocket message of the OpenClaw protocol (api::WsHandshakeHandler::OnMessage,
// the pre-authentication frame parse on `/`), driven through a fake session. The frame JSON parse is
// inline in the handler, so the real handler is run. Properties: the handler closes the session exactly
// once with 1008 (not a connect request) or 1013 (connect, protocol not available yet), and whatever it
// sends after the challenge is one JSON `res` frame.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "api/ws_handshake.hpp"
#include "fuzz_input.hpp"
#include "obs/log.hpp"

namespace {

class FakeSession final : public gw::net::WebSocketSession {
public:
    bool Send(std::string text) override {
        sent.push_back(std::move(text));
        return true;
    }

    void Close(std::uint16_t code, std::string /*reason*/) override { close_codes.push_back(code); }

    void SetReadLimit(std::size_t bytes) override { read_limit = bytes; }

    const gw::net::HttpRequest& UpgradeRequest() const override { return request; }

    std::string_view Id() const override { return "fuzz-session"; }

    std::vector<std::string> sent;
    std::vector<std::uint16_t> close_codes;
    std::size_t read_limit = 0;
    gw::net::HttpRequest request;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    gw::obs::SetLogSinkForTest([](std::string_view /*line*/) {});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > gw::api::WsHandshakeHandler::kPreAuthMaxFrameBytes) {
        return 0;  // the server refuses larger pre-auth messages before the handler sees them
    }
    boost::asio::io_context ioc;
    gw::api::WsHandshakeHandler handler(ioc, std::chrono::hours(1));
    auto session = std::make_shared<FakeSession>();
    handler.OnOpen(session);
    GW_FUZZ_CHECK(session->sent.size() == 1);  // connect.challenge
    boost::asio::co_spawn(
        ioc,
        handler.OnMessage(session, std::string(reinterpret_cast<const char*>(data), size)),
        [](const std::exception_ptr& e) {
            if (e) {
                std::rethrow_exception(e);  // an escaped exception is a finding
            }
        }
    );
    ioc.run();
    handler.OnClose(*session, session->close_codes.empty() ? 1006 : session->close_codes.front());

    GW_FUZZ_CHECK(session->close_codes.size() == 1);
    GW_FUZZ_CHECK(session->close_codes[0] == 1008 || session->close_codes[0] == 1013);
    GW_FUZZ_CHECK(session->sent.size() <= 2);
    if (session->sent.size() == 2) {
        boost::system::error_code ec;
        const boost::json::value reply = boost::json::parse(session->sent[1], ec);
        GW_FUZZ_CHECK(!ec && reply.is_object());
        const auto* type = reply.as_object().if_contains("type");
        GW_FUZZ_CHECK(type != nullptr && type->is_string() && type->get_string() == "res");
    } else {
        GW_FUZZ_CHECK(session->close_codes[0] == 1008);
    }
    return 0;
}
