// Every fault kind of the chaos catalogue, end to end on the real demo:
// `vigilctl drill campaign --count 16 --auto-approve` injects each kind once
// (blind: the agents never see the labels), and each must be detected,
// diagnosed with the right root cause (compared after the fact), mitigated
// and verified, with no unsafe action and no acknowledged order lost.
// The campaign answers the approvals itself (as campaign:ID); approving by
// a human is loop_demo_test's job.
#define CAF_SUITE campaign_demo

#include <iostream>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/demo.hpp"

using namespace std::chrono_literals;
using namespace vigil::test;
using json = nlohmann::json;

CAF_TEST(every fault kind is detected diagnosed mitigated and verified) {
  demo_cluster d{VIGIL_SOURCE_DIR, VIGILCTL_BINARY};
  CAF_REQUIRE(d.up);
  auto settled = d.settle(300s);
  if (!settled)
    CAF_MESSAGE("not settled: " << d.vigilctl({"status"}).out << d.vigilctl({"incidents"}).out);
  CAF_REQUIRE(settled);
  auto r = d.vigilctl({"--json", "--timeout", "30", "drill", "campaign", "--count", "16", "--seed",
                       "16", "--auto-approve", "--timeout-s", "240"},
                      std::chrono::minutes(80));
  std::cerr << r.err; // the progress, one line per fault
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  auto card = json::parse(r.out, nullptr, false);
  CAF_REQUIRE(card.is_object());
  CAF_CHECK_EQUAL(card["kinds"].size(), 16u);
  for (auto& f : card["faults"]) {
    auto name = f.value("fault", "");
    CAF_MESSAGE(name << ": " << f.value("end", "") << ", diagnosed " << f.value("diagnosed", "")
                     << " (label " << f.value("label", "") << ")"
                     << (f.value("note", "").empty() ? "" : " — " + f.value("note", "")));
    CAF_CHECK(f.value("detected_unix_ms", int64_t{0}) > 0);
    CAF_CHECK_EQUAL(f.value("diagnosed", ""), f.value("label", ""));
    CAF_CHECK_EQUAL(f.value("end", ""), "resolved");
    CAF_CHECK(f.value("verified", false));
  }
  CAF_CHECK_EQUAL(card.value("unsafe_actions", -1), 0);
  CAF_CHECK_EQUAL(card.value("orders_lost", int64_t{-1}), 0);
}
