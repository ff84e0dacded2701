#include "config/internal/binder.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace gw::config::internal {
namespace {

/// Levenshtein distance, for "did you mean" suggestions on short keys.
std::size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string UnknownKeyMessage(const std::vector<Field>& fields, std::string_view key) {
    std::string allowed;
    const Field* best = nullptr;
    std::size_t best_distance = 3;  // suggest only within distance 2
    for (const auto& f : fields) {
        if (!allowed.empty()) {
            allowed += ", ";
        }
        allowed += f.key;
        const auto d = EditDistance(key, f.key);
        if (d < best_distance) {
            best_distance = d;
            best = &f;
        }
    }
    std::string msg = fmt::format("unknown key (expected one of: {})", allowed);
    if (best != nullptr) {
        msg += fmt::format("; did you mean '{}'?", best->key);
    }
    return msg;
}

}  // namespace

LoadContext::LoadContext(std::string file_name, const EnvLookup& env)
    : file_name_(std::move(file_name)), env_(env) {}

std::optional<std::string> LoadContext::Env(std::string_view name) const {
    auto value = env_ ? env_(name) : std::nullopt;
    if (value && value->empty()) {
        return std::nullopt;  // an empty env var counts as unset
    }
    return value;
}

void LoadContext::SetOrigin(const std::string& path, Origin origin) {
    origins_[path] = std::move(origin);
}

Origin LoadContext::OriginOf(std::string_view path) const {
    auto it = origins_.find(path);
    return it == origins_.end() ? Origin{} : it->second;
}

Origin LoadContext::FileOrigin(const YAML::Mark& mark) const {
    return Origin{Origin::Kind::kFile, mark.line + 1, mark.column + 1, {}};
}

Error LoadContext::Fail(const Origin& origin, std::string_view path, std::string_view what) const {
    std::string prefix;
    switch (origin.kind) {
        case Origin::Kind::kFile:
            prefix = fmt::format("{}:{}:{}: ", file_name_, origin.line, origin.column);
            break;
        case Origin::Kind::kEnv:
            prefix = fmt::format("env {}: ", origin.env_name);
            break;
        case Origin::Kind::kDefault:
            break;
    }
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}{}: {}", prefix, path, what));
}

Error LoadContext::FailAt(const YAML::Mark& mark, std::string_view path, std::string_view what) const {
    return Fail(FileOrigin(mark), path, what);
}

Error LoadContext::FailEnv(std::string_view env_name, std::string_view what) const {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("env {}: {}", env_name, what));
}

Field Section(std::string key, std::vector<Field> children) {
    Field f;
    f.key = std::move(key);
    f.children = std::move(children);
    f.from_yaml = [children = f.children](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      GatewayConfig& cfg
                  ) -> Result<void> {
        if (value.IsNull()) {
            return Ok();  // "tls:" with every child commented out keeps the defaults
        }
        if (!value.IsMap()) {
            return ctx.FailAt(
                MarkOf(key_node, value), path, fmt::format("expected a mapping, got {}", DescribeNode(value))
            );
        }
        return BindMapping(value, children, path, ctx, cfg);
    };
    f.render = [children = f.children](const GatewayConfig& cfg, YAML::Emitter& out) {
        RenderMapping(children, cfg, out);
    };
    return f;
}

Result<void> BindMapping(
    const YAML::Node& map,
    const std::vector<Field>& fields,
    const std::string& path,
    LoadContext& ctx,
    GatewayConfig& cfg
) {
    std::map<std::string, int, std::less<>> first_line;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;  // copy: operator-> yields a temporary proxy
        const YAML::Node value = it->second;
        if (!key.IsScalar()) {
            return ctx.FailAt(
                key.Mark(),
                path.empty() ? kTopLevel : std::string_view(path),
                fmt::format("keys must be plain strings, got {}", DescribeNode(key))
            );
        }
        const std::string& name = key.Scalar();
        const std::string child_path = JoinPath(path, name);
        auto field =
            std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.key == name; });
        if (field == fields.end()) {
            return ctx.FailAt(key.Mark(), child_path, UnknownKeyMessage(fields, name));
        }
        if (auto [pos, inserted] = first_line.emplace(name, key.Mark().line + 1); !inserted) {
            return ctx.FailAt(
                key.Mark(), child_path, fmt::format("duplicate key (first defined at line {})", pos->second)
            );
        }
        if (auto r = field->from_yaml(key, value, child_path, ctx, cfg); !r) {
            return r.error();
        }
    }
    return Ok();
}

void RenderMapping(const std::vector<Field>& fields, const GatewayConfig& cfg, YAML::Emitter& out) {
    out << YAML::BeginMap;
    for (const auto& f : fields) {
        out << YAML::Key << f.key << YAML::Value;
        f.render(cfg, out);
    }
    out << YAML::EndMap;
}

const Field* FindField(const std::vector<Field>& fields, std::string_view path) {
    const auto dot = path.find('.');
    const auto head = path.substr(0, dot);
    for (const auto& f : fields) {
        if (f.key == head) {
            return dot == std::string_view::npos ? &f : FindField(f.children, path.substr(dot + 1));
        }
    }
    return nullptr;
}

std::string DescribeNode(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Sequence:
            return "a sequence";
        case YAML::NodeType::Scalar:
            if (node.Tag() != "?") {
                return fmt::format("a quoted string \"{}\"", node.Scalar());
            }
            return fmt::format("'{}'", node.Scalar());
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            break;
    }
    return "nothing (null)";
}

YAML::Mark MarkOf(const YAML::Node& key, const YAML::Node& value) {
    if (!value.IsDefined() || value.IsNull() || value.Mark().is_null()) {
        return key.Mark();
    }
    return value.Mark();
}

std::string JoinPath(std::string_view parent, std::string_view key) {
    if (parent.empty()) {
        return std::string(key);
    }
    return fmt::format("{}.{}", parent, key);
}

}  // namespace gw::config::internal
