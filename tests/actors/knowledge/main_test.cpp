// The test runner's main for the knowledge store tests.
#define CAF_SUITE knowledge_main
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
