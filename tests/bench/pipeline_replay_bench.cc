// Userspace pipeline throughput: a recording of raw kernel events (--record
// FILE, or one synthesised here) replayed through connection tracker →
// HTTP/1.x parser → span builder → OTLP protobuf encoding, as spans/s per
// core (items_per_second; CPU time of this thread).
//
//   ZT_REPLAY_RECORDING=FILE  replay that recording (e.g. wrk against nginx,
//                             recorded by scripts/bench-replay.sh)
//   otherwise                 a synthesised one: wrk-like keep-alive clients
//                             against an nginx-like server, both traced
//
// BM_ReplayStages drives the stages directly (what the agent's hot path
// must cost); BM_ReplayAgentPipeline goes through the agent's Pipeline
// class as `--replay` does (adds the trace linker, process selection and
// registry, one Span moved per exchange).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/connection/connection_tracker.h"
#include "agent/events/event_decoder.h"
#include "agent/events/recorded_resources.h"
#include "agent/events/recording_reader.h"
#include "agent/events/recording_replay.h"
#include "agent/events/recording_writer.h"
#include "agent/pipeline.h"
#include "agent/protocols/registry.h"
#include "agent/span/span_builder.h"
#include "exporter/otlp/otlp_encoder.h"
#include "tests/testing/event_generator.h"

namespace zerotrace {
namespace {

constexpr size_t kBatch = 512;  // the OTLP batch span processor's default
constexpr uint64_t kUs = 1000;

// What wrk sends and nginx answers for its default page (headers and the
// start of the body; the kernel side captures at most ZT_MAX_CAPTURE bytes).
const std::string kRequest =
    "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n";
std::string NginxResponse() {
  std::string body(615, 'x');
  return "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 23 Nov 2025 16:00:00 GMT\r\n"
         "Content-Type: text/html\r\nContent-Length: 615\r\nLast-Modified: Mon, 10 Nov 2025 "
         "10:00:00 GMT\r\nConnection: keep-alive\r\nETag: \"6911b7c0-267\"\r\nAccept-Ranges: "
         "bytes\r\n\r\n" + body;
}

// Gives a request's first event the trace context the kernel side would:
// client spans start traces, server spans are their same-host children.
void SetTraceContext(testing::GeneratedEvent& event, uint64_t n, bool server) {
  auto* header = reinterpret_cast<zt_data_event_header*>(event.record.data());
  std::memcpy(header->trace.trace_id, &n, sizeof(n));
  header->trace.trace_id[15] = 1;
  uint64_t client_span = n * 2 + 1, server_span = n * 2 + 2;
  std::memcpy(header->trace.span_id, server ? &server_span : &client_span, 8);
  if (server) std::memcpy(header->trace.parent_span_id, &client_span, 8);
  header->trace.link = server ? ZT_LINK_PEER : ZT_LINK_ROOT;
}

// wrk (pid = our parent, so /proc knows it) with `connections` keep-alive
// connections to nginx (pid = us), `requests` requests on each.
std::string SynthesiseRecording(int connections, int requests) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("zt_replay_bench_" + std::to_string(getpid()) + ".rec"))
                               .string();
  const uint32_t server_pid = static_cast<uint32_t>(getpid());
  const uint32_t client_pid = static_cast<uint32_t>(getppid());
  std::string error;
  auto writer = RecordingWriter::Create(path, RecordingInfo{.monotonic_to_unix_offset_ns = 1'763'900'000'000'000'000,
                                                            .start_monotonic_ns = 1'000'000'000,
                                                            .recorder_pid = 1,
                                                            .host_name = "bench",
                                                            .agent_version = ZEROTRACE_VERSION},
                                        1ull << 40, &error);
  if (!writer) {
    std::fprintf(stderr, "pipeline_replay_bench: %s\n", error.c_str());
    std::exit(1);
  }
  ProcessResourceRecorder recorder(*writer, [](uint32_t tgid) {
    auto r = std::make_shared<Resource>();
    r->pid = tgid;
    r->service_name = tgid == static_cast<uint32_t>(getpid()) ? "nginx" : "wrk";
    r->attributes = {{"service.name", r->service_name},
                     {"process.pid", static_cast<int64_t>(tgid)},
                     {"process.executable.name", r->service_name},
                     {"host.name", std::string("bench")}};
    return r;
  });
  std::vector<testing::EventGenerator> servers, clients;
  for (int c = 0; c < connections; ++c) {
    servers.emplace_back(ZT_ROLE_SERVER, server_pid, 100 + c);
    clients.emplace_back(ZT_ROLE_CLIENT, client_pid, 200 + c);
  }
  const std::string response = NginxResponse();
  uint64_t t = 1'000'000'000;
  uint64_t n = 0;
  for (int r = 0; r < requests; ++r) {
    for (int c = 0; c < connections; ++c, ++n) {
      auto out = clients[c].Out(kRequest, t, t + 2 * kUs);
      SetTraceContext(out, n, false);
      auto in = servers[c].In(kRequest, t + 3 * kUs, t + 4 * kUs);
      SetTraceContext(in, n, true);
      recorder.Append(out.record, t + 5 * kUs, true);
      recorder.Append(in.record, t + 5 * kUs, true);
      recorder.Append(servers[c].Out(response, t + 10 * kUs, t + 12 * kUs).record, t + 13 * kUs, true);
      recorder.Append(clients[c].In(response, t + 13 * kUs, t + 14 * kUs).record, t + 15 * kUs, true);
      t += 15 * kUs;
    }
  }
  for (int c = 0; c < connections; ++c) {
    zt_close_event server_close = servers[c].Close(t), client_close = clients[c].Close(t);
    recorder.Append({reinterpret_cast<const uint8_t*>(&client_close), sizeof(client_close)}, t, true);
    recorder.Append({reinterpret_cast<const uint8_t*>(&server_close), sizeof(server_close)}, t, true);
  }
  writer->Finish(t);
  return path;
}

