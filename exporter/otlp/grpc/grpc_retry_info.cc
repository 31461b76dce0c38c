#include "exporter/otlp/grpc/grpc_retry_info.h"

#include <google/protobuf/unknown_field_set.h>

#include <string_view>

namespace zerotrace::otlp {

namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

constexpr std::string_view kRetryInfoTypeUrl = "type.googleapis.com/google.rpc.RetryInfo";
constexpr std::chrono::milliseconds kLongestDelay = std::chrono::hours(1);

// Field numbers from google/rpc/status.proto, google/protobuf/any.proto,
// google/rpc/error_details.proto and google/protobuf/duration.proto.
constexpr int kStatusDetails = 3;
constexpr int kAnyTypeUrl = 1;
constexpr int kAnyValue = 2;
constexpr int kRetryInfoRetryDelay = 1;
constexpr int kDurationSeconds = 1;
constexpr int kDurationNanos = 2;

const UnknownField* FindField(const UnknownFieldSet& fields, int number, UnknownField::Type type) {
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    if (field.number() == number && field.type() == type) return &field;
  }
  return nullptr;
}

// A serialized google.protobuf.Duration.
std::optional<std::chrono::milliseconds> DecodeDuration(const std::string& bytes) {
  UnknownFieldSet duration;
  if (!duration.ParseFromString(bytes)) return std::nullopt;
  const UnknownField* seconds_field = FindField(duration, kDurationSeconds, UnknownField::TYPE_VARINT);
  const UnknownField* nanos_field = FindField(duration, kDurationNanos, UnknownField::TYPE_VARINT);
  // Varints carry int64 (seconds) and int32 (nanos) in two's complement.
  const auto seconds = seconds_field ? static_cast<int64_t>(seconds_field->varint()) : 0;
  const auto nanos = nanos_field ? static_cast<int32_t>(nanos_field->varint()) : 0;
  if (seconds < 0 || nanos < 0) return std::nullopt;
  if (seconds >= std::chrono::duration_cast<std::chrono::seconds>(kLongestDelay).count()) return kLongestDelay;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(seconds) +
                                                               std::chrono::nanoseconds(nanos));
}

}  // namespace

std::optional<std::chrono::milliseconds> RetryDelayFromStatusDetails(const std::string& status_details) {
  if (status_details.empty()) return std::nullopt;
  UnknownFieldSet status;
  if (!status.ParseFromString(status_details)) return std::nullopt;
  for (int i = 0; i < status.field_count(); ++i) {
    const UnknownField& detail = status.field(i);
    if (detail.number() != kStatusDetails || detail.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    UnknownFieldSet any;
    if (!any.ParseFromString(detail.length_delimited())) continue;
    const UnknownField* type_url = FindField(any, kAnyTypeUrl, UnknownField::TYPE_LENGTH_DELIMITED);
    if (type_url == nullptr || type_url->length_delimited() != kRetryInfoTypeUrl) continue;
    const UnknownField* value = FindField(any, kAnyValue, UnknownField::TYPE_LENGTH_DELIMITED);
    UnknownFieldSet retry_info;
    if (value == nullptr || !retry_info.ParseFromString(value->length_delimited())) return std::nullopt;
    const UnknownField* delay = FindField(retry_info, kRetryInfoRetryDelay, UnknownField::TYPE_LENGTH_DELIMITED);
    if (delay == nullptr) return std::nullopt;
    return DecodeDuration(delay->length_delimited());
  }
  return std::nullopt;
}

}  // namespace zerotrace::otlp
