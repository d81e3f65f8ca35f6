// Every fault kind of the chaos catalogue, end to end on the real demo:
// `vigilctl drill campaign --count 16 --auto-approve` injects each kind once
// (blind: the agents never see the labels), and each must be detected,
// diagnosed with the right root cause (compared after the fact), mitigated
// and verified, with no unsafe action and no acknowledged order lost; and
// the outside oracle's client, hurt or not, must be served at the end of
// each fault before any clean-up (Vigil's "resolved" is not taken for it).
// The campaign answers the approvals itself (as campaign:ID); approving by
// a human is loop_demo_test's job. Each kind is drilled once and must be
// handled then: nothing is drilled again until it passes.
#define CAF_SUITE campaign_demo

#include <iostream>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/demo.hpp"

using namespace std::chrono_literals;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

/// A campaign's scorecard (null when vigilctl failed).
json campaign(demo_cluster& d, const std::vector<std::string>& options) {
  // Paths from the source tree: the test runs in the build folder.
  std::vector<std::string> args{"--json", "--timeout", "30", "drill", "campaign",
                                "--auto-approve", "--timeout-s", "240",
                                "--probes", d.root() + "/config/demo/probes.json",
                                "--reports-dir", d.root() + "/var/reports"};
  args.insert(args.end(), options.begin(), options.end());
  auto r = d.vigilctl(args, std::chrono::minutes(80));
  std::cerr << r.err; // the progress, one line per fault
  if (r.exit_code != 0)
    return json();
  return json::parse(r.out, nullptr, false);
}

bool handled(const json& f) {
  return f.value("detected_unix_ms", int64_t{0}) > 0
         && f.value("diagnosed", "") == f.value("label", "x") && f.value("end", "") == "resolved"
         && f.value("verified", false);
}

void describe(const json& f) {
  CAF_MESSAGE(f.value("fault", "") << ": " << f.value("end", "") << ", diagnosed "
                                   << f.value("diagnosed", "") << " (label "
                                   << f.value("label", "") << ")"
                                   << (f.value("note", "").empty() ? "" : " — " + f.value("note", "")));
}

} // namespace

CAF_TEST(every fault kind is detected diagnosed mitigated and verified) {
  demo_cluster d{VIGIL_SOURCE_DIR, VIGILCTL_BINARY};
  CAF_REQUIRE(d.up);
  auto settled = d.settle(300s);
  if (!settled)
    CAF_MESSAGE("not settled: " << d.vigilctl({"status"}).out << d.vigilctl({"incidents"}).out);
  CAF_REQUIRE(settled);
  auto card = campaign(d, {"--count", "16", "--seed", "16"});
  CAF_REQUIRE(card.is_object());
  CAF_CHECK_EQUAL(card["kinds"].size(), 16u);
  CAF_CHECK_EQUAL(card.value("unsafe_actions", -1), 0);
  CAF_CHECK_EQUAL(card.value("orders_lost", int64_t{-1}), 0);
  for (auto& f : card["faults"]) {
    describe(f);
    CAF_CHECK(handled(f));
    CAF_REQUIRE(f["oracle"].is_object());
    CAF_MESSAGE("  oracle: " << f["oracle"].dump());
    CAF_CHECK_NOT_EQUAL(f["oracle"].value("state", ""), "not_restored");
  }
  // Some faults must hurt the client, or it was not looking.
  CAF_CHECK_GREATER(card["total"]["oracle"].value("hurt", 0), 0);
  // The stored campaign reads back as it was printed, by its id.
  auto reports = d.root() + "/var/reports";
  auto stored = d.ctl({"drill", "report", card.value("campaign", ""), "--reports-dir", reports});
  CAF_CHECK_EQUAL(stored, card);
  auto text = d.vigilctl({"drill", "report", card.value("campaign", ""), "--reports-dir", reports});
  CAF_CHECK_EQUAL(text.exit_code, 0);
  CAF_CHECK_NOT_EQUAL(text.out.find("misses:"), std::string::npos);
  auto unknown = d.vigilctl({"drill", "report", "c-0", "--reports-dir", reports});
  CAF_CHECK_EQUAL(unknown.exit_code, 1);
  CAF_CHECK_NOT_EQUAL(unknown.err.find("cannot read"), std::string::npos);
}
