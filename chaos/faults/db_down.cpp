// db_down: the target Postgres is stopped; revert starts it again.
#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class db_down : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto mode = params["mode"].get<std::string>();
    ctx_.pgcluster({"stop", ctx_.target.target_db.cluster_dir, mode});
    stopped_ = true;
    return "stopped the target DB (" + mode + " shutdown)";
  }

  std::string revert(bool) override {
    if (!stopped_)
      return "the target DB was not stopped by this fault";
    ctx_.pgcluster({"start", ctx_.target.target_db.cluster_dir,
                    std::to_string(ctx_.target.target_db.port)});
    stopped_ = false;
    return "started the target DB again";
  }

private:
  bool stopped_ = false;
};

} // namespace

fault_ptr make_db_down(const fault_context& ctx) {
  return std::make_unique<db_down>(
    make_kind("db_down", "db_unavailable", "safe", "target-db", "Stops the target Postgres.",
              "Starts it again.", false, 60,
              {choice_param("mode", {"fast", "immediate"}, "fast", "pg_ctl stop mode")},
              {{"start_db", ""}}),
    ctx);
}

} // namespace vigil::chaos
