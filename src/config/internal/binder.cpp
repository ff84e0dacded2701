#include "config/internal/binder.hpp"
#include "config/internal/compound.hpp"

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

}  // namespace

std::string UnknownKeyMessage(const std::vector<std::string_view>& allowed, std::string_view key) {
    std::string list;
    std::string_view best;
    std::size_t best_distance = 3;  // suggest only within distance 2
    for (const auto candidate : allowed) {
        if (!list.empty()) {
            list += ", ";
        }
        list += candidate;
        const auto d = EditDistance(key, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    std::string msg = fmt::format("unknown key (expected one of: {})", list);
    if (!best.empty()) {
        msg += fmt::format("; did you mean '{}'?", best);
    }
    return msg;
}

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

Result<void> CheckKeyIsScalar(const YAML::Node& key, std::string_view path, const LoadContext& ctx) {
    if (key.IsScalar()) {
        return Ok();
    }
    return ctx.FailAt(key.Mark(), path, fmt::format("keys must be plain strings, got {}", DescribeNode(key)));
}

Result<void> CheckMapping(
    const YAML::Node& key, const YAML::Node& value, const std::string& path, const LoadContext& ctx
) {
    if (value.IsMap()) {
        return Ok();
    }
    return ctx.FailAt(MarkOf(key, value), path, fmt::format("expected a mapping, got {}", DescribeNode(value)));
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

bool IsOff(const YAML::Node& value) {
    return value.IsNull() || (value.IsScalar() && value.Tag() == "?" && value.Scalar() == "off");
}

}  // namespace gw::config::internal
