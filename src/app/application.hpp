#pragma once
/// @file
/// @brief Composition root for `serve`: builds the object graph from a GatewayConfig, runs it until a
/// signal, drains and returns an exit code. Only this module names concrete implementations.

#include <memory>

#include "config/options.hpp"

namespace gw::app {

class Application {
public:
    explicit Application(config::GatewayConfig cfg);
    ~Application();
    Application(const Application&) = delete;
    Application& operator=(const Application&) = delete;

    /// Opens the store, starts the server, blocks until SIGTERM/SIGINT and the drain finish.
    /// Returns the process exit code.
    int Run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gw::app
