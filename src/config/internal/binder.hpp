#pragma once
/// @file
/// @brief The table-driven binding between YAML keys and GatewayConfig fields (private to config).
///
/// The schema is a tree of `Field`s: sections hold children, leaves know how to parse a YAML node or
/// an environment string into one member of GatewayConfig and how to render it back. Adding a config
/// section means adding one `Section(...)` row in schema.cpp; walking, unknown/duplicate-key checks,
/// env overrides and rendering come for free.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/error.hpp"
#include "config/loader.hpp"
#include "config/options.hpp"

namespace gw::config::internal {

/// Where a config value came from, for error messages.
struct Origin {
    enum class Kind { kDefault, kFile, kEnv };
    Kind kind = Kind::kDefault;
    int line = 0;          ///< 1-based (kFile)
    int column = 0;        ///< 1-based (kFile)
    std::string env_name;  ///< kEnv
};

/// State of one Load: the name used in messages, the env lookup and the origin of every leaf set.
class LoadContext {
public:
    LoadContext(std::string file_name, const EnvLookup& env);

    /// The env var's value; nullopt when unset or empty.
    std::optional<std::string> Env(std::string_view name) const;

    void SetOrigin(const std::string& path, Origin origin);
    /// Origin of the leaf at `path` (kDefault when neither the file nor the env set it).
    Origin OriginOf(std::string_view path) const;
    Origin FileOrigin(const YAML::Mark& mark) const;

    /// "<prefix of origin><path>: <what>" where prefix is "<file>:<l>:<c>: ", "env NAME: " or "".
    Error Fail(const Origin& origin, std::string_view path, std::string_view what) const;
    Error FailAt(const YAML::Mark& mark, std::string_view path, std::string_view what) const;
    /// "env NAME: <what>".
    Error FailEnv(std::string_view env_name, std::string_view what) const;

private:
    std::string file_name_;
    const EnvLookup& env_;
    std::map<std::string, Origin, std::less<>> origins_;
};

/// One key of a YAML mapping: a leaf (from_env and render set) or a section (children set).
struct Field {
    using FromYaml = std::function<Result<void>(
        const YAML::Node& key,
        const YAML::Node& value,
        const std::string& path,
        LoadContext& ctx,
        GatewayConfig& cfg
    )>;
    using FromEnv = std::function<Result<void>(
        const std::string& text,
        std::string_view env_name,
        const std::string& path,
        LoadContext& ctx,
        GatewayConfig& cfg
    )>;
    using Render = std::function<void(const GatewayConfig& cfg, YAML::Emitter& out)>;

    std::string key;
    FromYaml from_yaml;
    FromEnv from_env;  ///< empty for sections and for leaves without an env form
    Render render;
    std::vector<Field> children;  ///< non-empty for sections
};

/// A section: a mapping whose keys are `children`. A null value (`tls:` with nothing) keeps defaults.
Field Section(std::string key, std::vector<Field> children);

/// Applies a YAML mapping to `cfg` through `fields`: rejects unknown keys (listing the allowed ones),
/// duplicate keys and non-string keys.
Result<void> BindMapping(
    const YAML::Node& map,
    const std::vector<Field>& fields,
    const std::string& path,
    LoadContext& ctx,
    GatewayConfig& cfg
);

/// Renders `fields` of `cfg` as a YAML block mapping.
void RenderMapping(const std::vector<Field>& fields, const GatewayConfig& cfg, YAML::Emitter& out);

/// The leaf at dotted `path` under `fields`, or nullptr.
const Field* FindField(const std::vector<Field>& fields, std::string_view path);

/// "a mapping", "a sequence", "nothing (null)", "a quoted string \"x\"" or "'x'".
std::string DescribeNode(const YAML::Node& node);

/// The mark to report for a value: the value's own, or the key's when the value is null/absent.
YAML::Mark MarkOf(const YAML::Node& key, const YAML::Node& value);

/// "a.b" from "a" and "b" (just "b" at top level).
std::string JoinPath(std::string_view parent, std::string_view key);

/// How the top level is named in messages.
inline constexpr std::string_view kTopLevel = "(top level)";

}  // namespace gw::config::internal
