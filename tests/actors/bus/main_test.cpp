// The test runner's main for the event bus and ops store tests.
#define CAF_SUITE bus_main
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
