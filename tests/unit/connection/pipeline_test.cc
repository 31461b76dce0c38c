#include "agent/pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "agent/protocols/registry.h"
#include "tests/testing/event_generator.h"

namespace zerotrace {
namespace {

using testing::EventGenerator;
using testing::Get;
using testing::Ok;

struct RecordingSink : SpanSink {
  void Consume(Span span) override { spans.push_back(std::move(span)); }
  std::vector<Span> spans;
};

std::span<const uint8_t> Record(const testing::GeneratedEvent& ev) { return ev.record; }

class PipelineTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kSelf = 1;
  std::string empty_proc = ::testing::TempDir();
  ProcessRegistry processes{ProcessRegistryOptions{.proc_root = empty_proc, .host_name = "h"}};
  SpanBuilder builder{0};
  RecordingSink sink;
  std::vector<uint32_t> ignored;
  Pipeline pipeline{ProcessSelector(kSelf, {}, ""), processes, builder, sink, &protocols::NewSession,
                    [this](uint32_t tgid, int32_t) { ignored.push_back(tgid); }};
};

TEST_F(PipelineTest, RawRecordsBecomeAServerSpan) {
  EventGenerator server(ZT_ROLE_SERVER, 4242);
  pipeline.OnRecord(Record(server.In(Get("/users/17"), 1000, 2000)));
  pipeline.OnRecord(Record(server.Out(Ok(), 3000, 5000)));
  ASSERT_EQ(sink.spans.size(), 1u);
  EXPECT_EQ(sink.spans[0].name, "GET /users/{id}");
  EXPECT_EQ(sink.spans[0].kind, SpanKind::kServer);
  EXPECT_EQ(sink.spans[0].end_unix_ns - sink.spans[0].start_unix_ns, 3000u);
  EXPECT_EQ(sink.spans[0].resource->pid, 4242u);
}

TEST_F(PipelineTest, OwnOtlpExportsArrivingAtAReceiverAreNotTraced) {
  EventGenerator receiver(ZT_ROLE_SERVER, 4343);
  std::string export_request =
      "POST /v1/traces HTTP/1.1\r\nHost: c:4318\r\nUser-Agent: zerotrace/0.1.0\r\n"
      "Content-Length: 2\r\n\r\nxx";
  pipeline.OnRecord(Record(receiver.In(export_request, 1, 2)));
  pipeline.OnRecord(Record(receiver.Out(Ok(""), 3, 4)));
  EXPECT_TRUE(sink.spans.empty());
  EXPECT_EQ(pipeline.stats().self_exchanges, 1u);
}

TEST_F(PipelineTest, MalformedRecordsAreCountedNotCrashed) {
  std::vector<uint8_t> junk = {1, 0, 0, 0, 9, 9};  // claims DATA, far too short
  pipeline.OnRecord(junk);
  EventGenerator server(ZT_ROLE_SERVER);
  auto ev = server.In(Get("/"), 1, 2);
  ev.record.resize(ev.record.size() - 3);  // fewer bytes than header->captured
  pipeline.OnRecord(Record(ev));
  EXPECT_EQ(pipeline.stats().malformed_records, 2u);
  EXPECT_TRUE(sink.spans.empty());
}

TEST_F(PipelineTest, AgentsOwnProcessIsNeverTraced) {
  EventGenerator self(ZT_ROLE_SERVER, kSelf);
  pipeline.OnRecord(Record(self.In(Get("/"), 1, 2)));
  pipeline.OnRecord(Record(self.Out(Ok(), 3, 4)));
  EXPECT_TRUE(sink.spans.empty());
  EXPECT_EQ(ignored, std::vector<uint32_t>({kSelf, kSelf}));
}

}  // namespace
}  // namespace zerotrace
