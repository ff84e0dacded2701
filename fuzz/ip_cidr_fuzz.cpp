// Fuzz target: IP address and CIDR parsing (edge::IpAddress::Parse, edge::Cidr::Parse, edge::CidrSet),
// used for trusted proxies, allow/deny lists and reputation files. Input: entries separated by '\n'.
// Properties: an accepted address formats canonically and parses back to itself; an accepted block
// prints and parses back to itself and contains its network; CidrSet::Contains agrees with checking
// every block one by one.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cidr.hpp"
#include "edge/ip_address.hpp"
#include "fuzz_input.hpp"

namespace edge = gw::edge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    gw::fuzz::FuzzInput in(data, size);
    std::vector<edge::Cidr> blocks;
    std::vector<std::string> block_texts;
    std::vector<edge::IpAddress> addresses;
    for (const std::string_view entry : in.SplitRest('\n')) {
        if (const auto ip = edge::IpAddress::Parse(entry)) {
            edge::IpAddress::TextBuffer buf;
            const std::string_view text = ip->Format(buf);
            GW_FUZZ_CHECK(text.size() <= edge::IpAddress::kMaxTextLength);
            const auto again = edge::IpAddress::Parse(text);
            GW_FUZZ_CHECK(again.has_value() && *again == *ip);
            GW_FUZZ_CHECK(ip->ToString() == text);
            for (const int len : {0, 1, 31, 32, 33, 64, 127, 128}) {
                GW_FUZZ_CHECK(ip->Masked(len).family() == ip->family());
            }
            (void)edge::ClientIdentity(*ip, 64);
            addresses.push_back(*ip);
        }
        if (auto cidr = edge::Cidr::Parse(entry)) {
            const std::string text = cidr->ToString();
            auto again = edge::Cidr::Parse(text);
            GW_FUZZ_CHECK(again.has_value() && *again == *cidr);
            GW_FUZZ_CHECK(cidr->Contains(cidr->network()));
            GW_FUZZ_CHECK(cidr->network().Masked(cidr->prefix_length()) == cidr->network());
            blocks.push_back(*cidr);
            block_texts.emplace_back(entry);
        } else {
            GW_FUZZ_CHECK(cidr.error().code == gw::ErrorCode::kInvalidArgument);
        }
    }
    const edge::CidrSet set(blocks);
    auto parsed_set = edge::CidrSet::Parse(block_texts);
    GW_FUZZ_CHECK(parsed_set.has_value());
    GW_FUZZ_CHECK(set.empty() == blocks.empty());
    for (const edge::Cidr& block : blocks) {
        addresses.push_back(block.network());
    }
    for (const edge::IpAddress& ip : addresses) {
        bool any = false;
        for (const edge::Cidr& block : blocks) {
            any = any || block.Contains(ip);
        }
        GW_FUZZ_CHECK(set.Contains(ip) == any);
        GW_FUZZ_CHECK(parsed_set->Contains(ip) == any);
    }
    return 0;
}
