// The knowledge actor as the control node runs it: answers searches and
// look-ups, turns failures into observability errors, picks up new files,
// and survives a store that is not there.
#define CAF_SUITE knowledge_actor

#include <cstdio>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/test/unit_test.hpp>

#include "actors/knowledge/knowledge_actor.hpp"
#include "messages/announce.hpp"
#include "tests/actors/knowledge/ops_store.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::knowledge;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    announce_messages(*this);
  }
};

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::string dir = test::make_temp_dir("vigil-kb-actor");

  vigil::knowledge_actor spawn(std::string dsn) {
    knowledge_settings settings;
    settings.folders = {dir};
    settings.dsn = std::move(dsn);
    settings.rescan_after = 0ms; // every request sees the folder as it is now
    return spawn_knowledge_actor(sys, settings);
  }

  ~fixture() {
    self->send_exit(last_, caf::exit_reason::user_shutdown);
  }

  /// The reply, or the error's code (none when it succeeded).
  template <class T, class... Ts>
  std::pair<T, observability_error> ask(const vigil::knowledge_actor& kb, Ts... xs) {
    last_ = kb;
    T result{};
    auto code = observability_error::none;
    self->request(kb, 30s, xs...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& e) {
                 CAF_CHECK_EQUAL(e.category(), caf::atom("observe"));
                 code = static_cast<observability_error>(e.code());
               });
    return {std::move(result), code};
  }

  vigil::knowledge_actor last_;
};

const char* kettle = R"(---
{"id": "kettle-cold", "title": "Kettle never boils", "root_cause": "no_power",
 "symptoms": [{"signal": "probe.kettle.status", "is": "down", "weight": 1}],
 "steps": [{"tool": "restart_service", "args": {"service": "kettle"}, "risk": "low",
            "check": {"signal": "probe.kettle.status", "is": "ok"},
            "rollback": {"none": "nothing to undo"}}],
 "prevention": ["Check the fuse."]}
---
# Kettle never boils

## Symptoms

The water stays cold and the light is off.
)";

} // namespace

CAF_TEST_FIXTURE_SCOPE(knowledge_actor_tests, fixture)

CAF_TEST(searches and look-ups answer from the indexed folder) {
  test::write_file(dir + "/kettle.md", kettle);
  auto kb = spawn(test::fresh_ops_store());
  auto [hits, err] = ask<std::vector<knowledge_hit>>(kb, search_atom::value,
                                                     std::string{"water is cold"}, uint32_t{5});
  CAF_CHECK_EQUAL(err, observability_error::none);
  CAF_REQUIRE_EQUAL(hits.size(), 1u);
  CAF_CHECK_EQUAL(hits[0].id, "kettle-cold");
  CAF_CHECK_EQUAL(hits[0].root_cause, "no_power");
  auto [doc, doc_err] = ask<knowledge_doc>(kb, runbook_atom::value, std::string{"kettle-cold"});
  CAF_CHECK_EQUAL(doc_err, observability_error::none);
  CAF_CHECK_EQUAL(doc.title, "Kettle never boils");
  CAF_CHECK_EQUAL(doc.path, dir + "/kettle.md");
  CAF_CHECK_EQUAL(ask<knowledge_doc>(kb, runbook_atom::value, std::string{"toaster"}).second,
                  observability_error::unknown_runbook);
  CAF_CHECK_EQUAL(ask<std::vector<knowledge_hit>>(kb, search_atom::value, std::string{" "},
                                                  uint32_t{5})
                    .second,
                  observability_error::bad_query);
}

CAF_TEST(files added and removed later show at the next request) {
  auto kb = spawn(test::fresh_ops_store());
  auto search = [&] {
    return ask<std::vector<knowledge_hit>>(kb, search_atom::value, std::string{"kettle"},
                                           uint32_t{5});
  };
  CAF_CHECK(search().first.empty());
  test::write_file(dir + "/kettle.md", kettle);
  CAF_CHECK_EQUAL(search().first.size(), 1u);
  std::remove((dir + "/kettle.md").c_str());
  CAF_CHECK(search().first.empty());
}

CAF_TEST(an unreachable store is an error and the actor lives on) {
  test::write_file(dir + "/kettle.md", kettle);
  auto kb = spawn(test::unreachable_ops_store());
  for (int i = 0; i < 2; ++i)
    CAF_CHECK_EQUAL(ask<std::vector<knowledge_hit>>(kb, search_atom::value,
                                                    std::string{"kettle"}, uint32_t{5})
                      .second,
                    observability_error::store_unavailable);
  CAF_CHECK_EQUAL(ask<knowledge_doc>(kb, runbook_atom::value, std::string{"kettle-cold"}).second,
                  observability_error::store_unavailable);
}

CAF_TEST_FIXTURE_SCOPE_END()
