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
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <yaml-cpp/yaml.h>

#include "base/error.hpp"
#include "config/loader.hpp"
#include "config/options.hpp"

namespace gw::config::internal {

/// How the top level is named in messages.
inline constexpr std::string_view kTopLevel = "(top level)";

/// "a.b" from "a" and "b" (just "b" at top level).
std::string JoinPath(std::string_view parent, std::string_view key);

/// "a mapping", "a sequence", "nothing (null)", "a quoted string \"x\"" or "'x'".
std::string DescribeNode(const YAML::Node& node);

/// The mark to report for a value: the value's own, or the key's when the value is null/absent.
YAML::Mark MarkOf(const YAML::Node& key, const YAML::Node& value);

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

/// One key of a YAML mapping bound to a member of `Target`: a leaf (render set, from_env for env
/// overridable leaves) or a section (children set when the section binds the same Target).
template <class Target>
struct FieldT {
    using FromYaml = std::function<Result<void>(
        const YAML::Node& key,
        const YAML::Node& value,
        const std::string& path,
        LoadContext& ctx,
        Target& target
    )>;
    using FromEnv = std::function<Result<void>(
        const std::string& text,
        std::string_view env_name,
        const std::string& path,
        LoadContext& ctx,
        Target& target
    )>;
    using Render = std::function<void(const Target& target, YAML::Emitter& out)>;

    std::string key;
    FromYaml from_yaml;
    FromEnv from_env;  ///< empty for sections and for leaves without an env form
    Render render;
    std::vector<FieldT> children;  ///< non-empty for same-target sections (walked by FindField)
};

/// The fields of the top level (GatewayConfig).
using Field = FieldT<GatewayConfig>;

/// The type of the member a `ref` lambda (`[](auto& c) -> auto& { return c.x; }`) selects in Target.
template <class Ref, class Target = GatewayConfig>
using LeafType = std::remove_cvref_t<std::invoke_result_t<Ref&, Target&>>;

/// "unknown key (expected one of: a, b); did you mean 'a'?" (the hint only within edit distance 2).
std::string UnknownKeyMessage(const std::vector<std::string_view>& allowed, std::string_view key);

/// Fails unless `key` is a plain scalar (mapping keys must be strings).
Result<void> CheckKeyIsScalar(const YAML::Node& key, std::string_view path, const LoadContext& ctx);

/// Applies a YAML mapping to `target` through `fields`: rejects unknown keys (listing the allowed
/// ones), duplicate keys and non-string keys.
template <class Target>
Result<void> BindMapping(
    const YAML::Node& map,
    const std::vector<FieldT<Target>>& fields,
    const std::string& path,
    LoadContext& ctx,
    Target& target
) {
    std::map<std::string, int, std::less<>> first_line;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;  // copy: operator-> yields a temporary proxy
        const YAML::Node value = it->second;
        if (auto r = CheckKeyIsScalar(key, path.empty() ? kTopLevel : std::string_view(path), ctx); !r) {
            return r;
        }
        const std::string& name = key.Scalar();
        const std::string child_path = JoinPath(path, name);
        const FieldT<Target>* field = nullptr;
        std::vector<std::string_view> allowed;
        for (const auto& f : fields) {
            allowed.push_back(f.key);
            if (f.key == name) {
                field = &f;
            }
        }
        if (field == nullptr) {
            return ctx.FailAt(key.Mark(), child_path, UnknownKeyMessage(allowed, name));
        }
        if (auto [pos, inserted] = first_line.emplace(name, key.Mark().line + 1); !inserted) {
            return ctx.FailAt(
                key.Mark(), child_path, fmt::format("duplicate key (first defined at line {})", pos->second)
            );
        }
        if (auto r = field->from_yaml(key, value, child_path, ctx, target); !r) {
            return r.error();
        }
    }
    return Ok();
}

/// Renders `fields` of `target` as a YAML block mapping.
template <class Target>
void RenderMapping(const std::vector<FieldT<Target>>& fields, const Target& target, YAML::Emitter& out) {
    out << YAML::BeginMap;
    for (const auto& f : fields) {
        out << YAML::Key << f.key << YAML::Value;
        f.render(target, out);
    }
    out << YAML::EndMap;
}

/// Fails unless `value` is a mapping ("expected a mapping, got ...").
Result<void> CheckMapping(
    const YAML::Node& key, const YAML::Node& value, const std::string& path, const LoadContext& ctx
);

/// A section: a mapping whose keys are `children`. A null value (`tls:` with nothing) keeps defaults.
template <class Target = GatewayConfig>
FieldT<Target> Section(std::string key, std::vector<FieldT<Target>> children) {
    FieldT<Target> f;
    f.key = std::move(key);
    f.children = std::move(children);
    f.from_yaml = [children = f.children](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& target
                  ) -> Result<void> {
        if (value.IsNull()) {
            return Ok();  // "tls:" with every child commented out keeps the defaults
        }
        if (auto r = CheckMapping(key_node, value, path, ctx); !r) {
            return r;
        }
        return BindMapping(value, children, path, ctx, target);
    };
    f.render = [children = f.children](const Target& target, YAML::Emitter& out) {
        RenderMapping(children, target, out);
    };
    return f;
}

/// The leaf at dotted `path` under `fields` (same-target sections only), or nullptr.
const Field* FindField(const std::vector<Field>& fields, std::string_view path);

}  // namespace gw::config::internal
