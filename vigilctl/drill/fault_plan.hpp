// Which faults a campaign injects, in which order: random with a fixed seed
// (the same seed, the same campaign), and every kind at least once in each
// run of 16 when the campaign is long enough.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigilctl::drill {

/// `count` fault names drawn from `kinds` with `seed`. In blocks of
/// max(16, kinds) faults each block holds every kind once (in random order)
/// and the rest drawn at random; a shorter campaign (or the last, partial
/// block) draws distinct kinds first, then repeats. Same arguments, same
/// result, on every platform (no std:: distribution involved).
std::vector<std::string> pick_faults(const std::vector<std::string>& kinds, uint32_t count,
                                     uint64_t seed);

} // namespace vigilctl::drill
