#include "tests/support/postgres.hpp"

#include <random>

#include <sys/stat.h>

#include "tests/support/process.hpp"

#ifndef VIGIL_PGCLUSTER
#  error "VIGIL_PGCLUSTER must name stack/postgres/pgcluster"
#endif

namespace vigil::test {

namespace {

// initdb plus the first start take a few seconds on a loaded machine.
constexpr auto pgcluster_timeout = std::chrono::seconds(120);

std::string random_password() {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device seed;
  std::mt19937_64 gen{(static_cast<uint64_t>(seed()) << 32) ^ seed()};
  std::uniform_int_distribution<size_t> pick{0, sizeof(alphabet) - 2};
  std::string result;
  for (int i = 0; i < 24; ++i)
    result += alphabet[pick(gen)];
  return result;
}

std::string sql_literal(const std::string& text) {
  std::string result = "'";
  for (char c : text) {
    if (c == '\'')
      result += '\'';
    result += c;
  }
  return result + "'";
}

std::string describe(const std::vector<std::string>& args) {
  std::string result = "pgcluster";
  for (auto& arg : args)
    result += " " + arg;
  return result;
}

} // namespace

std::string test_postgres::pgcluster_path() {
  return VIGIL_PGCLUSTER;
}

test_postgres::test_postgres(std::string app)
  : app_(std::move(app)), app_password_(random_password()) {
  dir_ = make_temp_dir("vigil-pg");
  // As root, PostgreSQL runs as `postgres`, which must reach the folder.
  ::chmod(dir_.c_str(), 0755);
  port_ = free_port();
  run_pgcluster({"init", dir_, std::to_string(port_)});
  start();
  // One statement per call: CREATE DATABASE refuses a transaction block.
  psql("CREATE ROLE " + app_ + " LOGIN PASSWORD " + sql_literal(app_password_), "postgres");
  psql("CREATE DATABASE " + app_ + " OWNER " + app_, "postgres");
}

test_postgres::~test_postgres() {
  try {
    stop("immediate");
  } catch (...) {
    // A destructor must not throw; the folder keeps the log for debugging.
  }
}

void test_postgres::set_app_password(const std::string& password) {
  psql("ALTER ROLE " + app_ + " PASSWORD " + sql_literal(password), "postgres");
  app_password_ = password;
}

std::string test_postgres::psql(const std::string& sql, const std::string& database) {
  std::vector<std::string> argv{pgcluster_path(), "psql", dir_, std::to_string(port_),
                                "-A", "-t", "-d", database.empty() ? app_ : database,
                                "-c", sql};
  auto result = run_command(argv, pgcluster_timeout);
  if (result.exit_code != 0)
    throw postgres_error("psql failed (exit " + std::to_string(result.exit_code)
                         + ") on `" + sql + "`: " + result.err);
  return result.out;
}

std::string test_postgres::query_value(const std::string& sql, const std::string& database) {
  auto out = psql(sql, database);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

void test_postgres::start() {
  run_pgcluster({"start", dir_, std::to_string(port_)});
}

void test_postgres::stop(const std::string& mode) {
  run_pgcluster({"stop", dir_, mode});
}

bool test_postgres::running() {
  auto result = run_command({pgcluster_path(), "status", dir_}, pgcluster_timeout);
  return result.exit_code == 0;
}

void test_postgres::run_pgcluster(const std::vector<std::string>& args) {
  std::vector<std::string> argv{pgcluster_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_command(argv, pgcluster_timeout);
  if (result.exit_code != 0)
    throw postgres_error(describe(args) + " failed (exit "
                         + std::to_string(result.exit_code) + "): " + result.err
                         + " (log: " + log_path() + ")");
}

} // namespace vigil::test
