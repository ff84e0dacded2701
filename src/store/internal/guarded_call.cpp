#include "store/internal/guarded_call.hpp"

#include <exception>
#include <string>

#include "obs/log.hpp"

namespace gw::store::internal {

Result<void> CallDbFn(const DbFn& fn, sqlite::Connection& conn, std::string_view what) noexcept {
    try {
        return fn(conn);
    } catch (const std::exception& e) {
        return MakeError(ErrorCode::kInternal, std::string(what) + " threw: " + e.what());
    } catch (...) {
        return MakeError(ErrorCode::kInternal, std::string(what) + " threw a non-std exception");
    }
}

void CallDone(const DoneFn& done, Result<void> result, std::string_view what) noexcept {
    if (!done) {
        return;
    }
    try {
        done(std::move(result));
    } catch (const std::exception& e) {
        obs::Log(
            obs::LogLevel::kError,
            "gw.store",
            "completion callback threw",
            {{"op", what}, {"error", e.what()}}
        );
    } catch (...) {
        obs::Log(
            obs::LogLevel::kError,
            "gw.store",
            "completion callback threw",
            {{"op", what}, {"error", "non-std"}}
        );
    }
}

}  // namespace gw::store::internal
