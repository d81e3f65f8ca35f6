// An error the API answers as is: bad input (400), unknown thing (404),
// missing token (401). Its message is safe to show the client.
#pragma once

#include <stdexcept>
#include <string>

namespace vigil::shop {

class api_error : public std::runtime_error {
public:
  api_error(int status, const std::string& message)
    : std::runtime_error(message), status_(status) {
    // nop
  }
  int status() const { return status_; }

private:
  int status_;
};

} // namespace vigil::shop
