#include "agent/app/agent_pipeline.h"

#include "agent/protocols/registry.h"

namespace zerotrace {
namespace {

OutputConfig ResolveOutput(const AgentConfig& config) {
  OutputConfig out;
  out.kind = config.output == OutputKind::kJson   ? OutputConfig::kJson
             : config.output == OutputKind::kOtlp ? OutputConfig::kOtlp
                                                  : OutputConfig::kConsole;
  out.json_path = config.output_file;
  out.otlp = config.otlp;
  out.stats = std::make_shared<ExporterStats>();
  return out;
}

}  // namespace

AgentPipeline MakeAgentPipeline(const AgentConfig& config, PipelineSetup setup) {
  AgentPipeline p;
  p.output = ResolveOutput(config);
  p.sink = MakeSpanSink(p.output);  // throws a one-line reason
  setup.registry.overrides.service_name = config.service_name;
  setup.registry.overrides.attributes = config.resource_attributes;
  p.processes = std::make_unique<ProcessRegistry>(std::move(setup.registry));
  SpanBuilderOptions builder_options;
  builder_options.redact_query_values = !config.keep_query_values;
  p.builder = std::make_unique<SpanBuilder>(setup.monotonic_to_unix_offset_ns, builder_options);
  p.pipeline = std::make_unique<Pipeline>(ProcessSelector(setup.self_tgid, config.pids, setup.exe_regex),
                                          *p.processes, *p.builder, *p.sink, &protocols::NewSession,
                                          std::move(setup.ignore_process));
  return p;
}

}  // namespace zerotrace
