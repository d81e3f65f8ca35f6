// The metrics registry: the exact text Prometheus reads (types, help, label
// escaping, number formats), counters that never go down, drop and replace,
// collectors that run on each render and can be removed again.
#define CAF_SUITE registry

#include "metrics/registry.hpp"

#include <cmath>
#include <thread>

#include <caf/test/unit_test.hpp>

using namespace vigil::metrics;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(an empty registry renders nothing) {
  registry reg;
  CAF_CHECK_EQUAL(reg.render(), "");
  reg.describe("vigil_unused", kind::gauge, "described but never set");
  CAF_CHECK_EQUAL(reg.render(), "");
}

CAF_TEST(counters and gauges render with their type and help) {
  registry reg;
  reg.describe("vigil_requests_total", kind::counter, "Requests seen.");
  reg.describe("vigil_queue_depth", kind::gauge, "Events waiting.");
  reg.add("vigil_requests_total", {{"node", "n1"}});
  reg.add("vigil_requests_total", {{"node", "n1"}}, 2);
  reg.set("vigil_queue_depth", {}, 7);
  reg.set("vigil_queue_depth", {}, 3);
  CAF_CHECK_EQUAL(reg.render(), "# HELP vigil_queue_depth Events waiting.\n"
                                "# TYPE vigil_queue_depth gauge\n"
                                "vigil_queue_depth 3\n"
                                "# HELP vigil_requests_total Requests seen.\n"
                                "# TYPE vigil_requests_total counter\n"
                                "vigil_requests_total{node=\"n1\"} 3\n");
  CAF_CHECK_EQUAL(reg.value("vigil_requests_total", {{"node", "n1"}}), 3.0);
  CAF_CHECK(std::isnan(reg.value("vigil_requests_total", {{"node", "n2"}})));
  CAF_CHECK(std::isnan(reg.value("vigil_nothing", {})));
}

CAF_TEST(an undescribed family is untyped) {
  registry reg;
  reg.set("vigil_adhoc", {{"b", "2"}, {"a", "1"}}, 1.5);
  CAF_CHECK_EQUAL(reg.render(), "# TYPE vigil_adhoc untyped\nvigil_adhoc{a=\"1\",b=\"2\"} 1.5\n");
}

CAF_TEST(counters never go down) {
  registry reg;
  reg.describe("vigil_x_total", kind::counter, "x");
  reg.add("vigil_x_total", {}, 5);
  reg.add("vigil_x_total", {}, -2);
  reg.add("vigil_x_total", {}, std::nan(""));
  CAF_CHECK_EQUAL(reg.value("vigil_x_total", {}), 5.0);
  // A gauge may be added to in both directions.
  reg.add("vigil_level", {}, 5);
  reg.add("vigil_level", {}, -2);
  CAF_CHECK_EQUAL(reg.value("vigil_level", {}), 3.0);
}

