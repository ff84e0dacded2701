#include "config/internal/fields.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <variant>

namespace gw::config::internal {
namespace {

constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

/// Reads a secret file, trimming trailing newlines. On failure returns "what is wrong".
std::variant<std::string, std::string> ReadSecretFile(const std::string& file) {
    using Out = std::variant<std::string, std::string>;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> fp(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!fp) {
        const int err = errno;
        return Out{
            std::in_place_index<1>,
            fmt::format("cannot read secret file '{}': {}", file, std::strerror(err))};
    }
    std::string data;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, fp.get())) > 0) {
        data.append(buf, n);
        if (data.size() > kMaxSecretFileBytes) {
            return Out{std::in_place_index<1>, fmt::format("secret file '{}' is larger than 64KiB", file)};
        }
    }
    if (std::ferror(fp.get()) != 0) {
        const int err = errno;
        return Out{
            std::in_place_index<1>,
            fmt::format("cannot read secret file '{}': {}", file, std::strerror(err))};
    }
    while (!data.empty() && (data.back() == '\n' || data.back() == '\r')) {
        data.pop_back();
    }
    if (data.empty()) {
        return Out{std::in_place_index<1>, fmt::format("secret file '{}' is empty", file)};
    }
    return Out{std::in_place_index<0>, std::move(data)};
}

/// The single `{env: NAME}` / `{file: PATH}` entry of a secret mapping.
Result<Secret> ParseSecretReference(
    const YAML::Node& key, const YAML::Node& map, const std::string& path, LoadContext& ctx
) {
    if (map.size() != 1) {
        return ctx.FailAt(
            MarkOf(key, map), path, "a secret reference needs exactly one of {env: NAME} or {file: PATH}"
        );
    }
    const auto entry = map.begin();
    const YAML::Node kind = entry->first;  // copy: operator-> yields a temporary proxy
    const YAML::Node target = entry->second;
    const std::string kind_name = kind.IsScalar() ? kind.Scalar() : std::string();
    const std::string child_path = JoinPath(path, kind_name);
    if (kind_name != "env" && kind_name != "file") {
        return ctx.FailAt(kind.Mark(), child_path, "unknown key (expected one of: env, file)");
    }
    if (!target.IsScalar() || target.Scalar().empty()) {
        return ctx.FailAt(
            MarkOf(kind, target),
            child_path,
            fmt::format(
                "expected a non-empty {}, got {}",
                kind_name == "env" ? "environment variable name" : "file path",
                DescribeNode(target)
            )
        );
    }
    const std::string& name = target.Scalar();
    if (kind_name == "env") {
        auto value = ctx.Env(name);
        if (!value) {
            return ctx.FailAt(
                target.Mark(), path, fmt::format("environment variable {} is not set (or is empty)", name)
            );
        }
        return Secret{std::move(*value), fmt::format("env:{}", name)};
    }
    auto content = ReadSecretFile(name);
    if (content.index() == 1) {
        return ctx.FailAt(target.Mark(), path, std::get<1>(content));
    }
    return Secret{std::move(std::get<0>(content)), fmt::format("file:{}", name)};
}

}  // namespace

Codec<bool> BoolCodec() {
    Codec<bool> c;
    c.expected = "true or false";
    c.plain_only = true;
    c.parse = [](std::string_view text) { return ParseBool(text); };
    c.emit = [](YAML::Emitter& out, const bool& v) { out << v; };
    return c;
}

Codec<std::string> StringCodec() {
    Codec<std::string> c;
    c.expected = "a string";
    c.parse = [](std::string_view text) -> std::optional<std::string> { return std::string(text); };
    c.emit = [](YAML::Emitter& out, const std::string& v) { out << v; };
    return c;
}

Codec<std::size_t> SizeCodec(std::uint64_t min) {
    Codec<std::size_t> c;
    c.expected = fmt::format("a size >= {} (bytes, or with a unit: B, KB, MB, GB, KiB, MiB, GiB)", min);
    c.parse = [min](std::string_view text) -> std::optional<std::size_t> {
        auto v = ParseSize(text);
        if (!v || *v < min || *v > std::numeric_limits<std::size_t>::max()) {
            return std::nullopt;
        }
        return static_cast<std::size_t>(*v);
    };
    c.emit = [](YAML::Emitter& out, const std::size_t& v) { out << FormatSize(v); };
    return c;
}

