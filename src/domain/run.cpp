#include "domain/run.hpp"

#include <array>
#include <utility>

namespace gw::domain {

namespace {

constexpr std::array<std::pair<RunStatus, std::string_view>, 4> kStatuses = {{
    {RunStatus::kRunning, "running"},
    {RunStatus::kCompleted, "completed"},
    {RunStatus::kFailed, "failed"},
    {RunStatus::kAborted, "aborted"},
}};

}  // namespace

std::string_view RunStatusName(RunStatus status) noexcept {
    for (const auto& [value, name] : kStatuses) {
        if (value == status) {
            return name;
        }
    }
    return "running";
}

std::optional<RunStatus> ParseRunStatus(std::string_view name) noexcept {
    for (const auto& [value, text] : kStatuses) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace gw::domain
