#include "runtime/log_on_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include "obs/log.hpp"

namespace gw::runtime {

void LogOnError::Report(const std::exception_ptr& e) const {
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& ex) {
        if (ex.code() == boost::asio::error::operation_aborted) {
            obs::Log(obs::LogLevel::kInfo, "gw.runtime", "coroutine cancelled", {{"coroutine", name_}});
            return;
        }
        obs::Log(
            obs::LogLevel::kError,
            "gw.runtime",
            "coroutine failed",
            {{"coroutine", name_}, {"error", ex.what()}}
        );
    } catch (const std::exception& ex) {
        obs::Log(
            obs::LogLevel::kError,
            "gw.runtime",
            "coroutine failed",
            {{"coroutine", name_}, {"error", ex.what()}}
        );
    } catch (...) {
        obs::Log(
            obs::LogLevel::kError,
            "gw.runtime",
            "coroutine failed",
            {{"coroutine", name_}, {"error", "unknown exception"}}
        );
    }
}

}  // namespace gw::runtime
