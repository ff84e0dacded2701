#pragma once
/// @file
/// @brief Exception barriers for user callbacks run on store threads: a throwing callback must neither
/// kill the thread nor leak an exception across the module boundary.

#include <functional>
#include <string_view>

#include "base/error.hpp"
#include "drivers/sqlite/connection.hpp"

namespace gw::store::internal {

using DbFn = std::function<Result<void>(sqlite::Connection&)>;
using DoneFn = std::function<void(Result<void>)>;

/// Runs `fn`; an exception becomes kInternal ("<what> threw: ...").
Result<void> CallDbFn(const DbFn& fn, sqlite::Connection& conn, std::string_view what) noexcept;

/// Runs `done(result)` if set; an exception is logged (gw.store) and swallowed.
void CallDone(const DoneFn& done, Result<void> result, std::string_view what) noexcept;

}  // namespace gw::store::internal
