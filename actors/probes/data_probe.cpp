// data: the prices the API quotes against the prices in the database, for a
// sample of products per check. A mismatch is wrong data served to users
// (a poisoned cache, a skewed upstream), not an outage.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/probes/detail/http_get.hpp"
#include "actors/probes/detail/pg_session.hpp"
#include "actors/probes/detail/secret_file.hpp"
#include "actors/probes/kinds.hpp"

namespace vigil::probes {

namespace {

using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

class data_probe : public probe {
public:
  explicit data_probe(const probe_config& cfg)
    : probe(cfg), get_(cfg.url, false), rng_(std::random_device{}()) {
    // nop
  }

  void check(probe_result& r) override {
    auto& cfg = config();
    auto deadline = clock_type::now() + std::chrono::milliseconds{cfg.timeout_ms};
    std::map<std::string, long long> api;
    if (!api_prices(r, api))
      return;
    std::map<std::string, long long> db;
    if (!db_prices(r, db, deadline))
      return;
    std::vector<std::string> skus;
    for (auto& [sku, _] : api)
      if (db.count(sku) > 0)
        skus.push_back(sku);
    if (cfg.sample > 0 && skus.size() > cfg.sample) {
      std::shuffle(skus.begin(), skus.end(), rng_);
      skus.resize(cfg.sample);
    }
    size_t wrong = 0;
    std::string first_wrong;
    for (auto& sku : skus)
      if (api[sku] != db[sku] && wrong++ == 0)
        first_wrong = sku + ": API " + std::to_string(api[sku]) + " vs DB "
                      + std::to_string(db[sku]) + " cents";
    r.values["compared"] = static_cast<double>(skus.size());
    r.values["mismatched"] = static_cast<double>(wrong);
    if (skus.empty())
      set_degraded(r, "no product both in the API and the DB to compare");
    if (wrong > 0)
      set_degraded(r, std::to_string(wrong) + " of " + std::to_string(skus.size())
                        + " prices differ (" + first_wrong + ")");
    set_ok(r, std::to_string(skus.size()) + " API prices match the DB");
  }

private:
  bool api_prices(probe_result& r, std::map<std::string, long long>& out) {
    auto& cfg = config();
    auto answer = get_.fetch(std::chrono::milliseconds{cfg.timeout_ms});
    if (!answer.ok || answer.status != 200) {
      set_degraded(r, "cannot compare: " + cfg.url + ": "
                        + (answer.ok ? "HTTP " + std::to_string(answer.status) : answer.error));
      return false;
    }
    auto doc = json::parse(answer.body, nullptr, false);
    const json* items = &doc;
    if (doc.is_object() && doc.contains("products"))
      items = &doc["products"];
    if (!items->is_array()) {
      set_degraded(r, "cannot compare: " + cfg.url + " has no product list");
      return false;
    }
    for (auto& p : *items)
      if (p.is_object() && p.contains("sku") && p["sku"].is_string() && p.contains("price_cents")
          && p["price_cents"].is_number_integer())
        out[p["sku"].get<std::string>()] = p["price_cents"].get<long long>();
    return true;
  }

  bool db_prices(probe_result& r, std::map<std::string, long long>& out,
                 clock_type::time_point deadline) {
    auto& cfg = config();
    detail::pg_target t{cfg.db_host, cfg.db_port, cfg.dbname, cfg.user, "",
                        "-c statement_timeout=" + std::to_string(cfg.timeout_ms)};
    if (!cfg.password_file.empty()) {
      auto secret = detail::read_secret_file(cfg.password_file);
      if (secret.error != 0) {
        r.values["secret_errno"] = secret.error;
        set_degraded(r, "cannot compare: cannot read the password file " + cfg.password_file
                          + ": " + std::strerror(secret.error));
        return false;
      }
      t.password = secret.value;
    }
    try {
      detail::pg_session db{t, deadline};
      for (auto& row : db.query(cfg.price_sql, deadline))
        if (row.size() >= 2)
          out[row[0]] = std::atoll(row[1].c_str());
      return true;
    } catch (const detail::pg_failure& e) {
      set_degraded(r, std::string{"cannot compare: DB: "} + e.what());
      return false;
    }
  }

  detail::http_get get_;
  std::mt19937_64 rng_;
};

} // namespace

probe_ptr make_data_probe(const probe_config& cfg) {
  return std::make_unique<data_probe>(cfg);
}

} // namespace vigil::probes
