// Replaying a recording: time comes from the recording (ticks follow the
// recorded receive times), process identity comes from the recording, and a
// replay through the pipeline gives the spans the live run gave.
#include "agent/events/recording_replay.h"

#include <gtest/gtest.h>

#include <vector>

#include "agent/events/recorded_resources.h"
#include "agent/events/recording_writer.h"
#include "agent/events/resource_codec.h"
#include "agent/pipeline.h"
#include "agent/protocols/registry.h"
#include "tests/testing/event_generator.h"
#include "tests/unit/events/recording_test_support.h"

namespace zerotrace {
namespace {

using testing::EventGenerator;
using testing::Get;
using testing::Ok;
using testing::TempPath;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kNoLimit = 1ull << 40;

struct CollectingSink : SpanSink {
  void Consume(Span span) override { spans.push_back(std::move(span)); }
  void Tick(uint64_t now_unix_ns) override { ticks.push_back(now_unix_ns); }
  void Shutdown() override { shut_down = true; }
  std::vector<Span> spans;
  std::vector<uint64_t> ticks;
  bool shut_down = false;
};

std::unique_ptr<RecordingWriter> NewWriter(const TempPath& path, int64_t offset_ns = 0) {
  std::string error;
  auto writer = RecordingWriter::Create(path.str(), RecordingInfo{.monotonic_to_unix_offset_ns = offset_ns,
                                                                   .host_name = "h",
                                                                   .agent_version = "t"},
                                        kNoLimit, &error);
  EXPECT_TRUE(writer) << error;
  return writer;
}

std::unique_ptr<RecordingReader> OpenReader(const TempPath& path) {
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  EXPECT_TRUE(reader) << error;
  return reader;
}

TEST(RecordingReplay, TicksFollowRecordedTimeNotReplaySpeed) {
  TempPath path;
  EventGenerator client(ZT_ROLE_CLIENT, 9);
  auto record = client.Out(Get("/x"), 1, 2).record;
  {
    auto writer = NewWriter(path, 1000);
    writer->AppendEvent(1000 * kMs, record);
    writer->AppendEvent(1050 * kMs, record);  // no tick due yet
    writer->AppendEvent(1250 * kMs, record);  // two boundaries passed
    writer->AppendEvent(9000 * kMs, record);  // a long idle stretch
    writer->Finish(9030 * kMs);
  }
  auto reader = OpenReader(path);
  std::vector<std::pair<uint64_t, uint64_t>> ticks;
  std::vector<uint64_t> events_at_tick;
  uint64_t events = 0;
  ReplayHandlers handlers;
  handlers.on_event = [&](std::span<const uint8_t>) { ++events; };
  handlers.on_tick = [&](uint64_t now, uint64_t now_unix) {
    ticks.emplace_back(now, now_unix);
    events_at_tick.push_back(events);
  };
  ReplaySummary summary = ReplayRecording(*reader, handlers);
  EXPECT_EQ(summary.events, 4u);
  EXPECT_TRUE(summary.ended_cleanly);
  EXPECT_EQ(summary.problem, "");
  std::vector<uint64_t> tick_times;
  for (auto& [now, unix_ns] : ticks) {
    tick_times.push_back(now / kMs);
    EXPECT_EQ(unix_ns, now + 1000) << "unix time from the recorded clock offset";
  }
  // 1100 and 1200 before the third event; 1300 (just after the last activity)
  // and 9000 (the last boundary, not after it) before the fourth; the final tick at the end.
  EXPECT_EQ(tick_times, (std::vector<uint64_t>{1100, 1200, 1300, 9000, 9030}));
  EXPECT_EQ(events_at_tick, (std::vector<uint64_t>{2, 2, 3, 3, 4}));
}

TEST(RecordingReplay, RecordedClockOffsetChangesApplyFromThereOn) {
  TempPath path;
  EventGenerator client(ZT_ROLE_CLIENT, 9);
  auto record = client.Out(Get("/x"), 1, 2).record;
  {
    auto writer = NewWriter(path, 5);
    writer->AppendEvent(100 * kMs, record);
    writer->AppendClockOffset(150 * kMs, 7);
    writer->AppendEvent(250 * kMs, record);
    writer->Finish(250 * kMs);
  }
  auto reader = OpenReader(path);
  std::vector<int64_t> offsets;
  std::vector<uint64_t> unix_ticks;
  ReplayHandlers handlers;
  handlers.on_clock_offset = [&](int64_t offset) { offsets.push_back(offset); };
  handlers.on_tick = [&](uint64_t, uint64_t now_unix) { unix_ticks.push_back(now_unix); };
  ReplayRecording(*reader, handlers);
  EXPECT_EQ(offsets, (std::vector<int64_t>{7}));
  ASSERT_FALSE(unix_ticks.empty());
  EXPECT_EQ(unix_ticks.back(), 250 * kMs + 7);
}

TEST(RecordingReplay, MalformedResourceIsSkippedAndReported) {
  TempPath path;
  {
    auto writer = NewWriter(path);
    Resource good;
    good.pid = 3;
    writer->AppendProcessResource(1, good);
    writer->Finish(2);
  }
  auto bytes = testing::ReadBytes(path.str());
  // The resource's service name length (after the 16-byte entry header and
  // the pid) now claims far more than the entry holds.
  RecordingFileHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  bytes[header.header_bytes + sizeof(RecordingEntryHeader) + 4] = 0x7f;
  testing::WriteBytes(path.str(), bytes);
  auto reader = OpenReader(path);
  int resources = 0;
  ReplayHandlers handlers;
  handlers.on_process_resource = [&](std::shared_ptr<const Resource>) { ++resources; };
  ReplaySummary summary = ReplayRecording(*reader, handlers);
  EXPECT_EQ(resources, 0);
  EXPECT_EQ(summary.malformed_entries, 1u);
  EXPECT_NE(summary.problem.find("malformed entries skipped"), std::string::npos) << summary.problem;
}

std::shared_ptr<const Resource> NamedResource(uint32_t pid, const std::string& name) {
  auto r = std::make_shared<Resource>();
  r->pid = pid;
  r->service_name = name;
  r->attributes = {{"service.name", name}};
  return r;
}

TEST(ProcessResourceRecorder, WritesEachProcessOnceBeforeItsFirstEventAndAgainAfterExit) {
  TempPath path;
  EventGenerator server(ZT_ROLE_SERVER, 50), other(ZT_ROLE_SERVER, 60);
  int lookups = 0;
  {
    auto writer = NewWriter(path);
    ProcessResourceRecorder recorder(*writer, [&](uint32_t tgid) {
      ++lookups;
      return NamedResource(tgid, "svc-" + std::to_string(tgid) + "-" + std::to_string(lookups));
    });
    recorder.Append(server.In(Get("/a"), 1, 2).record, 10, true);
    recorder.Append(server.Out(Ok(), 3, 4).record, 11, true);
    recorder.Append(other.In(Get("/b"), 5, 6).record, 12, false);  // the pipeline dropped it
    zt_process_event exit_event{ZT_EVENT_EXIT, 50, 7};
    recorder.Append({reinterpret_cast<const uint8_t*>(&exit_event), sizeof(exit_event)}, 13, true);
    recorder.Append(server.In(Get("/c"), 8, 9).record, 14, true);  // pid 50 again: maybe new program
    writer->Finish(20);
  }
  EXPECT_EQ(lookups, 2);
  auto reader = OpenReader(path);
  std::vector<std::string> sequence;
  RecordingEntry entry;
  while (reader->Next(&entry)) {
    if (entry.kind == RecordingEntryKind::kProcessResource) {
      std::string error;
      sequence.push_back("resource " + DecodeResource(entry.payload, &error)->service_name);
    } else {
      sequence.push_back("event " + std::to_string(entry.receive_monotonic_ns));
    }
  }
  EXPECT_EQ(sequence, (std::vector<std::string>{"resource svc-50-1", "event 10", "event 11", "event 13",
                                                "resource svc-50-2", "event 14"}));
}

// The same records fed live and through a recording give the same spans.
class ReplayThroughPipeline : public ::testing::Test {
 protected:
  struct Run {
    explicit Run(SpanSink& sink)
        : processes(ProcessRegistryOptions{.proc_root = "/dev/null/none", .host_name = "h"}),
          builder(1'000'000),
          pipeline(ProcessSelector(1, {}, ""), processes, builder, sink, &protocols::NewSession, nullptr) {}
    ProcessRegistry processes;
    SpanBuilder builder;
    Pipeline pipeline;
  };

