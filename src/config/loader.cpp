#include "config/loader.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
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

/// Records where the first and the second document's first nodes start.
class SecondDocumentFinder final : public YAML::EventHandler {
public:
    std::optional<YAML::Mark> first;
    std::optional<YAML::Mark> second;

    void OnDocumentStart(const YAML::Mark& /*mark*/) override { ++documents_; }

    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override { Node(mark); }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override { Node(mark); }

    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
        Node(mark);
    }

    void OnSequenceStart(
        const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value
    ) override {
        Node(mark);
    }

    void OnSequenceEnd() override {}

    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value)
        override {
        Node(mark);
    }

    void OnMapEnd() override {}

private:
    void Node(const YAML::Mark& mark) {
        auto& slot = documents_ == 1 ? first : second;
        if (documents_ <= 2 && !slot) {
            slot = mark;
        }
    }

    int documents_ = 0;
};

/// The first document of `yaml` into `root`, refusing a second one. Not YAML::LoadAll: yaml-cpp 0.7 loops
/// forever, allocating, on some malformed input such as ",\n a:" (jbeder/yaml-cpp#1040, fixed upstream by
/// #1319 after 0.8.0; found by fuzz/config_fuzz.cpp), so at most two documents are ever parsed.
Result<void> ParseSingleDocument(
    std::string_view yaml, std::string_view name, internal::LoadContext& ctx, YAML::Node& root
) {
    SecondDocumentFinder finder;
    try {
        root = YAML::Load(std::string(yaml));
        std::istringstream in{std::string(yaml)};
        YAML::Parser parser(in);
        for (int i = 0; i < 2 && parser.HandleNextDocument(finder); ++i) {
        }
    } catch (const YAML::Exception& e) {
        return SyntaxError(name, e.mark, e.msg);
    }
    if (finder.second && finder.first && finder.second->pos <= finder.first->pos) {
        // The looping case: a "document" that does not advance is input yaml-cpp failed to reject.
        return SyntaxError(name, *finder.second, "malformed document");
    }
    if (finder.second) {
        return ctx.FailAt(
            *finder.second, internal::kTopLevel, "multiple YAML documents are not supported; use one mapping"
        );
    }
    return Ok();
}

Result<void> ApplyYaml(
    std::string_view yaml, std::string_view name, internal::LoadContext& ctx, GatewayConfig& cfg
) {
    YAML::Node root;
    if (auto parsed = ParseSingleDocument(yaml, name, ctx, root); !parsed) {
        return parsed;
    }
    if (root.IsNull()) {
        return Ok();  // empty file or only comments: defaults
    }
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
