// The test runner's main for the probe tests.
#define CAF_SUITE probes_main
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
