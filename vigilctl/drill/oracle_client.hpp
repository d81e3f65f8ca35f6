// The campaign's outside oracle: a customer-like client, independent of
// Vigil's agents and probes, that visits the shop every few hundred
// milliseconds (the catalogue, then an order) and keeps its own ledger of
// every order the shop acknowledged, appended and fsynced before it counts.
// Its visits judge whether a fault hurt customers and when they were served
// again (oracle_verdict.hpp); its ledger judges lost orders.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vigilctl/drill/oracle_verdict.hpp"

namespace vigilctl::drill {

class oracle_client {
public:
  /// `base_url`: the shop's public address ("http://127.0.0.1:8080");
  /// `ledger_path`: the file of acknowledged order ids (created, appended).
  oracle_client(std::string base_url, std::string ledger_path,
                std::chrono::milliseconds every = std::chrono::milliseconds(250));
  ~oracle_client();

  oracle_client(const oracle_client&) = delete;
  oracle_client& operator=(const oracle_client&) = delete;

  /// Starts visiting; throws std::runtime_error when the ledger cannot be opened.
  void start();
  void stop();

  std::vector<oracle_tick> ticks() const;
  /// The order ids the shop acknowledged to this client, oldest first.
  std::vector<std::string> acked() const;
  const std::string& ledger_path() const { return ledger_path_; }
  const std::string& base_url() const { return base_url_; }

private:
  void run();
  bool visit();

  std::string base_url_;
  std::string ledger_path_;
  std::chrono::milliseconds every_;
  int ledger_fd_ = -1;
  std::atomic<bool> running_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<oracle_tick> ticks_;
  std::vector<std::string> acked_;
  std::vector<std::string> skus_;
  size_t visits_ = 0; ///< The visiting thread's own count: which product to order.
};

} // namespace vigilctl::drill
