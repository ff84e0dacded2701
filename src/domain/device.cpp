#include "domain/device.hpp"

namespace gw::domain {

std::string_view PairingStatusName(PairingStatus status) noexcept {
    switch (status) {
        case PairingStatus::kPending:
            return "pending";
        case PairingStatus::kApproved:
            return "approved";
        case PairingStatus::kRejected:
            return "rejected";
    }
    return "pending";
}

}  // namespace gw::domain
