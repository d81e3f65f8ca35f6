// The test runner's main for the action plane's tests.
#define CAF_SUITE actions_main
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
