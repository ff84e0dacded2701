// Fuzz target: untrusted JSON request bodies as the edge limits them (edge::CheckJsonLimits) and
// Boost.JSON parses them. Byte 0 picks the depth limit (0..40). Property (differential): a body that
// passes CheckJsonLimits never makes Boost.JSON, limited to the same depth, fail for depth; and a
// body Boost.JSON parses within that depth passes CheckJsonLimits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json.hpp>

#include "edge/json_limits.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    gw::fuzz::FuzzInput in(data, size);
    const std::size_t depth = in.TakeByte() % 41;
    const std::string_view body = in.Rest();

    gw::edge::JsonLimits limits;
    limits.max_depth = depth;
    limits.max_bytes = 64 * 1024;
    const auto checked = gw::edge::CheckJsonLimits(body, limits);
    if (!checked) {
        GW_FUZZ_CHECK(checked.error().code == gw::ErrorCode::kInvalidArgument);
    }

    boost::json::parse_options opts;
    opts.max_depth = depth;
    boost::system::error_code ec;
    boost::json::monotonic_resource mr;
    const boost::json::value value = boost::json::parse(body, ec, &mr, opts);
    if (checked) {
        GW_FUZZ_CHECK(ec != boost::json::error::too_deep);
    }
    if (!ec && body.size() <= limits.max_bytes) {
        GW_FUZZ_CHECK(checked.has_value());
        (void)boost::json::serialize(value);
    }
    return 0;
}
