// Fuzz target: the upstream Server-Sent Events parser (net::SseParser). Byte 0 and 1 seed the split
// points and pick an event-size bound; the rest is the stream. The stream is fed once whole and once
// in pseudo-random slices (1..64 bytes, splitting CRLF pairs and the BOM).
// Properties: both feeds give the same events, last id, retry, incompleteness and failure; a failed
// parser keeps failing; after Reset the parser behaves like a new one.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "net/sse_parser.hpp"

namespace {

using gw::net::SseEvent;
using gw::net::SseParser;

struct Outcome {
    std::vector<SseEvent> events;
    bool failed = false;
    bool incomplete = false;
    std::string last_id;
    std::optional<std::chrono::milliseconds> retry;
};

bool SameEvents(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id) {
            return false;
        }
    }
    return true;
}

Outcome Run(SseParser& parser, std::string_view stream, std::uint32_t seed) {
    Outcome out;
    const SseParser::Callback collect = [&out](const SseEvent& e) { out.events.push_back(e); };
    std::size_t pos = 0;
    while (pos < stream.size()) {
        std::size_t len = stream.size() - pos;
        if (seed != 0) {
            seed = seed * 1103515245U + 12345U;
            len = std::min<std::size_t>(len, 1 + (seed >> 16) % 64);
        }
        if (!parser.Feed(stream.substr(pos, len), collect)) {
            out.failed = true;
            GW_FUZZ_CHECK(!parser.Feed("data: x\n\n", collect));  // the failure is sticky
            break;
        }
        pos += len;
    }
    out.incomplete = parser.Incomplete();
    out.last_id = parser.LastEventId();
    out.retry = parser.Retry();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    gw::fuzz::FuzzInput in(data, size);
    const std::uint8_t a = in.TakeByte();
    const std::uint8_t b = in.TakeByte();
    const std::string_view stream = in.Rest();
    const std::size_t max_event_bytes = (a & 0x80) != 0 ? 16 + (b % 128) : SseParser::kDefaultMaxEventBytes;
    const std::uint32_t seed = 1U + a * 256U + b;

    SseParser whole_parser(max_event_bytes);
    const Outcome whole = Run(whole_parser, stream, 0);
    SseParser split_parser(max_event_bytes);
    const Outcome split = Run(split_parser, stream, seed);

    GW_FUZZ_CHECK(whole.failed == split.failed);
    if (!whole.failed) {
        GW_FUZZ_CHECK(SameEvents(whole.events, split.events));
        GW_FUZZ_CHECK(whole.incomplete == split.incomplete);
        GW_FUZZ_CHECK(whole.last_id == split.last_id);
        GW_FUZZ_CHECK(whole.retry == split.retry);
        for (const SseEvent& e : whole.events) {
            GW_FUZZ_CHECK(!e.event.empty());
        }
    }

    split_parser.Reset();
    const Outcome again = Run(split_parser, stream, 0);
    GW_FUZZ_CHECK(again.failed == whole.failed);
    GW_FUZZ_CHECK(SameEvents(again.events, whole.events));
    GW_FUZZ_CHECK(again.last_id == whole.last_id && again.retry == whole.retry);
    return 0;
}
