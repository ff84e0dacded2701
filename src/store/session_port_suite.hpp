#pragma once
/// @file
/// @brief The conversation port suite: one set of tests for every implementation of the domain ports
/// (SessionRepository, TranscriptRepository, IdempotencyRepository). Written once; each backend's test
/// binary includes this header in exactly one .cpp, provides a PortSuiteParam whose factory builds its
/// repositories over a fresh, migrated database with the given clock, and instantiates it:
///
/// ```cpp
/// const gw::store::port_suite::PortSuiteParam kSqlite{"Sqlite", MakeSqliteEnvironment};
/// namespace gw::store::port_suite { GW_INSTANTIATE_CONVERSATION_PORT_SUITE(Store, kSqlite); }
/// ```
///
/// PostgreSQL (cluster mode) reuses it from its *_itest.cpp.

#include "store/session_port_suite_fixture.hpp"
#include "store/session_port_suite_idempotency.hpp"
#include "store/session_port_suite_lifecycle.hpp"
#include "store/session_port_suite_list.hpp"
#include "store/session_port_suite_runs.hpp"
#include "store/session_port_suite_sessions.hpp"
#include "store/session_port_suite_transcripts.hpp"
