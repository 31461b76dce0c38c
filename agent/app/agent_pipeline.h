// One pipeline set-up, shared by the live agent and --replay: the sink the
// configuration asks for, the process registry, the span builder and the
// pipeline, with every registered protocol (agent/protocols/registry.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "agent/config/agent_config.h"
#include "agent/pipeline.h"
#include "agent/process/process_registry.h"
#include "agent/span/span_builder.h"
#include "exporter/span_sink_factory.h"

namespace zerotrace {

// What differs between a live run and a replay.
struct PipelineSetup {
  ProcessRegistryOptions registry;  // overrides from the config are added
  int64_t monotonic_to_unix_offset_ns = 0;
  uint32_t self_tgid = 0;           // 0: no process is the agent itself
  std::string exe_regex;
  Pipeline::IgnoreProcess ignore_process;
};

// Members in construction order: the pipeline refers to all the others.
struct AgentPipeline {
  OutputConfig output;
  std::unique_ptr<SpanSink> sink;
  std::unique_ptr<ProcessRegistry> processes;
  std::unique_ptr<SpanBuilder> builder;
  std::unique_ptr<Pipeline> pipeline;
};

// Throws std::runtime_error with a one-line reason when the sink cannot be made.
AgentPipeline MakeAgentPipeline(const AgentConfig& config, PipelineSetup setup);

}  // namespace zerotrace
