#include "exporter/span_sink_factory.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "exporter/console/console_sink.h"
#include "exporter/jsonl/jsonl_sink.h"
#include "exporter/otlp/batch_span_processor.h"
#include "tests/unit/exporter/test_spans.h"

namespace zerotrace {
namespace {

TEST(MakeSpanSink, ConsoleIsTheDefault) {
  auto sink = MakeSpanSink(OutputConfig{});
  EXPECT_NE(dynamic_cast<console::ConsoleSink*>(sink.get()), nullptr);
}

TEST(MakeSpanSink, JsonWritesToTheGivenFileAndCountsIntoSharedStats) {
  const auto path = std::filesystem::temp_directory_path() / "zt_factory_test.jsonl";
  std::filesystem::remove(path);
  OutputConfig config;
  config.kind = OutputConfig::kJson;
  config.json_path = path.string();
  config.stats = std::make_shared<ExporterStats>();
  auto sink = MakeSpanSink(config);
  ASSERT_NE(dynamic_cast<jsonl::JsonLinesSink*>(sink.get()), nullptr);
  sink->Consume(testing::MakeHttpSpan(1, 1, nullptr));
  sink->Shutdown();
  EXPECT_EQ(config.stats->Snapshot().exported, 1u);
  EXPECT_GT(std::filesystem::file_size(path), 0u);
  std::filesystem::remove(path);
}

TEST(MakeSpanSink, OtlpNeedsAUrl) {
  OutputConfig config;
  config.kind = OutputConfig::kOtlp;
  EXPECT_THROW(MakeSpanSink(config), std::invalid_argument);
}

TEST(MakeSpanSink, OtlpIsABatchSpanProcessor) {
  OutputConfig config;
  config.kind = OutputConfig::kOtlp;
  config.otlp.endpoint = "http://127.0.0.1:1/v1/traces";
  auto sink = MakeSpanSink(config);
  EXPECT_NE(dynamic_cast<otlp::BatchSpanProcessor*>(sink.get()), nullptr);
  sink->Shutdown();  // nothing queued: returns at once
}

TEST(MakeSpanSink, OtlpOverGrpcIsABatchSpanProcessor) {
  OutputConfig config;
  config.kind = OutputConfig::kOtlp;
  config.otlp.protocol = otlp::OtlpProtocol::kGrpc;
  config.otlp.endpoint = "http://127.0.0.1:1";
  auto sink = MakeSpanSink(config);
  EXPECT_NE(dynamic_cast<otlp::BatchSpanProcessor*>(sink.get()), nullptr);
  EXPECT_EQ(DescribeOutput(config), "OTLP grpc to http://127.0.0.1:1");
  sink->Shutdown();
}

}  // namespace
}  // namespace zerotrace
