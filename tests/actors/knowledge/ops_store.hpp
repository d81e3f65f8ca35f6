// One private Postgres for the whole test run, and a fresh ops store
// database in it per test, so tests do not see each other's documents.
#pragma once

#include <string>

#include "tests/support/postgres.hpp"

namespace vigil::test {

/// The shared cluster, started on first use and stopped at exit.
test_postgres& shared_postgres();

/// Creates an empty database in the shared cluster; its DSN as superuser
/// over the unix socket (as the demo's control node reaches its ops store).
std::string fresh_ops_store();

/// A DSN nobody listens on: a free TCP port.
std::string unreachable_ops_store();

/// The repository's runbooks and stack docs.
std::vector<std::string> repository_knowledge_folders();

} // namespace vigil::test
