// The agent's metric families: names and types follow Prometheus
// conventions, every line is valid text format 0.0.4, and each value comes
// from the snapshot field it names.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "agent/telemetry/agent_metrics.h"

namespace zerotrace::telemetry {
namespace {

AgentSnapshot DistinctValues() {
  AgentSnapshot s;
  s.pipeline.records = 101;
  s.kernel.events_lost = 102;
  s.pipeline.malformed_records = 103;
  s.reorder.stale = 104;
  s.pipeline.filtered_events = 105;
  s.kernel.connections_tracked = 106;
  s.kernel.connections_ignored = 107;
  s.kernel.connection_table_full = 108;
  s.tracker.connections_opened = 109;
  s.tracker.connections_closed = 110;
  s.tracker.connections_expired = 111;
  s.tracker.connections_evicted = 112;
  s.open_connections = 113;
  ProtocolStats http1;
  http1.exchanges = 114;
  http1.unpaired_requests = 115;
  http1.unpaired_responses = 116;
  http1.messages = 117;
  http1.garbage_chunks = 118;
  http1.resyncs = 119;
  s.protocols.push_back({"http1", http1});
  s.pipeline.self_exchanges = 120;
  s.pipeline.spans = 121;
  s.exporter = {122, 123, 124, 125, 126};  // exported, dropped, failed, rejected, retries
  s.export_queue_spans = 127;
  s.links.thread_parent = 128;
  s.links.peer_parent = 129;
  s.links.header_joined = 130;
  s.links.root = 131;
  s.links.ambiguous = 132;
  s.links.reused_traceparent = 133;
  s.links.no_kernel_context = 134;
  s.kernel.traceparents_injected = 135;
  s.kernel.injections_skipped = 136;
  s.resident_memory_bytes = 137;
  return s;
}

std::string Render(const AgentSnapshot& snapshot, const std::vector<probes::ProgramAttachment>& probes,
                   bool ready = true) {
  return RenderPrometheusText(AgentMetricFamilies({snapshot, probes, ready, "9.8.7"}));
}

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(AgentMetrics, EveryValueComesFromItsSnapshotField) {
  const std::string text = Render(DistinctValues(), {});
  for (const char* line : {
           "zerotrace_events_read_total 101",
           "zerotrace_events_lost_total 102",
           "zerotrace_events_dropped_total{reason=\"malformed\"} 103",
           "zerotrace_events_dropped_total{reason=\"out_of_order\"} 104",
           "zerotrace_events_filtered_total 105",
           "zerotrace_kernel_connections_classified_total{verdict=\"traced\"} 106",
           "zerotrace_kernel_connections_classified_total{verdict=\"ignored\"} 107",
           "zerotrace_kernel_connection_table_full_total 108",
           "zerotrace_connections_opened_total 109",
           "zerotrace_connections_ended_total{reason=\"closed\"} 110",
           "zerotrace_connections_ended_total{reason=\"expired\"} 111",
           "zerotrace_connections_ended_total{reason=\"evicted\"} 112",
           "zerotrace_connections_tracked 113",
           "zerotrace_exchanges_total{protocol=\"http1\"} 114",
           "zerotrace_unpaired_total{protocol=\"http1\",message=\"request\"} 115",
           "zerotrace_unpaired_total{protocol=\"http1\",message=\"response\"} 116",
           "zerotrace_messages_parsed_total{protocol=\"http1\"} 117",
           "zerotrace_parse_errors_total{protocol=\"http1\",kind=\"garbage_chunk\"} 118",
           "zerotrace_parse_errors_total{protocol=\"http1\",kind=\"resync\"} 119",
           "zerotrace_self_exchanges_skipped_total 120",
           "zerotrace_spans_built_total 121",
           "zerotrace_spans_exported_total 122",
           "zerotrace_spans_dropped_total 123",
           "zerotrace_spans_failed_total 124",
           "zerotrace_spans_rejected_total 125",
           "zerotrace_export_retries_total 126",
           "zerotrace_export_queue_spans 127",
           "zerotrace_trace_links_total{outcome=\"thread_parent\"} 128",
           "zerotrace_trace_links_total{outcome=\"peer_parent\"} 129",
           "zerotrace_trace_links_total{outcome=\"header_joined\"} 130",
           "zerotrace_trace_links_total{outcome=\"root\"} 131",
           "zerotrace_trace_links_total{outcome=\"ambiguous\"} 132",
           "zerotrace_trace_links_total{outcome=\"reused_traceparent\"} 133",
           "zerotrace_trace_links_total{outcome=\"no_kernel_context\"} 134",
           "zerotrace_traceparents_injected_total 135",
           "zerotrace_traceparent_injections_skipped_total 136",
           "zerotrace_resident_memory_bytes 137",
           "zerotrace_ready 1",
           "zerotrace_build_info{version=\"9.8.7\"} 1",
       })
    EXPECT_TRUE(HasLine(text, line)) << "missing: " << line << "\n" << text;
}

TEST(AgentMetrics, ProbeAttachStatusPerProgram) {
  const std::string text =
      Render({}, {{"tp_enter_write", true}, {"zt_sockops", false}, {"odd\"name", true}}, false);
  EXPECT_TRUE(HasLine(text, "zerotrace_probe_attached{program=\"tp_enter_write\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "zerotrace_probe_attached{program=\"zt_sockops\"} 0")) << text;
  EXPECT_TRUE(HasLine(text, "zerotrace_probe_attached{program=\"odd\\\"name\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "zerotrace_ready 0")) << text;
}

// Every line is a HELP, a TYPE, or a sample of the family just described;
// names are zerotrace_*, counters end in _total, gauges do not; no family
// appears twice.
TEST(AgentMetrics, OutputIsValidTextFormatWithPrefixedNames) {
  const std::string text = Render(DistinctValues(), {{"tp_exit_read", true}});
  const std::regex help(R"(# HELP (zerotrace_[a-zA-Z0-9_]+) \S.*)");
  const std::regex type(R"(# TYPE (zerotrace_[a-zA-Z0-9_]+) (counter|gauge))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")"
      R"((?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? [0-9]+)");
  std::istringstream lines(text);
  std::string line, family, family_type;
  std::set<std::string> seen;
  int samples = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      family = m[1];
      EXPECT_TRUE(seen.insert(family).second) << "described twice: " << family;
      family_type.clear();
    } else if (std::regex_match(line, m, type)) {
      EXPECT_EQ(m[1], family) << "TYPE without its HELP first: " << line;
      family_type = m[2];
      const bool total = family.size() > 6 && family.compare(family.size() - 6, 6, "_total") == 0;
      EXPECT_EQ(total, family_type == "counter") << family << " is a " << family_type;
    } else if (std::regex_match(line, m, sample)) {
      EXPECT_EQ(m[1], family) << "sample outside its family: " << line;
      EXPECT_FALSE(family_type.empty()) << "sample before TYPE: " << line;
      ++samples;
    } else {
      ADD_FAILURE() << "not a valid exposition line: " << line;
    }
  }
  EXPECT_GE(samples, 40);
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace zerotrace::telemetry
