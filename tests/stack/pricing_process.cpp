#include "tests/stack/pricing_process.hpp"

#include <stdexcept>

#include "http/client.hpp"

#ifndef PRICINGD_BINARY
#  error "the build sets PRICINGD_BINARY"
#endif

namespace vigil::test {

using namespace std::chrono_literals;

pricing_process::pricing_process(const std::string& name, const std::string& catalog,
                                 const std::string& dir)
  : token_(name + "-token"), port_(free_port()) {
  auto token_file = dir + "/" + name + ".token";
  write_file(token_file, token_ + "\n");
  process_ = child_process({PRICINGD_BINARY, "--port", std::to_string(port_), "--name", name,
                            "--catalog", catalog, "--admin-token-file", token_file,
                            "--log-file", dir + "/" + name + ".log"},
                           dir + "/" + name + ".out");
  auto up = wait_until(
    [&] {
      try {
        return http::fetch("GET", url() + "/healthz", "", {}, 2s).status == 200;
      } catch (const http::client_error&) {
        return false;
      }
    },
    20s);
  if (!up)
    throw std::runtime_error("pricingd " + name + " did not come up; see " + dir + "/" + name
                             + ".out");
}

void pricing_process::set_mode(const nlohmann::json& mode) {
  auto res = http::fetch("POST", url() + "/admin/mode", mode.dump(),
                         {{"Authorization", "Bearer " + token_}}, 5s);
  if (res.status != 200)
    throw std::runtime_error("pricingd refused mode " + mode.dump() + ": "
                             + std::to_string(res.status) + " " + res.body);
}

} // namespace vigil::test