struct BenchRecording {
  std::unique_ptr<RecordingReader> reader;
  bool synthesised = false;
  std::string path;
};

RecordingReader& Recording() {
  static BenchRecording recording = [] {
    BenchRecording r;
    if (const char* given = std::getenv("ZT_REPLAY_RECORDING"); given && *given) {
      r.path = given;
    } else {
      r.path = SynthesiseRecording(64, 200);
      r.synthesised = true;
    }
    std::string error;
    r.reader = RecordingReader::Open(r.path, &error);
    if (!r.reader) {
      std::fprintf(stderr, "pipeline_replay_bench: %s\n", error.c_str());
      std::exit(1);
    }
    if (r.synthesised) std::filesystem::remove(r.path);  // the mapping keeps it readable
    return r;
  }();
  recording.reader->Rewind();
  return *recording.reader;
}

// Spans into 512-span OTLP protobuf requests, serialised, as the batch
// span processor hands them to a transport. Span slots are reused so a
// recycled Span keeps its capacity (SpanBuilder::BuildInto).
class OtlpBatchEncoder {
 public:
  OtlpBatchEncoder() : batch_(kBatch) {}
  Span& NextSlot() { return batch_[size_]; }
  void Commit() {
    ++spans_;
    if (++size_ == kBatch) Encode();
  }
  void Add(Span span) {
    NextSlot() = std::move(span);
    Commit();
  }
  void Encode() {
    if (size_ == 0) return;
    otlp::EncodeExportRequest(std::span<const Span>(batch_.data(), size_), &request_);
    request_.SerializeToString(&body_);
    bytes_ += body_.size();
    benchmark::DoNotOptimize(body_.data());
    size_ = 0;
  }
  uint64_t spans() const { return spans_; }
  uint64_t bytes() const { return bytes_; }

 private:
  std::vector<Span> batch_;
  size_t size_ = 0;
  uint64_t spans_ = 0, bytes_ = 0;
  otlp::ExportTraceServiceRequest request_;
  std::string body_;
};

class EncodingSink : public SpanSink {
 public:
  explicit EncodingSink(OtlpBatchEncoder& encoder) : encoder_(encoder) {}
  void Consume(Span span) override { encoder_.Add(std::move(span)); }
  void Shutdown() override { encoder_.Encode(); }

 private:
  OtlpBatchEncoder& encoder_;
};

