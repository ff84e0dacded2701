// Fuzz target: JWK Set documents fetched from identity providers (crypto::JwkSet::Parse) and single
// JWKs (crypto::Jwk::FromJson). Properties: a malformed document is kInvalidArgument; every key kept
// serialises (public keys) and its public JWK parses back to a key of the same type.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "crypto/jwk.hpp"
#include "fuzz_input.hpp"

namespace crypto = gw::crypto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    crypto::JwkSetParseOptions options;
    options.allow_symmetric = (size % 2) == 0;
    options.max_keys = 8;
    auto set = crypto::JwkSet::Parse(text, options);
    if (!set) {
        GW_FUZZ_CHECK(set.error().code == gw::ErrorCode::kInvalidArgument);
    } else {
        GW_FUZZ_CHECK(set->size() <= options.max_keys);
        for (const crypto::Jwk& key : set->keys()) {
            for (const crypto::JwtAlg alg :
                 {crypto::JwtAlg::kHs256,
                  crypto::JwtAlg::kRs256,
                  crypto::JwtAlg::kEs256,
                  crypto::JwtAlg::kEdDsa}) {
                (void)key.CanVerify(alg);
            }
            (void)set->FindKeys(std::optional<std::string_view>(key.kid()));
            auto json = key.ToPublicJson();
            if (key.type() == crypto::JwkType::kOct) {
                GW_FUZZ_CHECK(!json.has_value());
                continue;
            }
            GW_FUZZ_CHECK(json.has_value());
            auto again = crypto::Jwk::FromJson(*json);
            GW_FUZZ_CHECK(again.has_value() && again->type() == key.type() && again->kid() == key.kid());
        }
        (void)set->FindKeys(std::nullopt);
    }
    auto single = crypto::Jwk::FromJson(text, /*allow_symmetric=*/true);
    if (!single) {
        GW_FUZZ_CHECK(single.error().code == gw::ErrorCode::kInvalidArgument);
    }
    return 0;
}
