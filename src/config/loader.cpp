#include "config/loader.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "base/check.hpp"
#include "config/internal/schema.hpp"
#include "config/internal/validate.hpp"

namespace gw::config {
namespace {

Error SyntaxError(std::string_view name, const YAML::Mark& mark, std::string_view what) {
    if (mark.is_null()) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: YAML syntax error: {}", name, what));
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{}:{}:{}: YAML syntax error: {}", name, mark.line + 1, mark.column + 1, what)
    );
}

Result<void> ApplyYaml(
    std::string_view yaml, std::string_view name, internal::LoadContext& ctx, GatewayConfig& cfg
) {
    std::vector<YAML::Node> docs;
    try {
        docs = YAML::LoadAll(std::string(yaml));
    } catch (const YAML::Exception& e) {
        return SyntaxError(name, e.mark, e.msg);
    }
    if (docs.size() > 1) {
        return ctx.FailAt(
            docs[1].Mark(), internal::kTopLevel, "multiple YAML documents are not supported; use one mapping"
        );
    }
    if (docs.empty() || docs[0].IsNull()) {
        return Ok();  // empty file or only comments: defaults
    }
    const YAML::Node& root = docs[0];
    if (!root.IsMap()) {
        return ctx.FailAt(
            root.Mark(),
            internal::kTopLevel,
            fmt::format("expected a mapping of sections, got {}", internal::DescribeNode(root))
        );
    }
    try {
        return internal::BindMapping(root, internal::Schema(), "", ctx, cfg);
    } catch (const YAML::Exception& e) {  // yaml-cpp is throw-only; not expected for well-formed nodes
        return SyntaxError(name, e.mark, e.msg);
    }
}

Result<void> ApplyEnv(internal::LoadContext& ctx, GatewayConfig& cfg) {
    for (const auto& o : internal::EnvOverrides()) {
        auto value = ctx.Env(o.env);
        if (!value) {
            continue;
        }
        const internal::Field* field = internal::FindField(internal::Schema(), o.path);
        // The override table and the schema are both static; env_overrides are tested against it.
        GW_CHECK(field != nullptr && field->from_env, "env override names a path without an env form");
        if (auto r = field->from_env(*value, o.env, std::string(o.path), ctx, cfg); !r) {
            return r;
        }
    }
    return Ok();
}

}  // namespace

EnvLookup ProcessEnv() {
    return [](std::string_view name) -> std::optional<std::string> {
        const std::string key(name);
        const char* value = std::getenv(key.c_str());  // NOLINT(concurrency-mt-unsafe): read at startup
        if (value == nullptr) {
            return std::nullopt;
        }
        return std::string(value);
    };
}

Result<GatewayConfig> LoadFromString(
    std::string_view yaml, std::string_view name_for_errors, const EnvLookup& env
) {
    GatewayConfig cfg;
    internal::LoadContext ctx(std::string(name_for_errors), env);
    if (auto r = ApplyYaml(yaml, name_for_errors, ctx, cfg); !r) {
        return r.error();
    }
    if (auto r = ApplyEnv(ctx, cfg); !r) {
        return r.error();
    }
    if (auto r = internal::Validate(cfg, ctx); !r) {
        return r.error();
    }
    return cfg;
}

Result<GatewayConfig> Load(const std::optional<std::string>& file, const EnvLookup& env) {
    if (!file) {
        return LoadFromString("", "(no config file)", env);
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> fp(std::fopen(file->c_str(), "rb"), &std::fclose);
    if (!fp) {
        const int err = errno;
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("{}: cannot read config file: {}", *file, std::strerror(err))
        );
    }
    std::string text;
    char buf[8192];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, fp.get())) > 0) {
        text.append(buf, n);
    }
    if (std::ferror(fp.get()) != 0) {
        const int err = errno;
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("{}: cannot read config file: {}", *file, std::strerror(err))
        );
    }
    auto cfg = LoadFromString(text, *file, env);
    if (cfg) {
        cfg->source_file = *file;
    }
    return cfg;
}

}  // namespace gw::config
