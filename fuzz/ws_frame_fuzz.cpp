// Fuzz target: client frames of the OpenClaw WebSocket protocol (api::ws::ParseClientFrame, the
// `connect` params parse ParseConnectParams, NegotiateProtocol and the Ed25519 device proof
// VerifyDeviceProof at a fixed nonce and time, and ParamReader on any other method's params).
// Input: one frame text. Properties: a refusal is INVALID_REQUEST with a message; a parsed request
// echoes a non-empty id whose `res` frames are valid JSON; a negotiated protocol is 3 or 4; a verified
// device's id is 64 hex characters; ParamReader errors name the method.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/parse.hpp>

#include "api/ws/internal/connect.hpp"
#include "api/ws/internal/frames.hpp"
#include "api/ws/internal/params.hpp"
#include "fuzz_input.hpp"

namespace ws = gw::api::ws;

namespace {

constexpr std::string_view kNonce = "6f1f2a7e-4f1e-4c1a-9d3c-2a8e5b7c9d10";
constexpr std::int64_t kNowMs = 1'795'607'617'291;

void CheckRefusal(const ws::WsError& error) {
    GW_FUZZ_CHECK(error.code == ws::WsErrorCode::kInvalidRequest);
    GW_FUZZ_CHECK(!error.message.empty());
}

void CheckConnect(const ws::RequestFrame& req) {
    const auto parsed = ws::ParseConnectParams(req.params);
    if (const auto* error = std::get_if<ws::WsError>(&parsed)) {
        CheckRefusal(*error);
        return;
    }
    const auto& params = std::get<ws::ConnectParams>(parsed);
    const auto protocol = ws::NegotiateProtocol(params);
    if (const auto* version = std::get_if<std::int64_t>(&protocol)) {
        GW_FUZZ_CHECK(*version == 3 || *version == 4);
        GW_FUZZ_CHECK(params.min_protocol <= *version && *version <= params.max_protocol);
    } else {
        CheckRefusal(std::get<ws::WsError>(protocol));
    }
    if (!params.device) {
        return;
    }
    const auto device = ws::VerifyDeviceProof(params, kNonce, kNowMs);
    if (const auto* verified = std::get_if<ws::VerifiedDevice>(&device)) {
        GW_FUZZ_CHECK(verified->device_id.size() == 64);
        GW_FUZZ_CHECK(verified->device_id == params.device->id);
    } else {
        const auto& error = std::get<ws::WsError>(device);
        CheckRefusal(error);
        GW_FUZZ_CHECK(error.details.contains("code"));
    }
}

void CheckOtherMethod(const ws::RequestFrame& req) {
    ws::ParamReader reader(req.method, req.params);
    reader.String("sessionKey", false, 512);
    reader.String("message", true, 64 * 1024, true);
    reader.Int("limit", false, 1, 1000);
    reader.Bool("deliver", false);
    reader.StringArray("scopes", false);
    reader.Enum("queueMode", false, {"steer", "followup", "collect", "interrupt"});
    reader.Any("attachments", false);
    if (auto error = reader.Finish()) {
        CheckRefusal(*error);
        GW_FUZZ_CHECK(error->message.find(req.method) != std::string::npos);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto frame = ws::ParseClientFrame(text);
    if (!frame) {
        GW_FUZZ_CHECK(frame.error().code == gw::ErrorCode::kInvalidArgument);
        GW_FUZZ_CHECK(!frame.error().message.empty());
        (void)ws::BestEffortId(text);
        return 0;
    }
    if (const auto* cancel = std::get_if<ws::CancelFrame>(&*frame)) {
        GW_FUZZ_CHECK(!cancel->id.empty());
        return 0;
    }
    const auto& req = std::get<ws::RequestFrame>(*frame);
    GW_FUZZ_CHECK(!req.id.empty() && req.id.size() <= 256);
    boost::system::error_code ec;
    const auto res = boost::json::parse(ws::SerializeError(req.id, ws::InvalidRequest("x")), ec);
    GW_FUZZ_CHECK(!ec && res.as_object().at("id").as_string() == req.id);
    if (req.method == "connect") {
        CheckConnect(req);
    } else {
        CheckOtherMethod(req);
    }
    return 0;
}
