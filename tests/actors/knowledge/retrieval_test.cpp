// The repository's runbooks against the chaos catalogue: one runbook per
// root-cause label, none naming a fault, and the acceptance test: a symptom
// description per root cause, written as an operator would type it (not
// copied from the runbook), ranks that runbook first.
#define CAF_SUITE knowledge_retrieval

#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <caf/test/unit_test.hpp>

#include "actors/knowledge/knowledge_store.hpp"
#include "chaos/faults/faults.hpp"
#include "tests/actors/knowledge/ops_store.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace vigil::knowledge;
using namespace vigil::test;

namespace {

/// Root-cause label ⇒ what an on-call engineer would type into the search.
const std::map<std::string, std::string> symptom_reports{
  {"process_crash",
   "storefront unreachable, curl localhost:8080 gets connection refused even on /healthz. "
   "vigilctl services says shopd was killed by signal 9 and has no pid. memory graph was "
   "flat, pricing and postgres are fine"},
  {"memory_exhaustion",
   "shopd keeps disappearing; its RSS climbed by ~50MB a second up to 250MB right before it "
   "vanished, dmesg: memory cgroup out of memory, killed process shopd"},
  {"db_credentials_invalid",
   "orders failing since 14:02, every API call that touches the DB returns 503. target "
   "postgres log spamming FATAL password authentication failed for user \"shop\", but I can "
   "psql in as postgres over the socket just fine"},
  {"disk_full",
   "customers can browse but every checkout comes back 507 Insufficient Storage; readyz says "
   "disk not ok and df shows the shopd-data mount at 100%"},
  {"db_unavailable",
   "all DB-backed endpoints give 503, readyz db: server closed the connection unexpectedly. "
   "nothing listens on 5433 anymore and pg_ctl status says no server running"},
  {"db_connection_exhaustion",
   "intermittent 503s getting worse, pool wait timeouts climbing; postgres keeps logging "
   "FATAL: sorry, too many clients already and pg_stat_activity shows ~57 idle sessions "
   "from a role I don't recognise"},
  {"db_lock_contention",
   "POST /orders hangs about 5 seconds then 503 with 'canceling statement due to statement "
   "timeout'; product list still fine. lots of shop sessions waiting on Lock and one session "
   "idle in transaction for 10 minutes"},
  {"db_latency",
   "nothing erroring but the site is sluggish, p95 went from 5ms to 900ms on every route that "
   "queries the database. same query run directly against 5433 is instant, db cpu idle, no "
   "lock waits"},
  {"upstream_unavailable",
   "product pages returning 502 Bad Gateway, readyz upstream false pointing at :8090. curl "
   ":8090/prices gives 503 although its healthz says ok; the instance on 8091 answers fine"},
  {"cache_poisoned",
   "no errors anywhere but customers complain prices are ten times too high: the API says "
   "price_cents 4500 for tea while the pricing service returns 450 for the same sku"},
  {"bad_config",
   "right after someone reloaded the shop's config every DB call fails with connection "
   "refused to 127.0.0.1 port 1; the database and dbproxy themselves are healthy"},
  {"schema_drift",
   "placing an order gives HTTP 500: ERROR column \"quantity\" does not exist. listing orders "
   "fails the same way, products load. nobody deployed, the db is up"},
  {"data_loss",
   "a bunch of orders vanished: customers have confirmation ids that are not in the orders "
   "table anymore, row count dropped by about half overnight, app shows no errors"},
  {"cpu_saturation",
   "whole box is crawling, load average 16 on a 2 core VM, top shows a handful of processes "
   "at 100% CPU each that aren't shopd or postgres; API latency up across the board"},
  {"vigil_actor_crash",
   "vigilctl tree shows control-1/control/registry with restarts 1 and last exit reason kill; "
   "requests to it timed out for a second and then worked again"},
  {"vigil_node_crash",
   "vigilctl nodes lists action-1 as down, no heartbeat for minutes, port 4201 refuses "
   "connections; control logged: node action-1 is down (connection lost)"},
  // Failure modes the chaos plane cannot make, written by hand.
  {"process_hung",
   "the api stopped answering: curl to /healthz just hangs until the timeout, no connection "
   "refused. vigilctl services says it is running with the same pid, ps shows state T "
   "(stopped). the database is idle and answers fast"},
  {"start_failure",
   "after the deploy the service will not come back: vigilctl services shows it failed, "
   "exited before it was ready with exit code 2, its log says it cannot parse its config"},
  {"secret_unreadable",
   "probes say cannot read the password file var/secrets/shop-db-password: No such file or "
   "directory; the database answers pg_isready fine, somebody cleaned up the secrets folder"},
  {"proxy_connection_exhaustion",
   "the api cannot get new database connections through pgbouncer: no more connections "
   "allowed (max_client_conn). psql straight to postgres on 5432 works fine and the server "
   "is nowhere near max_connections"},
  {"db_login_refused",
   "new connections as the app fail with FATAL: role shop is not permitted to log in; the "
   "password is right, pg_isready is fine, someone ran ALTER ROLE on it"},
  {"privilege_denied",
   "orders fail with ERROR: permission denied for table orders while the product list still "
   "works; somebody revoked a grant from the app role"},
  {"volume_not_writable",
   "the api cannot write its receipts: Read-only file system on the data volume although df "
   "shows plenty of room; dmesg says the file system was remounted read-only"},
};

/// Root causes of failure modes no fault of the catalogue makes.
const std::set<std::string> beyond_catalogue{"process_hung", "start_failure",
                                             "secret_unreadable",
                                             "proxy_connection_exhaustion",
                                             "db_login_refused", "privilege_denied",
                                             "volume_not_writable"};

std::vector<fault_kind> catalogue() {
  chaos::fault_context ctx;
  std::vector<fault_kind> kinds;
  for (auto& f : chaos::make_catalogue(ctx))
    kinds.push_back(f->kind());
  return kinds;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::set<std::string> identifier_tokens(const std::string& text) {
  std::set<std::string> tokens;
  std::string token;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      token += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!token.empty()) {
      tokens.insert(token);
      token.clear();
    }
  }
  return tokens;
}

