#include "tests/actors/knowledge/ops_store.hpp"

#include <atomic>

#include "tests/support/process.hpp"

namespace vigil::test {

test_postgres& shared_postgres() {
  static test_postgres pg{"shop"};
  return pg;
}

std::string fresh_ops_store() {
  static std::atomic<int> next{0};
  auto& pg = shared_postgres();
  auto name = "ops_" + std::to_string(++next);
  pg.psql("CREATE DATABASE " + name, "postgres");
  return "host=" + pg.dir() + " port=" + std::to_string(pg.port()) + " dbname=" + name
         + " user=postgres connect_timeout=3";
}

std::string unreachable_ops_store() {
  return "host=127.0.0.1 port=" + std::to_string(free_port())
         + " dbname=vigil user=postgres connect_timeout=2";
}

std::vector<std::string> repository_knowledge_folders() {
  return {std::string{VIGIL_SOURCE_DIR} + "/config/runbooks",
          std::string{VIGIL_SOURCE_DIR} + "/config/knowledge"};
}

} // namespace vigil::test
