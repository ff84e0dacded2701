#pragma once
/// @file
/// @brief Automatic data-key rotation by age, per classification (issue #6: confidential every 30 days,
/// restricted every 7 days). Pure planning (`DueRotations`) plus the call that applies a plan
/// (`RotateDue`, blocking like every keyring admin call).

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "crypto/envelope.hpp"
#include "crypto/keyring.hpp"

namespace gw::crypto {

/// Maximum age of the active key per classification; zero = never rotated automatically.
struct RotationSchedule {
    std::array<std::chrono::seconds, kClassificationCount> max_age{};

    /// The brief's defaults: confidential 30 days, restricted 7 days, internal and public never.
    static RotationSchedule Default();

    std::chrono::seconds MaxAge(Classification classification) const {
        return max_age[static_cast<std::size_t>(classification)];
    }
};

/// A (tenant, classification) whose active key is older than the schedule allows.
struct DueRotation {
    std::string tenant;
    Classification classification = Classification::kInternal;
    std::uint32_t active_version = 0;
    std::chrono::system_clock::time_point active_created_at;

    friend bool operator==(const DueRotation&, const DueRotation&) = default;
};

/// The rotations due at `now`, given `Keyring::Status()` output (any order). Thread-safe, pure.
std::vector<DueRotation> DueRotations(
    const std::vector<KeyVersionStatus>& status,
    const RotationSchedule& schedule,
    std::chrono::system_clock::time_point now
);

/// Rotates everything `DueRotations` reports for the keyring's current status; returns how many keys
/// were created. A kConflict (another process rotated the same pair first) counts as done. Stops at the
/// first other error. Blocking (provider and store I/O).
Result<std::size_t> RotateDue(
    Keyring& keyring, const RotationSchedule& schedule, std::chrono::system_clock::time_point now
);

}  // namespace gw::crypto