struct fixture {
  library lib = load_library(repository_knowledge_folders());
  knowledge_store store{fresh_ops_store()};

  fixture() { store.sync(lib); }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(knowledge_retrieval_tests, fixture)

CAF_TEST(every repository file loads) {
  for (auto& e : lib.errors)
    CAF_ERROR("bad knowledge file: " << e);
  CAF_CHECK(lib.errors.empty());
  CAF_CHECK_GREATER_OR_EQUAL(lib.entries.size(), 16u + 5u);
}

CAF_TEST(every root cause of the catalogue and beyond has exactly one runbook) {
  std::map<std::string, std::vector<std::string>> runbooks_of;
  for (auto& e : lib.entries)
    if (e.kind == "runbook")
      runbooks_of[e.root_cause].push_back(e.id);
  std::set<std::string> labels;
  for (auto& k : catalogue()) {
    labels.insert(k.label);
    CAF_MESSAGE(k.label);
    CAF_CHECK_EQUAL(runbooks_of[k.label].size(), 1u);
    CAF_CHECK_EQUAL(symptom_reports.count(k.label), 1u);
  }
  for (auto& cause : beyond_catalogue) {
    CAF_CHECK_EQUAL(runbooks_of[cause].size(), 1u);
    CAF_CHECK_EQUAL(symptom_reports.count(cause), 1u);
  }
  for (auto& [cause, ids] : runbooks_of)
    if (labels.count(cause) == 0 && beyond_catalogue.count(cause) == 0)
      CAF_ERROR("runbook " << ids.front() << " has root cause " << cause
                           << ", which is no label of the catalogue");
}

CAF_TEST(no runbook names a fault of the catalogue) {
  auto kinds = catalogue();
  for (auto& e : lib.entries) {
    if (e.kind != "runbook")
      continue;
    std::ifstream in{e.path};
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto text = buffer.str();
    // The root cause label is the one place a label may appear (and some
    // labels are spelt like their fault: disk_full, bad_config...).
    auto own = "\"root_cause\": \"" + e.root_cause + "\"";
    CAF_REQUIRE(text.find(own) != std::string::npos);
    text.erase(text.find(own), own.size());
    auto tokens = identifier_tokens(text);
    auto lowered = lower(text);
    CAF_MESSAGE(e.path);
    CAF_CHECK(tokens.count("chaos") == 0);
    CAF_CHECK(lowered.find("/break") == std::string::npos);
    CAF_CHECK(tokens.count("inject") == 0);
    for (auto& k : kinds) {
      if (k.name.find('_') != std::string::npos) {
        // db_auth, cache_poison, node_kill...: never, in any form.
        if (tokens.count(k.name) != 0)
          CAF_ERROR(e.path << " names the fault " << k.name);
      } else {
        // crash, oom, lock, latency are ordinary words; not as identifiers.
        for (auto& quoted : {"`" + k.name + "`", "\"" + k.name + "\""})
          if (lowered.find(quoted) != std::string::npos)
            CAF_ERROR(e.path << " names the fault " << quoted);
      }
    }
  }
}

CAF_TEST(a symptom report ranks the right runbook first) {
  size_t right = 0;
  for (auto& [label, report] : symptom_reports) {
    auto hits = store.search(report, 5);
    CAF_MESSAGE(label << ": " << (hits.empty() ? "no hits" : hits[0].id + " " + hits[0].root_cause));
    CAF_REQUIRE(!hits.empty());
    if (hits[0].kind == "runbook" && hits[0].root_cause == label) {
      ++right;
    } else {
      std::string ranking;
      for (auto& h : hits)
        ranking += " " + h.id + "=" + std::to_string(h.rank);
      CAF_ERROR("for " << label << " the ranking was" << ranking);
    }
  }
  CAF_CHECK_EQUAL(right, symptom_reports.size());
}

CAF_TEST(stack docs answer questions about the stack) {
  auto hits = store.search("which port does dbproxy listen on and where does it forward", 3);
  CAF_REQUIRE(!hits.empty());
  CAF_CHECK_EQUAL(hits[0].id, "dbproxy");
  CAF_CHECK_EQUAL(hits[0].kind, "doc");
}

CAF_TEST_FIXTURE_SCOPE_END()
