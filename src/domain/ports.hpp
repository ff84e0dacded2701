#pragma once
/// @file
/// @brief The repository ports of the conversation engine (sessions, transcripts and runs, idempotency).
/// Implementations live in `store` (SQLite now, PostgreSQL with cluster mode); the shared port test suite is
/// `store/session_port_suite.hpp`.

#include "domain/idempotency_repository.hpp"
#include "domain/session_repository.hpp"
#include "domain/transcript_repository.hpp"
