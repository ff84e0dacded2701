// Fuzz target: the YAML configuration loader (config::LoadFromString: yaml-cpp parse, strict field
// binding, validation). Property: a config that loads renders (RenderEffective) to YAML that loads again.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/loader.hpp"
#include "fuzz_input.hpp"

namespace {

std::optional<std::string> NoEnv(std::string_view /*name*/) {
    return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view yaml(reinterpret_cast<const char*>(data), size);
    const gw::config::EnvLookup env = NoEnv;
    auto cfg = gw::config::LoadFromString(yaml, "fuzz.yaml", env);
    if (!cfg) {
        GW_FUZZ_CHECK(cfg.error().code == gw::ErrorCode::kInvalidArgument);
        return 0;
    }
    const std::string rendered = gw::config::RenderEffective(*cfg);
    auto again = gw::config::LoadFromString(rendered, "rendered.yaml", env);
    if (!again) {
        std::fprintf(
            stderr, "rendered config does not load: %s\n%s\n", again.error().message.c_str(), rendered.c_str()
        );
    }
    GW_FUZZ_CHECK(again.has_value());
    return 0;
}
