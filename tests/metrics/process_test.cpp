// The process_* families: /proc/self/stat parsed (command names with spaces
// and parentheses, malformed text refused), values plausible for this process.
#define CAF_SUITE process

#include "metrics/process.hpp"

#include <chrono>
#include <cmath>
#include <ctime>

#include <caf/test/unit_test.hpp>

using namespace vigil::metrics;

namespace {

// A /proc/<pid>/stat line of 52 fields; utime=14, stime=15, threads=20,
// starttime=22, vsize=23, rss=24 carry recognisable values.
std::string stat_line(const std::string& comm) {
  std::string text = "4242 (" + comm + ") S";
  for (int field = 4; field <= 52; ++field) {
    auto value = field == 14 ? "300" : field == 15 ? "100" : field == 20 ? "7" : field == 22 ? "5000"
               : field == 23 ? "123456789" : field == 24 ? "2048" : "0";
    text += std::string{" "} + value;
  }
  return text + "\n";
}

} // namespace

CAF_TEST(stat lines parse even with odd command names) {
  for (auto comm : {"vigil", "a b", "x) (y", ")"}) {
    CAF_MESSAGE("comm: " << comm);
    auto fields = parse_proc_stat(stat_line(comm));
    CAF_REQUIRE(fields);
    CAF_CHECK_EQUAL(fields->utime_ticks, 300u);
    CAF_CHECK_EQUAL(fields->stime_ticks, 100u);
    CAF_CHECK_EQUAL(fields->threads, 7u);
    CAF_CHECK_EQUAL(fields->start_ticks, 5000u);
    CAF_CHECK_EQUAL(fields->vsize_bytes, 123456789u);
    CAF_CHECK_EQUAL(fields->rss_pages, 2048u);
  }
}

CAF_TEST(malformed stat lines are refused) {
  CAF_CHECK(!parse_proc_stat(""));
  CAF_CHECK(!parse_proc_stat("4242 vigil S 1 2 3"));
  CAF_CHECK(!parse_proc_stat("4242 (vigil) S 1 2 3"));
  auto line = stat_line("vigil");
  CAF_CHECK(!parse_proc_stat(line.replace(line.find(" 300 "), 5, " -3 ")));
  line = stat_line("vigil");
  CAF_CHECK(!parse_proc_stat(line.replace(line.find(" 2048"), 5, " 2x48")));
  line = stat_line("vigil");
  CAF_CHECK(!parse_proc_stat(line.replace(line.find(" 300 "), 5, " 99999999999999999999999 ")));
  line = stat_line("vigil");
  CAF_CHECK(!parse_proc_stat(line.substr(0, line.find(" 2048"))));
}

CAF_TEST(the stats of this process are plausible) {
  auto s = read_process_stats();
  CAF_REQUIRE(s);
  CAF_CHECK_GREATER(s->resident_bytes, 1e6);
  CAF_CHECK_GREATER_OR_EQUAL(s->virtual_bytes, s->resident_bytes);
  CAF_CHECK_GREATER_OR_EQUAL(s->cpu_seconds, 0.0);
  CAF_CHECK_GREATER_OR_EQUAL(s->open_fds, 3.0);
  CAF_CHECK_GREATER_OR_EQUAL(s->max_fds, s->open_fds);
  CAF_CHECK_GREATER_OR_EQUAL(s->threads, 1.0);
  auto now = static_cast<double>(std::time(nullptr));
  CAF_CHECK_LESS_OR_EQUAL(s->start_time_seconds, now + 1);
  CAF_CHECK_GREATER(s->start_time_seconds, now - 3600);
}

CAF_TEST(cpu time grows while the process works) {
  auto before = read_process_stats();
  CAF_REQUIRE(before);
  // Work until the kernel has accounted at least one more clock tick.
  volatile double sink = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto after = before;
  while (after && after->cpu_seconds <= before->cpu_seconds
         && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 1000000; ++i)
      sink = sink + std::sqrt(static_cast<double>(i));
    after = read_process_stats();
  }
  CAF_REQUIRE(after);
  CAF_CHECK_GREATER(after->cpu_seconds, before->cpu_seconds);
}

CAF_TEST(the collector sets every process family on render) {
  registry reg;
  auto id = collect_process_metrics(reg);
  auto text = reg.render();
  for (auto name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                    "process_virtual_memory_bytes", "process_start_time_seconds",
                    "process_open_fds", "process_max_fds", "process_threads"}) {
    CAF_MESSAGE(name);
    CAF_CHECK(text.find(std::string{"\n"} + name + " ") != std::string::npos);
    CAF_CHECK(!std::isnan(reg.value(name, {})));
  }
  CAF_CHECK(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
  reg.remove_collector(id);
}
