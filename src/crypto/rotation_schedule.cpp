#include "crypto/rotation_schedule.hpp"

#include <map>
#include <tuple>

#include "obs/log.hpp"

namespace gw::crypto {

RotationSchedule RotationSchedule::Default() {
    using std::chrono::hours;
    RotationSchedule schedule;
    schedule.max_age[static_cast<std::size_t>(Classification::kConfidential)] =
        std::chrono::duration_cast<std::chrono::seconds>(hours(24 * 30));
    schedule.max_age[static_cast<std::size_t>(Classification::kRestricted)] =
        std::chrono::duration_cast<std::chrono::seconds>(hours(24 * 7));
    return schedule;
}

std::vector<DueRotation> DueRotations(
    const std::vector<KeyVersionStatus>& status,
    const RotationSchedule& schedule,
    std::chrono::system_clock::time_point now
) {
    // The active version of each (tenant, class); Status() marks exactly one per pair.
    std::map<std::tuple<std::string, Classification>, const KeyVersionStatus*> active;
    for (const KeyVersionStatus& s : status) {
        if (s.active) {
            active[{s.tenant, s.classification}] = &s;
        }
    }
    std::vector<DueRotation> due;
    for (const auto& [id, s] : active) {
        const std::chrono::seconds max_age = schedule.MaxAge(s->classification);
        if (max_age.count() <= 0 || s->classification == Classification::kPublic) {
            continue;
        }
        if (now - s->created_at >= max_age) {
            due.push_back(DueRotation{s->tenant, s->classification, s->version, s->created_at});
        }
    }
    return due;
}

Result<std::size_t> RotateDue(
    Keyring& keyring, const RotationSchedule& schedule, std::chrono::system_clock::time_point now
) {
    std::size_t rotated = 0;
    for (const DueRotation& due : DueRotations(keyring.Status(), schedule, now)) {
        auto version = keyring.Rotate(due.tenant, due.classification);
        if (!version) {
            if (version.error().code == ErrorCode::kConflict) {
                continue;  // another process rotated it; the keyring reloaded
            }
            return version.error();
        }
        ++rotated;
        const std::string version_text = std::to_string(*version);
        obs::Log(
            obs::LogLevel::kInfo,
            "gw.crypto",
            "data key rotated by schedule",
            {{"tenant", due.tenant},
             {"classification", ClassificationName(due.classification)},
             {"version", version_text}}
        );
    }
    return rotated;
}

}  // namespace gw::crypto
