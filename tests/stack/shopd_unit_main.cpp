// The one translation unit that holds CAF's test runner for shopd_unit_test.
#include <caf/test/unit_test_impl.hpp>
