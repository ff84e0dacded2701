#include "engine/tools.hpp"

#include <algorithm>
#include <map>
#include <shared_mutex>
#include <utility>

namespace gw::engine {

struct ToolRegistry::Impl {
    mutable std::shared_mutex mutex;
    std::map<std::string, std::unique_ptr<Tool>, std::less<>> tools;
    ToolPolicy policy;
};

ToolRegistry::ToolRegistry() : impl_(std::make_unique<Impl>()) {}

ToolRegistry::~ToolRegistry() = default;

Result<void> ToolRegistry::Register(std::unique_ptr<Tool> tool) {
    if (!tool || tool->Spec().name.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a tool needs a name");
    }
    std::unique_lock lock(impl_->mutex);
    std::string name = tool->Spec().name;
    if (impl_->tools.contains(name)) {
        return MakeError(ErrorCode::kConflict, "tool " + name + " is already registered");
    }
    impl_->tools.emplace(std::move(name), std::move(tool));
    return Ok();
}

Tool* ToolRegistry::Find(std::string_view name) const {
    std::shared_lock lock(impl_->mutex);
    auto it = impl_->tools.find(name);
    return it == impl_->tools.end() ? nullptr : it->second.get();
}

std::vector<domain::ToolSpec> ToolRegistry::Specs() const {
    std::shared_lock lock(impl_->mutex);
    std::vector<domain::ToolSpec> out;
    out.reserve(impl_->tools.size());
    for (const auto& [name, tool] : impl_->tools) {
        out.push_back(tool->Spec());
    }
    return out;  // std::map keeps them sorted by name
}

void ToolRegistry::SetPolicy(ToolPolicy policy) {
    std::unique_lock lock(impl_->mutex);
    impl_->policy = std::move(policy);
}

std::optional<std::string> ToolRegistry::CheckPolicy(const ToolContext& ctx, std::string_view tool) const {
    ToolPolicy policy;
    {
        std::shared_lock lock(impl_->mutex);
        policy = impl_->policy;
    }
    if (!policy) {
        return std::nullopt;
    }
    return policy(ctx, tool);
}

}  // namespace gw::engine
