#include "vigilctl/drill/fault_plan.hpp"

#include <algorithm>
#include <random>

namespace vigilctl::drill {

namespace {

/// Uniform in [0, n) from the raw engine output (the std distributions
/// differ between standard libraries).
size_t below(std::mt19937_64& rng, size_t n) {
  return static_cast<size_t>(rng() % n);
}

template <class T>
void shuffle(std::vector<T>& xs, std::mt19937_64& rng) {
  for (size_t i = xs.size(); i > 1; --i)
    std::swap(xs[i - 1], xs[below(rng, i)]);
}

} // namespace

std::vector<std::string> pick_faults(const std::vector<std::string>& kinds, uint32_t count,
                                     uint64_t seed) {
  std::vector<std::string> result;
  if (kinds.empty())
    return result;
  std::mt19937_64 rng{seed};
  auto block_size = std::max<size_t>(16, kinds.size());
  while (result.size() < count) {
    auto size = std::min<size_t>(block_size, count - result.size());
    // Every kind once (as many as fit), then random ones, all shuffled.
    auto block = kinds;
    shuffle(block, rng);
    block.resize(std::min(block.size(), size));
    while (block.size() < size)
      block.push_back(kinds[below(rng, kinds.size())]);
    shuffle(block, rng);
    result.insert(result.end(), block.begin(), block.end());
  }
  return result;
}

} // namespace vigilctl::drill
