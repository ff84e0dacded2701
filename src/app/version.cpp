#include "app/version.hpp"

namespace gw::app {

std::string_view Version() noexcept {
    return GW_VERSION;
}

}  // namespace gw::app
