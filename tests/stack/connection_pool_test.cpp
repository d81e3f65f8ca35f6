// shopd's connection pool against a real Postgres: waiting with a deadline
// when exhausted, the in_use/idle/waiting counts, and replacing connections
// that broke or outlived max_lifetime or were in use while it was drained.
#define CAF_SUITE connection_pool

#include <future>

#include <caf/test/unit_test.hpp>
#include <pqxx/pqxx>

#include "stack/shopd/connection_pool.hpp"
#include "stack/shopd/db_connect.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace vigil::shop;
using namespace std::chrono_literals;

namespace {

struct fixture {
  test::test_postgres pg;
  std::string dir = test::make_temp_dir("vigil-pool");
  db_config db;

  fixture() {
    test::write_file(dir + "/db.password", pg.app_password());
    db.port = pg.port();
    db.dbname = pg.app_database();
    db.user = pg.app_user();
    db.password_file = dir + "/db.password";
    db.connect_timeout_s = 2;
  }

  connection_pool make_pool(size_t size, std::chrono::milliseconds wait,
                            std::chrono::milliseconds lifetime = 60s) {
    connection_pool::settings settings;
    settings.size = size;
    settings.wait_timeout = wait;
    settings.max_lifetime = lifetime;
    return connection_pool{settings, [this] { return connect_db(db); }};
  }

  /// The server process behind the connection the pool hands out next.
  static int backend_pid(connection_pool& pool) {
    // A round trip, so that a dead connection shows.
    return pool.with_connection([](pqxx::connection& c) {
      pqxx::nontransaction tx{c};
      return tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
    });
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(connection_pool_tests, fixture)

CAF_TEST(an exhausted pool makes callers wait and then gives up with 503) {
  connection_pool pool{{1, 300ms, 60s}, [this] { return connect_db(db); }};
  std::promise<void> holding;
  std::promise<void> release;
  auto held = release.get_future().share();
  auto holder = std::async(std::launch::async, [&] {
    pool.with_connection([&](pqxx::connection&) {
      holding.set_value();
      held.wait();
      return 0;
    });
  });
  holding.get_future().wait();
  CAF_CHECK_EQUAL(pool.snapshot().in_use, 1u);
  // A waiter shows in the counts while it waits.
  auto waiter = std::async(std::launch::async, [&] {
    try {
      backend_pid(pool);
      return std::string{};
    } catch (const db_error& e) {
      return std::to_string(e.status()) + " " + e.what();
    }
  });
  CAF_CHECK(test::wait_until([&] { return pool.snapshot().waiting == 1; }, 5s));
  auto outcome = waiter.get();
  CAF_CHECK(outcome.rfind("503 no database connection free within 300 ms", 0) == 0);
  CAF_CHECK_EQUAL(pool.snapshot().waiting, 0u);
  CAF_CHECK_EQUAL(pool.snapshot().timeouts, 1u);
  // A waiter is served as soon as the connection comes back.
  auto patient = std::async(std::launch::async, [&] {
    connection_pool::settings longer{1, 10s, 60s};
    pool.configure(longer);
    return backend_pid(pool);
  });
  CAF_CHECK(test::wait_until([&] { return pool.snapshot().waiting == 1; }, 5s));
  release.set_value();
  holder.get();
  CAF_CHECK_GREATER(patient.get(), 0);
  auto stats = pool.snapshot();
  CAF_CHECK_EQUAL(stats.in_use, 0u);
  CAF_CHECK_EQUAL(stats.idle, 1u);
  CAF_CHECK_EQUAL(stats.opened, 1u);
}

CAF_TEST(idle connections are reused and old ones replaced) {
  auto pool = make_pool(2, 1s, 60s);
  auto first = backend_pid(pool);
  CAF_CHECK_EQUAL(backend_pid(pool), first);
  auto short_lived = make_pool(2, 1s, 100ms);
  auto old = backend_pid(short_lived);
  // Reused until its lifetime has passed, then replaced.
  CAF_CHECK(test::wait_until([&] { return backend_pid(short_lived) != old; }, 5s));
  CAF_CHECK_EQUAL(short_lived.snapshot().replaced, 1u);
}

CAF_TEST(a connection in use while the pool is drained is not reused) {
  // A config reload drains the pool while a request holds a connection:
  // that one, opened with the old settings, must not serve the next request.
  auto pool = make_pool(2, 1s);
  int held = 0;
  int after = pool.with_connection([&](pqxx::connection& c) {
    {
      pqxx::nontransaction tx{c};
      held = tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
    }
    pool.drain_idle();
    return 0;
  });
  CAF_CHECK_EQUAL(after, 0);
  CAF_CHECK_NOT_EQUAL(backend_pid(pool), held);
  CAF_CHECK_EQUAL(pool.snapshot().replaced, 1u);
}

CAF_TEST(a killed connection surfaces once as 503 and is replaced) {
  auto pool = make_pool(2, 1s);
  auto victim = backend_pid(pool);
  pg.psql("SELECT pg_terminate_backend(" + std::to_string(victim) + ")", "postgres");
  std::string error;
  try {
    backend_pid(pool);
  } catch (const db_error& e) {
    error = std::to_string(e.status());
  }
  CAF_CHECK_EQUAL(error, "503");
  auto fresh = backend_pid(pool);
  CAF_CHECK_NOT_EQUAL(fresh, victim);
}

CAF_TEST(connect errors carry the database message) {
  auto pool = make_pool(1, 1s);
  test::write_file(db.password_file, "wrong-password");
  try {
    backend_pid(pool);
    CAF_FAIL("connected with a wrong password");
  } catch (const db_error& e) {
    CAF_CHECK_EQUAL(e.status(), 503);
    CAF_CHECK(std::string{e.what()}.find("password authentication failed") != std::string::npos);
  }
  // The secret is read on every connect: fixing the file is enough.
  test::write_file(db.password_file, pg.app_password());
  CAF_CHECK_GREATER(backend_pid(pool), 0);
  CAF_CHECK_EQUAL(pool.snapshot().in_use, 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
