// How the kernel's trace context and a request's own traceparent combine
// into a span's ids: children follow a server request into the trace its
// traceparent names, programs that propagate context keep their ids, and a
// reused traceparent cannot merge unrelated requests into one trace.
#include "agent/linking/trace_linker.h"

#include <gtest/gtest.h>

#include "agent/model/traceparent.h"

namespace zerotrace {
namespace {

template <size_t N>
std::array<uint8_t, N> Id(uint8_t seed) {
  std::array<uint8_t, N> id{};
  for (size_t i = 0; i < N; ++i) id[i] = static_cast<uint8_t>(seed + i);
  return id;
}

KernelTraceContext Kernel(uint8_t trace, uint8_t span, uint8_t parent, TraceLink link) {
  KernelTraceContext k;
  k.trace_id = Id<16>(trace);
  k.span_id = Id<8>(span);
  if (parent != 0) k.parent_span_id = Id<8>(parent);
  k.link = link;
  return k;
}

struct NoDetails final : ExchangeDetails {
  void DescribeSpan(const zerotrace::Exchange&, const SpanMappingOptions&, Span&, AttributeWriter&) const override {}
};
const NoDetails kNoDetails;

// An exchange of any protocol, as the linker sees it.
struct TestExchange {
  ConnectionInfo connection;
  ChunkTiming first_chunk;
  std::string traceparent;

