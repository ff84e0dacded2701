#include "domain/session.hpp"

#include <algorithm>
#include <utility>

#include "domain/internal/key_text.hpp"

namespace gw::domain {

namespace {

Error Invalid(std::string_view field, std::string_view what) {
    return MakeError(ErrorCode::kInvalidArgument, "session " + std::string(field) + " " + std::string(what));
}

bool HasControl(std::string_view s) noexcept {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

/// Checks a set-or-clear text field: when set it must be non-empty, printable and within `max`.
Result<void> CheckText(
    const std::optional<std::optional<std::string>>& field, std::string_view name, std::size_t max
) {
    if (!field || !*field) {
        return Ok();
    }
    const std::string& value = **field;
    if (value.empty()) {
        return Invalid(name, "must not be empty (clear it instead)");
    }
    if (value.size() > max) {
        return Invalid(name, "is longer than " + std::to_string(max) + " bytes");
    }
    if (HasControl(value)) {
        return Invalid(name, "contains a control character");
    }
    return Ok();
}

}  // namespace

Result<SessionPatch> NormalizeSessionPatch(SessionPatch patch) {
    if (patch.label && *patch.label) {
        **patch.label = std::string(internal::Trim(**patch.label));
    }
    if (auto ok = CheckText(patch.label, "label", kMaxSessionLabelLength); !ok) {
        return ok.error();
    }
    if (auto ok = CheckText(patch.model_override, "model override", kMaxModelOverrideLength); !ok) {
        return ok.error();
    }
    if (auto ok = CheckText(patch.thinking_level, "thinking level", kMaxThinkingLevelLength); !ok) {
        return ok.error();
    }
    if (patch.metadata) {
        if (patch.metadata->size() > kMaxMetadataEntries) {
            return Invalid("metadata", "has more than " + std::to_string(kMaxMetadataEntries) + " entries");
        }
        for (const auto& [key, value] : *patch.metadata) {
            if (key.empty() || key.size() > kMaxMetadataKeyLength || HasControl(key)) {
                return Invalid("metadata", "key '" + key + "' is empty, too long or not printable");
            }
            if (value.size() > kMaxMetadataValueLength) {
                return Invalid("metadata", "value of '" + key + "' is too long");
            }
        }
    }
    return patch;
}

}  // namespace gw::domain