void Report(benchmark::State& state, const OtlpBatchEncoder& encoder, uint64_t events) {
  state.SetItemsProcessed(static_cast<int64_t>(encoder.spans()));
  state.counters["spans_per_replay"] = static_cast<double>(encoder.spans()) / state.iterations();
  state.counters["events_per_span"] = static_cast<double>(events) / std::max<uint64_t>(1, encoder.spans());
  state.counters["otlp_bytes_per_span"] =
      static_cast<double>(encoder.bytes()) / std::max<uint64_t>(1, encoder.spans());
}

void BM_ReplayStages(benchmark::State& state) {
  OtlpBatchEncoder encoder;
  uint64_t events = 0;
  for (auto _ : state) {
    RecordingReader& reader = Recording();
    std::unordered_map<uint32_t, std::shared_ptr<const Resource>> resources;
    const SpanBuilder builder(reader.info().monotonic_to_unix_offset_ns);
    // Every stage but the linker and the process registry.
    struct Stages : ExchangeHandler {
      std::unordered_map<uint32_t, std::shared_ptr<const Resource>>& resources;
      const SpanBuilder& builder;
      OtlpBatchEncoder& encoder;
      Stages(std::unordered_map<uint32_t, std::shared_ptr<const Resource>>& r, const SpanBuilder& b,
             OtlpBatchEncoder& e)
          : resources(r), builder(b), encoder(e) {}
      void OnRequest(const RequestStart&) override {}
      void OnExchange(const Exchange& exchange) override {
        auto it = resources.find(exchange.connection.key.tgid);
        if (it == resources.end()) {
          auto unknown = std::make_shared<Resource>();
          unknown->pid = exchange.connection.key.tgid;
          unknown->service_name = "unknown_service";
          it = resources.emplace(unknown->pid, std::move(unknown)).first;
        }
        builder.BuildInto(exchange, it->second, encoder.NextSlot());
        encoder.Commit();
      }
    } stages(resources, builder, encoder);
    ConnectionTracker tracker(&protocols::NewSession, stages);
    ReplayHandlers handlers;
    handlers.on_event = [&](std::span<const uint8_t> record) {
      ++events;
      DecodedEvent event = DecodeEvent(record);
      if (const auto* data = std::get_if<DataEventView>(&event)) {
        tracker.OnData(*data);
      } else if (const auto* close = std::get_if<CloseEventView>(&event)) {
        tracker.OnClose(*close->event);
      } else if (const auto* process = std::get_if<ProcessEventView>(&event)) {
        if (process->exited()) tracker.ForgetProcess(process->event->tgid);
      }
    };
    handlers.on_tick = [&](uint64_t now, uint64_t) { tracker.Expire(now); };
    handlers.on_process_resource = [&](std::shared_ptr<const Resource> r) {
      const uint32_t pid = r->pid;
      resources[pid] = std::move(r);
    };
    ReplayRecording(reader, handlers);
    encoder.Encode();
  }
  Report(state, encoder, events);
}
BENCHMARK(BM_ReplayStages)->Unit(benchmark::kMillisecond);

void BM_ReplayAgentPipeline(benchmark::State& state) {
  OtlpBatchEncoder encoder;
  uint64_t events = 0;
  for (auto _ : state) {
    RecordingReader& reader = Recording();
    EncodingSink encoding(encoder);
    ProcessRegistry processes(ProcessRegistryOptions{.proc_root = "/dev/null/none", .host_name = "bench"});
    SpanBuilder builder(reader.info().monotonic_to_unix_offset_ns);
    Pipeline pipeline(ProcessSelector(0, {}, ""), processes, builder, encoding, &protocols::NewSession,
                      nullptr);
    ReplayHandlers handlers;
    handlers.on_event = [&](std::span<const uint8_t> record) {
      ++events;
      pipeline.OnRecord(record);
    };
    handlers.on_tick = [&](uint64_t now, uint64_t now_unix) { pipeline.Tick(now, now_unix); };
    handlers.on_process_resource = [&](std::shared_ptr<const Resource> r) {
      const uint32_t pid = r->pid;
      processes.Remember(pid, std::move(r));
    };
    handlers.on_clock_offset = [&](int64_t offset) { builder.set_monotonic_to_unix_offset_ns(offset); };
    ReplayRecording(reader, handlers);
    encoding.Shutdown();
  }
  Report(state, encoder, events);
}
BENCHMARK(BM_ReplayAgentPipeline)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zerotrace

BENCHMARK_MAIN();
