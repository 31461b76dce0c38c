#include "exporter/console/span_tree.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace zerotrace::console {

namespace {

uint64_t SpanIdKey(const SpanId& id) {
  uint64_t key;
  std::memcpy(&key, id.data(), sizeof key);
  return key;
}

}  // namespace

std::vector<SpanTreeRow> SpanTreeOrder(std::span<const Span> spans) {
  const size_t n = spans.size();
  std::vector<size_t> by_start(n);
  for (size_t i = 0; i < n; ++i) by_start[i] = i;
  std::stable_sort(by_start.begin(), by_start.end(), [&](size_t a, size_t b) {
    return spans[a].start_unix_ns < spans[b].start_unix_ns;
  });

  // First span with each id is the one children hang under.
  std::unordered_map<uint64_t, size_t> index_of_id;
  index_of_id.reserve(n);
  for (size_t i = 0; i < n; ++i) index_of_id.emplace(SpanIdKey(spans[i].span_id), i);

  // Visiting parents in start order fills every child list already sorted.
  std::vector<std::vector<size_t>> children(n);
  std::vector<size_t> roots;
  for (size_t i : by_start) {
    const Span& span = spans[i];
    auto parent = span.has_parent() ? index_of_id.find(SpanIdKey(span.parent_span_id))
                                    : index_of_id.end();
    if (parent == index_of_id.end() || parent->second == i) roots.push_back(i);
    else children[parent->second].push_back(i);
  }

  std::vector<SpanTreeRow> rows;
  rows.reserve(n);
  std::vector<bool> visited(n, false);
  std::vector<SpanTreeRow> stack;  // iterative: a long parent chain must not overflow the stack
  auto walk = [&](size_t root) {
    stack.push_back({root, 0});
    while (!stack.empty()) {
      const SpanTreeRow row = stack.back();
      stack.pop_back();
      if (visited[row.index]) continue;
      visited[row.index] = true;
      rows.push_back(row);
      const auto& kids = children[row.index];
      for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back({*it, row.depth + 1});
    }
  };
  for (size_t root : roots) walk(root);
  // Spans on a parent cycle are reachable from no root: show them at the
  // root level rather than lose them.
  for (size_t i : by_start)
    if (!visited[i]) walk(i);
  return rows;
}

}  // namespace zerotrace::console
