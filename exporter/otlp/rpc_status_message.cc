#include "exporter/otlp/rpc_status_message.h"

#include <google/protobuf/unknown_field_set.h>

namespace zerotrace::otlp {

namespace {
constexpr int kStatusMessageField = 2;  // google/rpc/status.proto
}

std::optional<std::string> RpcStatusMessage(const std::string& serialized_status) {
  google::protobuf::UnknownFieldSet status;
  if (serialized_status.empty() || !status.ParseFromString(serialized_status)) return std::nullopt;
  for (int i = 0; i < status.field_count(); ++i) {
    const google::protobuf::UnknownField& field = status.field(i);
    if (field.number() == kStatusMessageField &&
        field.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED &&
        !field.length_delimited().empty())
      return field.length_delimited();
  }
  return std::nullopt;
}

}  // namespace zerotrace::otlp
