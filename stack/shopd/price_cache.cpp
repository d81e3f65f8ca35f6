#include "stack/shopd/price_cache.hpp"

namespace vigil::shop {

price_cache::price_cache(std::chrono::milliseconds ttl) : ttl_(ttl) {
  // nop
}

std::optional<price> price_cache::find(const std::string& sku) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = prices_.find(sku);
  if (i == prices_.end() || clock::now() - i->second.stored_at >= ttl_) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return i->second.value;
}

void price_cache::put(const std::string& sku, price value) {
  std::lock_guard<std::mutex> guard{mtx_};
  prices_[sku] = slot{std::move(value), clock::now()};
}

void price_cache::clear() {
  std::lock_guard<std::mutex> guard{mtx_};
  prices_.clear();
}

void price_cache::set_ttl(std::chrono::milliseconds ttl) {
  std::lock_guard<std::mutex> guard{mtx_};
  ttl_ = ttl;
}

size_t price_cache::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return prices_.size();
}

} // namespace vigil::shop
