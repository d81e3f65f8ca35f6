// The test runner's main for the agents' tests.
#define CAF_SUITE agents_main
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
