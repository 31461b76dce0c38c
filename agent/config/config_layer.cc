// Stacking configuration layers: a higher source's settings win field by field.
#include "agent/config/config_layer.h"

#include <algorithm>

namespace zerotrace {
namespace {

template <typename T>
void Take(const std::optional<T>& higher, std::optional<T>* base) {
  if (higher) *base = higher;
}

void MergeByKey(const ResourceAttributePairs& higher, ResourceAttributePairs* base) {
  for (const auto& [key, value] : higher) {
    auto same_key = std::find_if(base->begin(), base->end(),
                                 [&key = key](const auto& pair) { return pair.first == key; });
    if (same_key != base->end()) {
      same_key->second = value;
    } else {
      base->emplace_back(key, value);
    }
  }
}

}  // namespace

void Overlay(const ConfigLayer& higher, ConfigLayer* base) {
  Take(higher.output, &base->output);
  Take(higher.output_file, &base->output_file);
  Take(higher.pids, &base->pids);
  Take(higher.ports, &base->ports);
  Take(higher.exe_regex, &base->exe_regex);
  Take(higher.verbose, &base->verbose);
  Take(higher.keep_query_values, &base->keep_query_values);
  Take(higher.inject_traceparent, &base->inject_traceparent);
  Take(higher.ring_buffer_mb, &base->ring_buffer_mb);
  Take(higher.ring_buffer_wakeup_kb, &base->ring_buffer_wakeup_kb);
  Take(higher.stats_interval_s, &base->stats_interval_s);
  Take(higher.stats_file, &base->stats_file);
  Take(higher.telemetry_enabled, &base->telemetry_enabled);
  Take(higher.telemetry_address, &base->telemetry_address);
  Take(higher.record_file, &base->record_file);
  Take(higher.record_max_mb, &base->record_max_mb);
  Take(higher.replay_file, &base->replay_file);

  Take(higher.sdk_disabled, &base->sdk_disabled);
  Take(higher.service_name, &base->service_name);
  if (higher.resource_attributes) {
    if (!base->resource_attributes) base->resource_attributes.emplace();
    MergeByKey(*higher.resource_attributes, &*base->resource_attributes);
  }

  Take(higher.endpoint, &base->endpoint);
  Take(higher.protocol, &base->protocol);
  Take(higher.headers, &base->headers);
  Take(higher.compression, &base->compression);
  Take(higher.timeout, &base->timeout);
  Take(higher.certificate, &base->certificate);
  Take(higher.insecure, &base->insecure);

  Take(higher.max_queue_size, &base->max_queue_size);
  Take(higher.max_export_batch_size, &base->max_export_batch_size);
  Take(higher.schedule_delay, &base->schedule_delay);
  Take(higher.export_timeout, &base->export_timeout);
}

bool ImplyJsonForOutputFile(ConfigLayer* layer) {
  if (!layer->output_file || layer->output_file->empty()) return true;
  if (!layer->output) layer->output = OutputKind::kJson;
  return *layer->output == OutputKind::kJson;
}

}  // namespace zerotrace
