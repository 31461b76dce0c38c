#include "agent/pipeline.h"

#include <variant>

#include "agent/events/event_decoder.h"
#include "agent/model/span_pool.h"

namespace zerotrace {

Pipeline::Pipeline(ProcessSelector selector, ProcessRegistry& processes, SpanBuilder& builder,
                   SpanSink& sink, SessionFactory sessions, IgnoreProcess ignore_process)
    : selector_(std::move(selector)),
      processes_(processes),
      builder_(builder),
      sink_(sink),
      ignore_process_(std::move(ignore_process)),
      tracker_(std::move(sessions), *this) {}

void Pipeline::OnRequest(const RequestStart& request) {
  linker_.OnRequest(request);
  sdk_processes_.OnRequest(request);
}

void Pipeline::OnRecord(std::span<const uint8_t> record) {
  ++stats_.records;
  DecodedEvent event = DecodeEvent(record);
  if (const auto* data = std::get_if<DataEventView>(&event)) {
    uint32_t tgid = data->header->conn.tgid;
    bool first_time = false;
    if (!selector_.Wanted(tgid, &first_time)) {
      ++stats_.filtered_events;
      if (ignore_process_) ignore_process_(tgid, data->header->conn.fd);
      return;
    }
    // Read the process's identity now: a short-lived client (curl) may be
    // gone by the time its response completes.
    if (first_time) processes_.ResourceFor(tgid);
    tracker_.OnData(*data);
  } else if (const auto* close = std::get_if<CloseEventView>(&event)) {
    tracker_.OnClose(*close->event);
  } else if (const auto* process = std::get_if<ProcessEventView>(&event)) {
    OnProcessEvent(*process->event);
  } else {
    ++stats_.malformed_records;
  }
}

void Pipeline::OnExchange(const Exchange& exchange) {
  if (exchange.self_traffic) {
    ++stats_.self_exchanges;
    return;
  }
  if (sdk_processes_.ReportsOwnSpans(exchange.connection.key.tgid)) return;
  ++stats_.spans;
  SpanPool* pool = sink_.span_pool();
  Span span = pool ? pool->Take() : Span{};
  builder_.BuildInto(exchange, processes_.ResourceFor(exchange.connection.key.tgid), span);
  linker_.Apply(exchange, span);
  sink_.Consume(std::move(span));
}

void Pipeline::OnProcessEvent(const zt_process_event& event) {
  const uint32_t tgid = event.tgid;
  if (event.type == ZT_EVENT_EXIT) {
    ++stats_.exits;
    // Its open exchanges end now, while its identity is still cached.
    tracker_.ForgetProcess(tgid);
  } else {
    ++stats_.execs;
  }
  // Either way what was learnt of the pid no longer holds.
  processes_.Forget(tgid);
  sdk_processes_.Forget(tgid);
  selector_.Forget(tgid);
  if (event.type == ZT_EVENT_EXEC && on_exec_) on_exec_(tgid);
}

void Pipeline::Tick(uint64_t now_monotonic_ns, uint64_t now_unix_ns) {
  tracker_.Expire(now_monotonic_ns);
  sink_.Tick(now_unix_ns);
}

}  // namespace zerotrace