  std::vector<std::vector<uint8_t>> Traffic() {
    std::vector<std::vector<uint8_t>> records;
    EventGenerator server(ZT_ROLE_SERVER, 4242, 7), client(ZT_ROLE_CLIENT, 5151, 9);
    for (int i = 0; i < 5; ++i) {
      const uint64_t t = 1000 * kMs + i * 30 * kMs;
      records.push_back(client.Out(Get("/items/" + std::to_string(i)), t, t + 10).record);
      records.push_back(server.In(Get("/items/" + std::to_string(i)), t + 20, t + 30).record);
      records.push_back(server.Out(Ok("x", i == 3 ? 500 : 200), t + 40, t + 50).record);
      records.push_back(client.In(Ok("x", i == 3 ? 500 : 200), t + 60, t + 70).record);
    }
    return records;
  }
};

TEST_F(ReplayThroughPipeline, GivesTheSpansOfTheLiveRun) {
  const auto records = Traffic();
  CollectingSink live_sink;
  Run live(live_sink);
  TempPath path;
  {
    auto writer = NewWriter(path, live.builder.monotonic_to_unix_offset_ns());
    ProcessResourceRecorder recorder(*writer, [&](uint32_t tgid) {
      return NamedResource(tgid, tgid == 4242 ? "server" : "client");
    });
    uint64_t receive = 1000 * kMs;
    for (const auto& record : records) {
      live.pipeline.OnRecord(record);
      recorder.Append(record, receive += 5 * kMs, true);
    }
    writer->Finish(receive);
  }

  CollectingSink replay_sink;
  Run replay(replay_sink);
  auto reader = OpenReader(path);
  ReplayHandlers handlers;
  handlers.on_event = [&](std::span<const uint8_t> record) { replay.pipeline.OnRecord(record); };
  handlers.on_tick = [&](uint64_t now, uint64_t now_unix) { replay.pipeline.Tick(now, now_unix); };
  handlers.on_process_resource = [&](std::shared_ptr<const Resource> r) {
    const uint32_t pid = r->pid;
    replay.processes.Remember(pid, std::move(r));
  };
  ReplaySummary summary = ReplayRecording(*reader, handlers);
  EXPECT_EQ(summary.events, records.size());
  EXPECT_EQ(summary.process_resources, 2u);

  ASSERT_EQ(live_sink.spans.size(), 10u);
  ASSERT_EQ(replay_sink.spans.size(), live_sink.spans.size());
  for (size_t i = 0; i < live_sink.spans.size(); ++i) {
    const Span& a = live_sink.spans[i];
    const Span& b = replay_sink.spans[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.start_unix_ns, b.start_unix_ns);
    EXPECT_EQ(a.end_unix_ns, b.end_unix_ns);
    EXPECT_EQ(b.resource->service_name, b.kind == SpanKind::kServer ? "server" : "client");
  }
  EXPECT_EQ(replay_sink.spans[6].status, StatusCode::kError) << "the 500 kept its status";
}

}  // namespace
}  // namespace zerotrace
