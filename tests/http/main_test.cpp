// The one translation unit per test executable that holds CAF's test runner.
#include <caf/test/unit_test_impl.hpp>
