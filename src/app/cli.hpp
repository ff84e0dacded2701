#pragma once

/// @file
/// @brief The `openclaw-gateway` command line (CLI11): serve, config check, migrate, version.

namespace gw::app {

/// Parses argv, runs the chosen subcommand and returns the process exit code.
int RunCli(int argc, char** argv);

}  // namespace gw::app
