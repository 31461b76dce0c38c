#include "base/backoff.h"

#include <algorithm>
#include <cmath>

namespace zerotrace {

RetryBackoff::RetryBackoff(BackoffOptions options, uint64_t seed)
    : options_(options), random_(seed) {
  options_.initial = std::max(options_.initial, std::chrono::milliseconds(1));
  options_.max = std::max(options_.max, options_.initial);
  options_.multiplier = std::max(options_.multiplier, 1.0);
}

std::chrono::milliseconds RetryBackoff::Delay(unsigned retry) {
  const double step = std::min(static_cast<double>(options_.initial.count()) *
                                   std::pow(options_.multiplier, static_cast<double>(retry)),
                               static_cast<double>(options_.max.count()));
  std::uniform_real_distribution<double> upper_half(step / 2, step);
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(upper_half(random_))));
}

}  // namespace zerotrace
