// The conversation-engine sections: `models`, `agents`, `http`, `tools`, `hooks`
// (config/agent_options.hpp). Cross-field checks live in validate_agents.cpp.

#include <chrono>
#include <cstdint>

#include "config/internal/compound.hpp"
#include "config/internal/fields.hpp"
#include "config/internal/keyed_sections.hpp"
#include "config/internal/schema.hpp"
#include "config/internal/validate.hpp"
#include "config/internal/values.hpp"

namespace gw::config::internal {
namespace {

#define GW_CONFIG_REF(member) \
    [](auto& c) -> auto& {    \
        return c.member;      \
    }

using std::chrono::milliseconds;

std::vector<FieldT<ProviderOptions>> ProviderFields() {
    using P = ProviderOptions;
    const auto timeout = DurationCodec<milliseconds>(false);
    const auto delay = DurationCodec<milliseconds>(true);
    return {
        Leaf<P>("base_url", GW_CONFIG_REF(base_url), StringCodec()),
        Leaf<P>("api", GW_CONFIG_REF(api), OneOfCodec({"openai-completions", "openai-responses", "anthropic-messages"})),
        SecretLeaf<P>("api_key", GW_CONFIG_REF(api_key)),
        ValueLeaf<P>("headers", GW_CONFIG_REF(headers), StringMapOf(StringCodec())),
        ValueLeaf<P>("models", GW_CONFIG_REF(models), ListOf(StringCodec())),
        Leaf<P>("connect_timeout", GW_CONFIG_REF(connect_timeout), timeout),
        Leaf<P>("request_timeout", GW_CONFIG_REF(request_timeout), timeout),
        Leaf<P>("idle_timeout", GW_CONFIG_REF(idle_timeout), timeout),
        Leaf<P>("max_retries", GW_CONFIG_REF(max_retries), IntCodec<int>(0, 10)),
        Leaf<P>("retry_base_delay", GW_CONFIG_REF(retry_base_delay), delay),
        Leaf<P>("retry_max_delay", GW_CONFIG_REF(retry_max_delay), delay),
        Leaf<P>("verify_tls", GW_CONFIG_REF(verify_tls), BoolCodec()),
        Leaf<P>("ca_file", GW_CONFIG_REF(ca_file), StringCodec()),
    };
}

std::vector<FieldT<AgentOptions>> AgentFields() {
    using A = AgentOptions;
    const auto text = Optional(Scalar(StringCodec()));
    const auto list = Optional(ListOf(StringCodec()));
    return {
        ValueLeaf<A>("name", GW_CONFIG_REF(name), text),
        ValueLeaf<A>("model", GW_CONFIG_REF(model), text),
        ValueLeaf<A>("fallbacks", GW_CONFIG_REF(fallbacks), list),
        ValueLeaf<A>("system_prompt", GW_CONFIG_REF(system_prompt), text),
        ValueLeaf<A>("timeout", GW_CONFIG_REF(timeout), Optional(Scalar(DurationCodec<milliseconds>(false)))),
        ValueLeaf<A>("skills_dirs", GW_CONFIG_REF(skills_dirs), list),
        ValueLeaf<A>("tools_allow", GW_CONFIG_REF(tools_allow), list),
        ValueLeaf<A>("tools_deny", GW_CONFIG_REF(tools_deny), list),
        ValueLeaf<A>(
            "max_tool_iterations", GW_CONFIG_REF(max_tool_iterations), Optional(Scalar(IntCodec<int>(1, 1000)))
        ),
        ValueLeaf<A>(
            "max_output_tokens",
            GW_CONFIG_REF(max_output_tokens),
            Optional(Scalar(IntCodec<std::int64_t>(1, 100'000'000)))
        ),
        ValueLeaf<A>(
            "history_limit", GW_CONFIG_REF(history_limit), Optional(Scalar(IntCodec<std::size_t>(1, 1'000'000)))
        ),
    };
}

template <class Elem>
void SetId(Elem& elem, const std::string& id) {
    elem.id = id;
}

}  // namespace

std::vector<Field> AgentSections() {
    const auto strings = ListOf(StringCodec());
    return {
        Section(
            "models",
            {
                KeyedSections<GatewayConfig>(
                    "providers", GW_CONFIG_REF(models.providers), ProviderFields(), &CheckId, &SetId<ProviderOptions>
                ),
            }
        ),
        Section(
            "agents",
            {
                Nested<GatewayConfig>("defaults", GW_CONFIG_REF(agents.defaults), AgentFields()),
                KeyedSections<GatewayConfig>(
                    "entries", GW_CONFIG_REF(agents.entries), AgentFields(), &CheckId, &SetId<AgentOptions>
                ),
                Leaf("default_agent", GW_CONFIG_REF(agents.default_agent), StringCodec()),
                Leaf("max_concurrent", GW_CONFIG_REF(agents.max_concurrent), IntCodec<int>(1, 4096)),
                Section(
                    "queue",
                    {
                        Leaf(
                            "mode",
                            GW_CONFIG_REF(agents.queue.mode),
                            OneOfCodec({"steer", "followup", "collect", "interrupt"})
                        ),
                        Leaf("cap", GW_CONFIG_REF(agents.queue.cap), IntCodec<std::size_t>(0, 100'000)),
                        Leaf(
                            "collect_debounce",
                            GW_CONFIG_REF(agents.queue.collect_debounce),
                            DurationCodec<milliseconds>(true)
                        ),
                    }
                ),
            }
        ),
        Section(
            "http",
            {
                Leaf("chat_completions", GW_CONFIG_REF(http.chat_completions), BoolCodec()),
                Leaf("responses", GW_CONFIG_REF(http.responses), BoolCodec()),
                Leaf("max_body_bytes", GW_CONFIG_REF(http.max_body_bytes), SizeCodec(1)),
            }
        ),
        Section(
            "tools",
            {
                ValueLeaf("allow", GW_CONFIG_REF(tools.allow), strings),
                ValueLeaf("deny", GW_CONFIG_REF(tools.deny), strings),
            }
        ),
        Section(
            "hooks",
            {
                Leaf("enabled", GW_CONFIG_REF(hooks.enabled), BoolCodec()),
                SecretLeaf("token", GW_CONFIG_REF(hooks.token)),
                Leaf("default_agent", GW_CONFIG_REF(hooks.default_agent), StringCodec()),
                Leaf("admission_timeout", GW_CONFIG_REF(hooks.admission_timeout), DurationCodec<milliseconds>(false)),
            }
        ),
    };
}

#undef GW_CONFIG_REF

}  // namespace gw::config::internal
