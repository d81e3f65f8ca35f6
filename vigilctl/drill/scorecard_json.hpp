// A scorecard as JSON and back: what a campaign writes to
// var/reports/campaign-ID.json and what `drill report` and `--beside` read.
// Reading checks the shape and says what is wrong (tests/drill/scorecard_test.cpp).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "vigilctl/drill/scorecard.hpp"

namespace vigilctl::drill {

nlohmann::json to_json(const scorecard& card);

/// The scorecard `to_json` wrote, faults included. Throws
/// std::invalid_argument naming the first field that is missing or of the
/// wrong type.
scorecard scorecard_from_json(const nlohmann::json& j);

/// Reads a campaign JSON file. Throws std::runtime_error naming the file.
scorecard load_scorecard(const std::string& path);

} // namespace vigilctl::drill
