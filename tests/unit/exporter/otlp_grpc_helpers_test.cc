// The small pieces behind OTLP/gRPC export: endpoint → target, headers →
// metadata, status → outcome, RetryInfo decoding.
#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include "exporter/otlp/grpc/grpc_export_outcome.h"
#include "exporter/otlp/grpc/grpc_metadata.h"
#include "exporter/otlp/grpc/grpc_retry_info.h"
#include "exporter/otlp/grpc/grpc_target.h"

namespace zerotrace::otlp {
namespace {

using namespace std::chrono_literals;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

TEST(ParseGrpcEndpoint, SchemeDecidesTlsWhateverInsecureSays) {
  const GrpcTarget plain = ParseGrpcEndpoint("http://collector:4317", /*insecure=*/false);
  EXPECT_EQ(plain.target, "collector:4317");
  EXPECT_FALSE(plain.use_tls);
  const GrpcTarget tls = ParseGrpcEndpoint("https://collector:4317/", /*insecure=*/true);
  EXPECT_EQ(tls.target, "collector:4317");
  EXPECT_TRUE(tls.use_tls);
  EXPECT_TRUE(ParseGrpcEndpoint("HTTPS://collector:4317", false).use_tls);
}

TEST(ParseGrpcEndpoint, WithoutSchemeInsecureDecides) {
  EXPECT_TRUE(ParseGrpcEndpoint("collector:4317", false).use_tls);
  const GrpcTarget plain = ParseGrpcEndpoint("collector:4317", true);
  EXPECT_FALSE(plain.use_tls);
  EXPECT_EQ(plain.target, "collector:4317");
}

TEST(ParseGrpcEndpoint, EmptyIsTheDefaultEndpoint) {
  const GrpcTarget target = ParseGrpcEndpoint("", false);
  EXPECT_EQ(target.target, "localhost:4317");
  EXPECT_FALSE(target.use_tls);
}

TEST(ToGrpcMetadata, LowerCasesKeysAndDropsWhatGrpcWouldRefuse) {
  const auto metadata = ToGrpcMetadata({{"X-API-Key", "secret"},
                                        {"bad key", "space in key"},
                                        {"grpc-timeout", "reserved"},
                                        {"User-Agent", "would hide us"},
                                        {"x-text", "line\nbreak"},
                                        {"x-token-bin", std::string("\x01\x02", 2)}});
  ASSERT_EQ(metadata.size(), 2u);
  EXPECT_EQ(metadata[0].name, "x-api-key");
  EXPECT_EQ(metadata[0].value, "secret");
  EXPECT_EQ(metadata[1].name, "x-token-bin");
}

TEST(IsRetryableGrpcCode, FollowsTheOtlpSpecificationTable) {
  for (auto code : {grpc::StatusCode::CANCELLED, grpc::StatusCode::DEADLINE_EXCEEDED,
                    grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::ABORTED, grpc::StatusCode::OUT_OF_RANGE,
                    grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DATA_LOSS})
    EXPECT_TRUE(IsRetryableGrpcCode(code)) << GrpcCodeName(code);
  for (auto code : {grpc::StatusCode::UNKNOWN, grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::NOT_FOUND,
                    grpc::StatusCode::ALREADY_EXISTS, grpc::StatusCode::PERMISSION_DENIED,
                    grpc::StatusCode::FAILED_PRECONDITION, grpc::StatusCode::UNIMPLEMENTED,
                    grpc::StatusCode::INTERNAL, grpc::StatusCode::UNAUTHENTICATED})
    EXPECT_FALSE(IsRetryableGrpcCode(code)) << GrpcCodeName(code);
}

TEST(OutcomeOfExport, OkWithoutPartialSuccessIsFullyDelivered) {
  const SendOutcome outcome = OutcomeOfExport(grpc::Status::OK, ExportTraceServiceResponse());
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kDelivered);
  EXPECT_EQ(outcome.rejected_spans, 0u);
  EXPECT_TRUE(outcome.rejection_message.empty());
}

TEST(OutcomeOfExport, PartialSuccessMessageWithoutRejectionsIsKept) {
  ExportTraceServiceResponse response;
  response.mutable_partial_success()->set_error_message("attribute truncated");
  const SendOutcome outcome = OutcomeOfExport(grpc::Status::OK, response);
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kDelivered);
  EXPECT_EQ(outcome.rejected_spans, 0u);
  EXPECT_EQ(outcome.rejection_message, "attribute truncated");
}

TEST(OutcomeOfExport, NegativeRejectedCountIsZero) {
  ExportTraceServiceResponse response;
  response.mutable_partial_success()->set_rejected_spans(-3);
  EXPECT_EQ(OutcomeOfExport(grpc::Status::OK, response).rejected_spans, 0u);
}

TEST(OutcomeOfExport, ErrorsNameTheCode) {
  const SendOutcome outcome =
      OutcomeOfExport(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "tenant unknown"), ExportTraceServiceResponse());
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(outcome.error, "gRPC PERMISSION_DENIED: tenant unknown");
}

std::string Serialize(const google::protobuf::UnknownFieldSet& fields) {
  std::string bytes;
  fields.SerializeToString(&bytes);
  return bytes;
}

// google.rpc.Status with one Any detail of the given type holding `value`.
std::string StatusWithDetail(const std::string& type_url, const std::string& value) {
  google::protobuf::UnknownFieldSet any, status;
  any.AddLengthDelimited(1, type_url);
  any.AddLengthDelimited(2, value);
  status.AddVarint(1, 14);
  status.AddLengthDelimited(3, Serialize(any));
  return Serialize(status);
}

std::string RetryInfo(int64_t seconds, int32_t nanos) {
  google::protobuf::UnknownFieldSet duration, retry_info;
  duration.AddVarint(1, static_cast<uint64_t>(seconds));
  duration.AddVarint(2, static_cast<uint64_t>(static_cast<int64_t>(nanos)));
  retry_info.AddLengthDelimited(1, Serialize(duration));
  return Serialize(retry_info);
}

constexpr char kRetryInfoType[] = "type.googleapis.com/google.rpc.RetryInfo";

TEST(RetryDelayFromStatusDetails, ReadsRetryInfo) {
  EXPECT_EQ(RetryDelayFromStatusDetails(StatusWithDetail(kRetryInfoType, RetryInfo(3, 250'000'000))), 3250ms);
}

TEST(RetryDelayFromStatusDetails, CapsAtAnHour) {
  EXPECT_EQ(RetryDelayFromStatusDetails(StatusWithDetail(kRetryInfoType, RetryInfo(86'400, 0))),
            std::chrono::milliseconds(1h));
}

TEST(RetryDelayFromStatusDetails, NothingUsableIsNullopt) {
  EXPECT_EQ(RetryDelayFromStatusDetails(""), std::nullopt);
  EXPECT_EQ(RetryDelayFromStatusDetails("\xff\xff garbage"), std::nullopt);
  EXPECT_EQ(RetryDelayFromStatusDetails(StatusWithDetail("type.googleapis.com/google.rpc.DebugInfo", "x")),
            std::nullopt);
  EXPECT_EQ(RetryDelayFromStatusDetails(StatusWithDetail(kRetryInfoType, RetryInfo(-5, 0))), std::nullopt);
}

}  // namespace
}  // namespace zerotrace::otlp
