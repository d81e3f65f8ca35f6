// The one translation unit of metrics_test that holds CAF's test runner.
#include <caf/test/unit_test_impl.hpp>