CAF_TEST(label values and help lines are escaped) {
  registry reg;
  reg.describe("vigil_e", kind::gauge, "a \\ backslash\nand a \"quote\"");
  reg.set("vigil_e", {{"path", "a\"b\\c\nd"}}, 1);
  auto text = reg.render();
  // Help: backslash and newline escaped, quotes as they are.
  CAF_CHECK(contains(text, "# HELP vigil_e a \\\\ backslash\\nand a \"quote\"\n"));
  CAF_CHECK(contains(text, "vigil_e{path=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

CAF_TEST(invalid UTF-8 in label values becomes the replacement character) {
  registry reg;
  reg.set("vigil_u", {{"probe", std::string{"ok-\xc3\xa9-bad-\xff-\xc0\xaf-end"}}}, 1);
  reg.set("vigil_u", {{"probe", std::string{"cut-\xe2\x82"}}}, 2);
  auto text = reg.render();
  CAF_CHECK(contains(text, "probe=\"ok-\xc3\xa9-bad-\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd-end\""));
  CAF_CHECK(contains(text, "probe=\"cut-\xef\xbf\xbd\xef\xbf\xbd\""));
}

CAF_TEST(names are made valid) {
  CAF_CHECK_EQUAL(sanitize_name("vigil.probe-latency:ms"), "vigil_probe_latency:ms");
  CAF_CHECK_EQUAL(sanitize_name("9lives"), "_lives");
  CAF_CHECK_EQUAL(sanitize_name(""), "_");
  CAF_CHECK_EQUAL(sanitize_name("caf\xc3\xa9"), "caf__");
  CAF_CHECK_EQUAL(sanitize_label_name("a:b"), "a_b");
  CAF_CHECK_EQUAL(sanitize_label_name("actor-name"), "actor_name");
  registry reg;
  reg.set("bad name", {{"la bel", "v"}}, 1);
  CAF_CHECK_EQUAL(reg.render(), "# TYPE bad_name untyped\nbad_name{la_bel=\"v\"} 1\n");
  // Two spellings of one label name are one series.
  reg.set("bad name", {{"la-bel", "v"}}, 2);
  CAF_CHECK_EQUAL(reg.value("bad_name", {{"la_bel", "v"}}), 2.0);
}

CAF_TEST(values use Prometheus number syntax) {
  registry reg;
  reg.set("v", {{"k", "a"}}, 0.1);
  reg.set("v", {{"k", "b"}}, 1e21);
  reg.set("v", {{"k", "c"}}, -3);
  reg.set("v", {{"k", "d"}}, std::nan(""));
  reg.set("v", {{"k", "e"}}, HUGE_VAL);
  reg.set("v", {{"k", "f"}}, -HUGE_VAL);
  reg.set("v", {{"k", "g"}}, 123456789012.0);
  CAF_CHECK_EQUAL(reg.render(), "# TYPE v untyped\n"
                                "v{k=\"a\"} 0.1\n"
                                "v{k=\"b\"} 1e+21\n"
                                "v{k=\"c\"} -3\n"
                                "v{k=\"d\"} NaN\n"
                                "v{k=\"e\"} +Inf\n"
                                "v{k=\"f\"} -Inf\n"
                                "v{k=\"g\"} 123456789012\n");
}

CAF_TEST(drop removes the series that match every given label) {
  registry reg;
  reg.set("vigil_probe_up", {{"probe", "a"}, {"node", "n1"}}, 1);
  reg.set("vigil_probe_up", {{"probe", "b"}, {"node", "n1"}}, 1);
  reg.set("vigil_probe_up", {{"probe", "a"}, {"node", "n2"}}, 1);
  reg.drop("vigil_probe_up", {{"probe", "a"}, {"node", "n1"}});
  CAF_CHECK(std::isnan(reg.value("vigil_probe_up", {{"probe", "a"}, {"node", "n1"}})));
  CAF_CHECK_EQUAL(reg.value("vigil_probe_up", {{"probe", "b"}, {"node", "n1"}}), 1.0);
  CAF_CHECK_EQUAL(reg.value("vigil_probe_up", {{"probe", "a"}, {"node", "n2"}}), 1.0);
  reg.drop("vigil_probe_up", {{"node", "n2"}});
  reg.drop("vigil_no_such_family", {});
  CAF_CHECK_EQUAL(reg.render(), "# TYPE vigil_probe_up untyped\n"
                                "vigil_probe_up{node=\"n1\",probe=\"b\"} 1\n");
  // An empty match drops the whole family; it then renders nothing.
  reg.drop("vigil_probe_up", {});
  CAF_CHECK_EQUAL(reg.render(), "");
}

CAF_TEST(replace swaps the matching series for a new set) {
  registry reg;
  reg.set("vigil_r", {{"node", "n1"}, {"path", "old"}}, 1);
  reg.set("vigil_r", {{"node", "n2"}, {"path", "other"}}, 1);
  reg.replace("vigil_r", {{"node", "n1"}},
              {{{{"node", "n1"}, {"path", "new-a"}}, 2}, {{{"node", "n1"}, {"path", "new-b"}}, 3}});
  CAF_CHECK(std::isnan(reg.value("vigil_r", {{"node", "n1"}, {"path", "old"}})));
  CAF_CHECK_EQUAL(reg.value("vigil_r", {{"node", "n1"}, {"path", "new-a"}}), 2.0);
  CAF_CHECK_EQUAL(reg.value("vigil_r", {{"node", "n1"}, {"path", "new-b"}}), 3.0);
  CAF_CHECK_EQUAL(reg.value("vigil_r", {{"node", "n2"}, {"path", "other"}}), 1.0);
}

CAF_TEST(collectors run before each render and can be removed) {
  registry reg;
  int runs = 0;
  auto id = reg.on_collect([&](registry& r) { r.set("vigil_collected", {}, ++runs); });
  CAF_CHECK(contains(reg.render(), "vigil_collected 1\n"));
  CAF_CHECK(contains(reg.render(), "vigil_collected 2\n"));
  reg.remove_collector(id);
  reg.remove_collector(id);     // twice: ignored
  reg.remove_collector(987654); // unknown: ignored
  CAF_CHECK(contains(reg.render(), "vigil_collected 2\n"));
  CAF_CHECK_EQUAL(runs, 2);
}

CAF_TEST(writers and renders on many threads agree) {
  registry reg;
  reg.describe("vigil_hits_total", kind::counter, "hits");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&reg, t] {
      for (int i = 0; i < 1000; ++i) {
        reg.add("vigil_hits_total", {{"thread", std::to_string(t % 2)}});
        if (i % 100 == 0)
          reg.render();
      }
    });
  for (auto& t : threads)
    t.join();
  CAF_CHECK_EQUAL(reg.value("vigil_hits_total", {{"thread", "0"}}), 2000.0);
  CAF_CHECK_EQUAL(reg.value("vigil_hits_total", {{"thread", "1"}}), 2000.0);
}

CAF_TEST(the global registry is one instance) {
  CAF_CHECK_EQUAL(&registry::global(), &registry::global());
}
