#include "agent/events/event_decoder.h"

namespace zerotrace {

DecodedEvent DecodeEvent(std::span<const uint8_t> record) {
  if (record.size() < sizeof(uint32_t)) return std::monostate{};
  // Records come from the ring buffer 8-byte aligned, so a typed view is safe.
  uint32_t type = *reinterpret_cast<const uint32_t*>(record.data());
  switch (type) {
    case ZT_EVENT_DATA: {
      if (record.size() < sizeof(zt_data_event_header)) return std::monostate{};
      const auto* hdr = reinterpret_cast<const zt_data_event_header*>(record.data());
      size_t available = record.size() - sizeof(zt_data_event_header);
      if (hdr->captured > available || hdr->captured > ZT_MAX_CAPTURE ||
          hdr->captured > hdr->msg_size || hdr->direction > ZT_DIR_INGRESS)
        return std::monostate{};
      return DataEventView{hdr, record.subspan(sizeof(zt_data_event_header), hdr->captured)};
    }
    case ZT_EVENT_CLOSE:
      if (record.size() < sizeof(zt_close_event)) return std::monostate{};
      return CloseEventView{reinterpret_cast<const zt_close_event*>(record.data())};
    case ZT_EVENT_EXEC:
    case ZT_EVENT_EXIT:
      if (record.size() < sizeof(zt_process_event)) return std::monostate{};
      return ProcessEventView{reinterpret_cast<const zt_process_event*>(record.data())};
    default:
      return std::monostate{};
  }
}

}  // namespace zerotrace