Codec<double> PositiveNumberCodec() {
    Codec<double> c;
    c.expected = "a number > 0";
    c.plain_only = true;
    c.parse = [](std::string_view text) -> std::optional<double> {
        double v = 0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, v, std::chars_format::general);
        if (ec != std::errc() || ptr != end || !std::isfinite(v) || !(v > 0.0)) {
            return std::nullopt;
        }
        return v;
    };
    c.emit = [](YAML::Emitter& out, const double& v) { out << fmt::format("{}", v); };  // shortest exact
    return c;
}

Codec<std::string> OneOfCodec(std::vector<std::string> choices) {
    Codec<std::string> c;
    std::string list;
    for (const auto& choice : choices) {
        list += (list.empty() ? "" : ", ") + choice;
    }
    c.expected = fmt::format("one of {}", list);
    c.parse = [choices = std::move(choices)](std::string_view text) -> std::optional<std::string> {
        if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
            return std::nullopt;
        }
        return std::string(text);
    };
    c.emit = [](YAML::Emitter& out, const std::string& v) { out << v; };
    return c;
}

Result<Secret> ParseSecretNode(
    const YAML::Node& key, const YAML::Node& value, const std::string& path, LoadContext& ctx
) {
    if (value.IsNull()) {
        return Secret{};
    }
    if (value.IsScalar()) {
        if (value.Scalar().empty()) {
            return Secret{};
        }
        return Secret{value.Scalar(), "inline"};
    }
    if (value.IsMap()) {
        return ParseSecretReference(key, value, path, ctx);
    }
    // Describe the shape only: never echo anything that might be secret material.
    return ctx.FailAt(
        MarkOf(key, value), path, "expected a string, {env: NAME} or {file: PATH}, got a sequence"
    );
}

void EmitSecret(YAML::Emitter& out, const Secret& secret) {
    if (!secret.IsSet()) {
        out << YAML::Null;
        return;
    }
    out << YAML::DoubleQuoted
        << fmt::format("<redacted> ({})", secret.source.empty() ? "unknown" : secret.source);
}

Result<SizeMap> ParseRouteSizeMap(
    const YAML::Node& key,
    const YAML::Node& value,
    const std::string& path,
    LoadContext& ctx,
    const Codec<std::size_t>& codec
) {
    SizeMap result;
    if (value.IsNull()) {
        return result;
    }
    if (!value.IsMap()) {
        return ctx.FailAt(
            MarkOf(key, value),
            path,
            fmt::format("expected a mapping of path prefix to size, got {}", DescribeNode(value))
        );
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
        const YAML::Node prefix = it->first;  // copy: operator-> yields a temporary proxy
        const YAML::Node size = it->second;
        if (!prefix.IsScalar() || prefix.Scalar().empty() || prefix.Scalar().front() != '/') {
            return ctx.FailAt(
                prefix.Mark(),
                path,
                fmt::format("expected a path prefix starting with '/', got {}", DescribeNode(prefix))
            );
        }
        const std::string entry_path = fmt::format("{}[\"{}\"]", path, prefix.Scalar());
        auto parsed = ParseNode(size, codec);
        if (!parsed) {
            return ctx.FailAt(
                MarkOf(prefix, size),
                entry_path,
                fmt::format("expected {}, got {}", codec.expected, DescribeNode(size))
            );
        }
        if (!result.emplace(prefix.Scalar(), *parsed).second) {
            return ctx.FailAt(prefix.Mark(), entry_path, "duplicate key");
        }
    }
    return result;
}

void EmitSizeMap(YAML::Emitter& out, const SizeMap& map) {
    if (map.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
    }
    out << YAML::BeginMap;
    for (const auto& [prefix, bytes] : map) {
        out << YAML::Key << prefix << YAML::Value << FormatSize(bytes);
    }
    out << YAML::EndMap;
}

}  // namespace gw::config::internal
