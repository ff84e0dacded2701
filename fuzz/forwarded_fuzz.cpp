// Fuzz target: the client-address headers honoured from trusted proxies (edge::ResolveClientAddress over
// X-Forwarded-For and RFC 7239 Forwarded, and the per-entry parsers). Byte 0: header mode and peer;
// byte 1: max_hops; the rest: header lines `Name:value` separated by '\n'.
// Properties: an untrusted peer (or mode kNone) resolves to the peer itself; the result is the peer, a
// trusted hop, or an address written in the chosen header; every parsed entry formats and parses back
// to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/client_address.hpp"
#include "fuzz_input.hpp"

namespace {

namespace edge = gw::edge;

const edge::CidrSet& TrustedProxies() {
    static const edge::CidrSet set = [] {
        auto parsed =
            edge::CidrSet::Parse({"10.0.0.0/8", "192.168.0.0/16", "127.0.0.1", "2001:db8::/32", "::1"});
        GW_FUZZ_CHECK(parsed.has_value());
        return *parsed;
    }();
    return set;
}

void CheckRoundTrip(const std::optional<edge::IpAddress>& ip) {
    if (ip) {
        edge::IpAddress::TextBuffer buf;
        const auto again = edge::IpAddress::Parse(ip->Format(buf));
        GW_FUZZ_CHECK(again.has_value() && *again == *ip);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    gw::fuzz::FuzzInput in(data, size);
    const std::uint8_t control = in.TakeByte();
    const std::size_t max_hops = in.TakeByte() % 80;
    const auto mode = static_cast<edge::ForwardedHeader>(control % 3);
    static const char* const kPeers[] = {"10.1.2.3", "2001:db8::7", "203.0.113.9", "::ffff:192.168.1.1"};
    const auto peer = edge::IpAddress::Parse(kPeers[(control / 3) % 4]);
    GW_FUZZ_CHECK(peer.has_value());

    std::vector<std::pair<std::string, std::string>> headers;
    for (const std::string_view line : in.SplitRest('\n')) {
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            headers.emplace_back(std::string(line), std::string());
        } else {
            headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
        }
    }

    const edge::IpAddress client =
        edge::ResolveClientAddress(*peer, headers, TrustedProxies(), mode, max_hops);
    if (mode == edge::ForwardedHeader::kNone || !TrustedProxies().Contains(*peer)) {
        GW_FUZZ_CHECK(client == *peer);
    }

    // Every entry the resolver may have returned, as parsed on its own.
    bool seen = client == *peer || TrustedProxies().Contains(client);
    for (const auto& [name, value] : headers) {
        std::string_view rest = value;
        while (true) {
            const std::size_t comma = rest.find(',');
            const std::string_view entry = rest.substr(0, comma);
            const auto xff = edge::ParseXffEntry(entry);
            const auto fwd = edge::ParseForwardedFor(entry);
            CheckRoundTrip(xff);
            CheckRoundTrip(fwd);
            seen = seen || (xff && *xff == client) || (fwd && *fwd == client);
            if (comma == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(comma + 1);
        }
    }
    GW_FUZZ_CHECK(seen);
    return 0;
}
