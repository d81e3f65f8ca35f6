// The test runner's main for the status board and the synthetic traffic.
#define CAF_SUITE status_main
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
