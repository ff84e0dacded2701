#include <string>

#include <yaml-cpp/yaml.h>

#include "base/check.hpp"
#include "config/internal/schema.hpp"
#include "config/loader.hpp"

namespace gw::config {

std::string RenderEffective(const GatewayConfig& cfg) {
    YAML::Emitter out;
    internal::RenderMapping(internal::Schema(), cfg, out);
    // The emitter only fails on unbalanced Begin/End calls, which RenderMapping always pairs.
    GW_CHECK(out.good(), "config render produced invalid YAML");
    std::string text = "# Effective openclaw-gateway configuration (";
    text += cfg.source_file ? "file: " + *cfg.source_file : std::string("no config file");
    text += "; defaults, then file, then environment). Secret values are redacted.\n";
    text += out.c_str();
    text += '\n';
    return text;
}

}  // namespace gw::config
