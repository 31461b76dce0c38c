#include "agent/model/span_pool.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace zerotrace {

Span SpanPool::Take() {
  std::lock_guard lock(mu_);
  if (free_.empty()) return Span{};
  Span span = std::move(free_.back());
  free_.pop_back();
  return span;
}

void SpanPool::Return(std::vector<Span>& spans) {
  {
    std::lock_guard lock(mu_);
    const size_t room = capacity_ - std::min(capacity_, free_.size());
    const size_t n = std::min(room, spans.size());
    // Drop the resource now: a process's resource must not outlive it here.
    for (size_t i = 0; i < n; ++i) spans[i].resource.reset();
    std::move(spans.begin(), spans.begin() + static_cast<std::ptrdiff_t>(n), std::back_inserter(free_));
  }
  spans.clear();  // what did not fit is freed here
}

size_t SpanPool::free_spans() const {
  std::lock_guard lock(mu_);
  return free_.size();
}

}  // namespace zerotrace
