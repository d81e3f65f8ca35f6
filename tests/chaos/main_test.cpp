// The test runner's main for the chaos tests.
#define CAF_SUITE chaos_main
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
