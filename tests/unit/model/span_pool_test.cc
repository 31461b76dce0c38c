#include "agent/model/span_pool.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zerotrace {
namespace {

Span SpanNamed(const std::string& name) {
  Span span;
  span.name = name;
  span.attributes.push_back({"url.path", std::string(200, 'x')});
  span.resource = std::make_shared<Resource>();
  return span;
}

TEST(SpanPool, GivesNewSpansWhenEmpty) {
  SpanPool pool(4);
  Span span = pool.Take();
  EXPECT_TRUE(span.name.empty());
  EXPECT_TRUE(span.attributes.empty());
}

TEST(SpanPool, ReturnedSpansComeBackWithTheirCapacityAndWithoutTheirResource) {
  SpanPool pool(4);
  std::vector<Span> batch;
  batch.push_back(SpanNamed("GET /a"));
  std::weak_ptr<const Resource> resource = batch[0].resource;
  pool.Return(batch);
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(resource.expired());  // the pool does not keep processes' resources alive
  EXPECT_EQ(pool.free_spans(), 1u);

  Span reused = pool.Take();
  EXPECT_EQ(reused.name, "GET /a");  // stale: the builder overwrites it
  ASSERT_EQ(reused.attributes.size(), 1u);
  EXPECT_GE(std::get<std::string>(reused.attributes[0].value).capacity(), 200u);
  EXPECT_EQ(pool.free_spans(), 0u);
}

TEST(SpanPool, KeepsNoMoreThanItsCapacity) {
  SpanPool pool(2);
  std::vector<Span> batch(5);
  pool.Return(batch);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(pool.free_spans(), 2u);
  std::vector<Span> more(3);
  pool.Return(more);
  EXPECT_EQ(pool.free_spans(), 2u);
}

}  // namespace
}  // namespace zerotrace
