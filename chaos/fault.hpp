// One fault kind: its catalogue entry, and an inject that breaks something
// real and a revert that undoes what can be undone.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "messages/chaos.hpp"

namespace vigil::chaos {

/// An inject or revert that did not work; the message says why.
class fault_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class fault {
public:
  virtual ~fault() = default;

  /// The catalogue entry: name, label, risk, parameters with bounds.
  virtual const fault_kind& kind() const = 0;

  /// Breaks the target; `params` are validated and complete (defaults filled
  /// in). Returns a one-line description of what it did. Throws fault_error.
  virtual std::string inject(const nlohmann::json& params) = 0;

  /// Undoes the last inject as far as possible; safe to call twice. Faults
  /// whose effect outlives them (a crash) only stop injecting more. A
  /// destructive fault restores its snapshot when a person asks (the kill
  /// switch or an explicit revert: `kill_switch`); when its time is up, the
  /// loss stays for others to fix.
  virtual std::string revert(bool kill_switch) = 0;
};

using fault_ptr = std::unique_ptr<fault>;

/// Checks `params_json` against `kind`'s parameters and fills in defaults;
/// throws fault_error naming the parameter.
nlohmann::json validate_params(const fault_kind& kind, const std::string& params_json);

/// Builders for catalogue entries.
fault_param int_param(std::string name, double min, double max, double def, std::string help);
fault_param choice_param(std::string name, std::vector<std::string> choices, std::string def,
                         std::string help);
fault_param string_param(std::string name, std::string def, std::string help);

} // namespace vigil::chaos
