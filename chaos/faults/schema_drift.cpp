// schema_drift: a column or index the app needs disappears. Renaming keeps
// the data (so the fault is safe); revert renames back or rebuilds the index.
#include <algorithm>
#include <cctype>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class schema_drift : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    what_ = params["what"].get<std::string>();
    if (what_ == "rename_column") {
      ctx_.sql("ALTER TABLE orders RENAME COLUMN quantity TO quantity_drifted");
      return "renamed orders.quantity to quantity_drifted";
    }
    auto index = params["index"].get<std::string>();
    // Goes into superuser SQL: only a plain identifier is accepted.
    if (index.empty() || !std::all_of(index.begin(), index.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        }))
      throw fault_error("parameter 'index': expected a plain index name, got '" + index + "'");
    index_def_ = ctx_.sql("SELECT pg_get_indexdef('" + index + "'::regclass)");
    ctx_.sql("DROP INDEX " + index);
    return "dropped index " + index;
  }

  std::string revert(bool) override {
    // State is cleared only once the SQL worked, so a failed revert can be retried.
    if (what_ == "rename_column") {
      ctx_.sql("ALTER TABLE orders RENAME COLUMN quantity_drifted TO quantity");
      what_.clear();
      return "renamed orders.quantity_drifted back to quantity";
    }
    if (!index_def_.empty()) {
      auto def = index_def_;
      ctx_.sql(def);
      index_def_.clear();
      what_.clear();
      return "rebuilt: " + def;
    }
    return "nothing to undo";
  }

private:
  std::string what_;
  std::string index_def_;
};

} // namespace

fault_ptr make_schema_drift(const fault_context& ctx) {
  return std::make_unique<schema_drift>(
    make_kind("schema_drift", "schema_drift", "safe", "target-db",
              "A column the app needs is renamed away, or an index is dropped.",
              "Renames the column back or rebuilds the index.", false, 60,
              {choice_param("what", {"rename_column", "drop_index"}, "rename_column",
                            "what drifts"),
               string_param("index", "orders_created_at_idx", "index for drop_index")},
              {{"rerun_migrations", ""}}),
    ctx);
}

} // namespace vigil::chaos
