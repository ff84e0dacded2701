// Fuzz target: `Authorization: Bearer` parsing of the HTTP API (api::BearerToken). Input: header lines
// `Name:value` separated by '\n'. Properties: a token is returned only for an Authorization header
// whose scheme is "bearer" (any case); it is non-empty, has no surrounding blanks, and lies inside
// the first Authorization header's value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_auth.hpp"
#include "fuzz_input.hpp"
#include "net/http_types.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    gw::fuzz::FuzzInput in(data, size);
    gw::net::HttpRequest request;
    for (const std::string_view line : in.SplitRest('\n')) {
        const std::size_t colon = line.find(':');
        const std::string_view name = line.substr(0, colon);
        const std::string_view value =
            colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        request.headers.emplace_back(std::string(name), std::string(value));
    }
    const auto token = gw::api::BearerToken(request);
    const auto header = request.Header("Authorization");
    if (!token) {
        return 0;
    }
    GW_FUZZ_CHECK(header.has_value());
    GW_FUZZ_CHECK(!token->empty());
    GW_FUZZ_CHECK(
        token->front() != ' ' && token->front() != '\t' && token->back() != ' ' && token->back() != '\t'
    );
    GW_FUZZ_CHECK(
        token->data() >= header->data() && token->data() + token->size() <= header->data() + header->size()
    );
    const std::size_t at = header->find_first_not_of(" \t");
    GW_FUZZ_CHECK(at != std::string_view::npos && gw::net::IEquals(header->substr(at, 7), "bearer "));
    return 0;
}