  RequestStart start() const { return {connection, first_chunk, {traceparent, {}}}; }
  zerotrace::Exchange exchange() const {
    return {connection, first_chunk, first_chunk, {traceparent, {}}, false, kNoDetails};
  }
};

TestExchange Exchange(ConnectionRole role, KernelTraceContext kernel, std::string traceparent = {}) {
  TestExchange ex;
  ex.connection.role = role;
  ex.first_chunk.trace = kernel;
  ex.traceparent = std::move(traceparent);
  return ex;
}

// What the span builder does before the linker: the header's context, or
// fresh ids.
Span BuiltSpan(const TestExchange& ex) {
  Span span;
  span.kind = ex.connection.role == ConnectionRole::kServer ? SpanKind::kServer : SpanKind::kClient;
  span.trace_id = Id<16>(200);
  span.span_id = Id<8>(200);
  if (auto tp = ParseTraceParent(ex.traceparent)) {
    span.trace_id = tp->trace_id;
    if (span.kind == SpanKind::kServer) span.parent_span_id = tp->parent_id;
    else span.span_id = tp->parent_id;
  }
  return span;
}

Span Link(TraceLinker& linker, const TestExchange& ex) {
  linker.OnRequest(ex.start());
  Span span = BuiltSpan(ex);
  linker.Apply(ex.exchange(), span);
  return span;
}

const std::string kHeader = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

TEST(TraceLinker, KernelContextGivesIdsAndParent) {
  TraceLinker linker;
  const Span server = Link(linker, Exchange(ConnectionRole::kServer, Kernel(1, 10, 0, TraceLink::kRoot)));
  const Span client = Link(linker, Exchange(ConnectionRole::kClient, Kernel(1, 11, 10, TraceLink::kThread)));
  EXPECT_EQ(server.trace_id, Id<16>(1));
  EXPECT_EQ(server.span_id, Id<8>(10));
  EXPECT_FALSE(server.has_parent());
  EXPECT_EQ(client.trace_id, Id<16>(1));
  EXPECT_EQ(client.parent_span_id, server.span_id);
  EXPECT_EQ(linker.stats().root, 1u);
  EXPECT_EQ(linker.stats().thread_parent, 1u);
}

TEST(TraceLinker, WithoutKernelContextTheBuildersChoiceStands) {
  TraceLinker linker;
  const Span span = Link(linker, Exchange(ConnectionRole::kServer, {}));
  EXPECT_EQ(span.trace_id, Id<16>(200));
  EXPECT_EQ(linker.stats().no_kernel_context, 1u);
}

TEST(TraceLinker, ServerJoiningATraceparentTakesItsChildrenAlong) {
  TraceLinker linker;
  const TestExchange server_ex = Exchange(ConnectionRole::kServer, Kernel(1, 10, 0, TraceLink::kRoot), kHeader);
  linker.OnRequest(server_ex.start());
  // The child completes before its parent, and carries the kernel's trace id.
  const Span child = Link(linker, Exchange(ConnectionRole::kClient, Kernel(1, 11, 10, TraceLink::kThread)));
  Span server = BuiltSpan(server_ex);
  linker.Apply(server_ex.exchange(), server);

  const auto tp = *ParseTraceParent(kHeader);
  EXPECT_EQ(server.trace_id, tp.trace_id);
  EXPECT_EQ(server.parent_span_id, tp.parent_id);
  EXPECT_EQ(server.span_id, Id<8>(10));  // the kernel's: the child names it
  EXPECT_EQ(child.trace_id, tp.trace_id);
  EXPECT_EQ(child.parent_span_id, server.span_id);
  EXPECT_EQ(linker.stats().header_joined, 1u);
}

TEST(TraceLinker, PeerServerSpanIsTheChildOfTheClientSpan) {
  TraceLinker linker;
  const Span client = Link(linker, Exchange(ConnectionRole::kClient, Kernel(3, 30, 0, TraceLink::kRoot)));
  const Span server = Link(linker, Exchange(ConnectionRole::kServer, Kernel(3, 31, 30, TraceLink::kPeer)));
  EXPECT_EQ(server.trace_id, client.trace_id);
  EXPECT_EQ(server.parent_span_id, client.span_id);
  EXPECT_EQ(linker.stats().peer_parent, 1u);
}

TEST(TraceLinker, ProgramsOwnTraceparentOnAClientRequestIsKept) {
  TraceLinker linker;
  const Span client = Link(linker, Exchange(ConnectionRole::kClient, Kernel(1, 11, 10, TraceLink::kThread), kHeader));
  const auto tp = *ParseTraceParent(kHeader);
  EXPECT_EQ(client.trace_id, tp.trace_id);
  EXPECT_EQ(client.span_id, tp.parent_id);
}

TEST(TraceLinker, AmbiguousClientIsARootAndCounted) {
  TraceLinker linker;
  const Span client = Link(linker, Exchange(ConnectionRole::kClient, Kernel(5, 50, 0, TraceLink::kAmbiguous)));
  EXPECT_FALSE(client.has_parent());
  EXPECT_EQ(linker.stats().ambiguous, 1u);
}

TEST(TraceLinker, AReusedTraceparentStopsJoiningPastTheLimit) {
  TraceLinker linker;
  const auto tp = *ParseTraceParent(kHeader);
  size_t joined = 0;
  for (uint32_t i = 0; i < TraceLinker::kMaxJoinsPerParent + 10; ++i) {
    const uint8_t seed = static_cast<uint8_t>(i);
    const Span server =
        Link(linker, Exchange(ConnectionRole::kServer, Kernel(seed, seed, 0, TraceLink::kRoot), kHeader));
    if (server.trace_id == tp.trace_id) {
      ++joined;
      EXPECT_EQ(server.parent_span_id, tp.parent_id);
    } else {
      EXPECT_EQ(server.trace_id, Id<16>(seed));
      EXPECT_FALSE(server.has_parent());
    }
  }
  EXPECT_EQ(joined, TraceLinker::kMaxJoinsPerParent);
  EXPECT_EQ(linker.stats().reused_traceparent, 10u);
}

TEST(TraceLinker, ChildrenOfARefusedJoinStayInTheServersOwnTrace) {
  TraceLinker linker;
  for (uint32_t i = 0; i < TraceLinker::kMaxJoinsPerParent; ++i)
    Link(linker, Exchange(ConnectionRole::kServer, Kernel(100, static_cast<uint8_t>(i), 0, TraceLink::kRoot), kHeader));
  const TestExchange refused = Exchange(ConnectionRole::kServer, Kernel(7, 70, 0, TraceLink::kRoot), kHeader);
  linker.OnRequest(refused.start());
  const Span child = Link(linker, Exchange(ConnectionRole::kClient, Kernel(7, 71, 70, TraceLink::kThread)));
  Span server = BuiltSpan(refused);
  linker.Apply(refused.exchange(), server);
  EXPECT_EQ(server.trace_id, Id<16>(7));
  EXPECT_EQ(child.trace_id, Id<16>(7));
  EXPECT_EQ(child.parent_span_id, server.span_id);
}

}  // namespace
}  // namespace zerotrace
