#pragma once
/// @file
/// @brief The project-wide value-error model: ErrorCode, Error and Result<T> (ENGINEERING.md C4).

#include <string>
#include <string_view>
#include <utility>

#include <boost/system/result.hpp>

namespace gw {

enum class ErrorCode {
    kInvalidArgument,
    kUnauthenticated,
    kPermissionDenied,
    kNotFound,
    kConflict,
    kRateLimited,
    kUnavailable,
    kDeadlineExceeded,
    kUpstreamError,
    kInternal,
};

/// Stable lower-case name of a code ("invalid_argument", ...), used in logs and public error bodies.
std::string_view ErrorCodeName(ErrorCode code) noexcept;

/// An expected failure. `message` is internal (logs); public bodies are built by the api layer.
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
};

inline Error MakeError(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

/// Thrown by `Result<T>::value()` on an error; carries the Error.
class ErrorException : public std::exception {
public:
    explicit ErrorException(Error error) : error_(std::move(error)) {}

    const char* what() const noexcept override { return error_.message.c_str(); }

    const Error& error() const noexcept { return error_; }

private:
    Error error_;
};

/// ADL hook that lets boost::system::result<T, Error>::value() throw ErrorException.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

/// `Result<void>` success value: `return gw::Ok();`
inline Result<void> Ok() {
    return {};
}

}  // namespace gw
