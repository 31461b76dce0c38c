// OTLP/gRPC export against a real gRPC server: an in-process TraceService
// on 127.0.0.1 stands in for the collector and answers as each test says.
#include "exporter/otlp/grpc/otlp_grpc_transport.h"

#include <arpa/inet.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::otlp {
namespace {

using namespace std::chrono_literals;
using namespace zerotrace::testing;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using opentelemetry::proto::collector::trace::v1::TraceService;

struct ReceivedExport {
  ExportTraceServiceRequest request;
  std::multimap<std::string, std::string> metadata;  // client metadata, keys lower-case
};

// The collector's side: records every Export and answers with what the
// test configured.
class RecordingTraceService final : public TraceService::Service {
 public:
  grpc::Status Export(grpc::ServerContext* context, const ExportTraceServiceRequest* request,
                      ExportTraceServiceResponse* response) override {
    ReceivedExport received;
    received.request = *request;
    for (const auto& [key, value] : context->client_metadata())
      received.metadata.emplace(std::string(key.data(), key.size()), std::string(value.data(), value.size()));
    std::lock_guard lock(mutex_);
    received_.push_back(std::move(received));
    if (delay_ > 0ms) std::this_thread::sleep_for(delay_);
    if (partial_success_) *response->mutable_partial_success() = *partial_success_;
    return status_;
  }

  void Answer(grpc::Status status) {
    std::lock_guard lock(mutex_);
    status_ = std::move(status);
  }
  void AnswerPartialSuccess(int64_t rejected, std::string message) {
    std::lock_guard lock(mutex_);
    partial_success_.emplace();
    partial_success_->set_rejected_spans(rejected);
    partial_success_->set_error_message(std::move(message));
  }
  void DelayAnswers(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
  }
  std::vector<ReceivedExport> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<ReceivedExport> received_;
  grpc::Status status_ = grpc::Status::OK;
  std::optional<opentelemetry::proto::collector::trace::v1::ExportTracePartialSuccess> partial_success_;
  std::chrono::milliseconds delay_{0};
};

struct CollectorOptions {
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  // gRPC does not show the application a request's grpc-encoding; a server
  // with gzip switched off refuses gzip requests, which shows it instead.
  bool accept_gzip = true;
};

class LoopbackCollector {
 public:
  explicit LoopbackCollector(CollectorOptions options = {}) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", std::move(options.credentials), &port_);
    if (!options.accept_gzip) builder.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_GZIP, false);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~LoopbackCollector() { server_->Shutdown(std::chrono::system_clock::now() + 1s); }

  bool started() const { return server_ != nullptr && port_ > 0; }
  std::string Endpoint(std::string_view scheme = "http://") const {
    return std::string(scheme) + "127.0.0.1:" + std::to_string(port_);
  }
  RecordingTraceService& service() { return service_; }

 private:
  RecordingTraceService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

std::vector<Span> ThreeSpans() {
  const auto resource = MakeResource(42, "python3");
  return {MakeHttpSpan(1, 1, resource, "a"), MakeHttpSpan(1, 2, resource, "b"), MakeHttpSpan(1, 3, resource, "c")};
}

OtlpSettings SettingsFor(std::string endpoint) {
  OtlpSettings settings;
  settings.protocol = OtlpProtocol::kGrpc;
  settings.endpoint = std::move(endpoint);
  return settings;
}

SendOutcome SendThreeSpans(OtlpGrpcTransport& transport, std::chrono::milliseconds timeout = 5s) {
  const auto spans = ThreeSpans();
  transport.Prepare(spans);
  return transport.Send(timeout);
}

std::string MetadataValue(const ReceivedExport& received, const std::string& key) {
  const auto it = received.metadata.find(key);
  return it == received.metadata.end() ? "<absent>" : it->second;
}

TEST(OtlpGrpcTransport, DeliversTheBatchAsOneExportCall) {
  LoopbackCollector collector;
  ASSERT_TRUE(collector.started());
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));

  const SendOutcome outcome = SendThreeSpans(transport);

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kDelivered) << outcome.error;
  EXPECT_EQ(outcome.rejected_spans, 0u);
  const auto received = collector.service().received();
  ASSERT_EQ(received.size(), 1u);
  ASSERT_EQ(received[0].request.resource_spans_size(), 1);
  const auto& spans = received[0].request.resource_spans(0).scope_spans(0).spans();
  ASSERT_EQ(spans.size(), 3);
  EXPECT_EQ(spans[0].name(), "a");
  EXPECT_EQ(spans[2].name(), "c");
  const SpanId second = MakeSpanId(2);
  EXPECT_EQ(spans[1].span_id(), std::string(second.begin(), second.end()));
  const TraceId trace = MakeTraceId(1);
  EXPECT_EQ(spans[1].trace_id(), std::string(trace.begin(), trace.end()));
}

TEST(OtlpGrpcTransport, ReusesThePreparedRequestAcrossAttemptsAndBatches) {
  LoopbackCollector collector;
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));
  const auto spans = ThreeSpans();
  transport.Prepare(spans);
  EXPECT_EQ(transport.Send(5s).kind, SendOutcome::Kind::kDelivered);
  EXPECT_EQ(transport.Send(5s).kind, SendOutcome::Kind::kDelivered);  // a retry re-sends as is
  transport.Prepare(std::span(spans).first(1));
  EXPECT_EQ(transport.Send(5s).kind, SendOutcome::Kind::kDelivered);

  const auto received = collector.service().received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[1].request.resource_spans(0).scope_spans(0).spans_size(), 3);
  EXPECT_EQ(received[2].request.resource_spans(0).scope_spans(0).spans_size(), 1);
}

TEST(OtlpGrpcTransport, SendsConfiguredHeadersAsMetadata) {
  LoopbackCollector collector;
  OtlpSettings settings = SettingsFor(collector.Endpoint());
  settings.headers = {{"X-API-Key", "secret"}, {"tenant", "team-a"}, {"Bad Key", "dropped"}};
  OtlpGrpcTransport transport(settings);

  EXPECT_EQ(SendThreeSpans(transport).kind, SendOutcome::Kind::kDelivered);

  const auto received = collector.service().received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(MetadataValue(received[0], "x-api-key"), "secret");
  EXPECT_EQ(MetadataValue(received[0], "tenant"), "team-a");
  EXPECT_EQ(received[0].metadata.count("bad key"), 0u);
}

TEST(OtlpGrpcTransport, UserAgentMarksTheCallAsZerotracesOwn) {
  LoopbackCollector collector;
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));
  EXPECT_EQ(SendThreeSpans(transport).kind, SendOutcome::Kind::kDelivered);

  const auto received = collector.service().received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(MetadataValue(received[0], "user-agent").starts_with("zerotrace/" ZEROTRACE_VERSION))
      << MetadataValue(received[0], "user-agent");
}

TEST(OtlpGrpcTransport, GzipCompressesTheRequest) {
  LoopbackCollector collector;
  OtlpSettings settings = SettingsFor(collector.Endpoint());
  settings.compression = OtlpCompression::kGzip;
  OtlpGrpcTransport transport(settings);

  EXPECT_EQ(SendThreeSpans(transport).kind, SendOutcome::Kind::kDelivered);

  const auto received = collector.service().received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].request.resource_spans(0).scope_spans(0).spans_size(), 3);
}

TEST(OtlpGrpcTransport, GzipRequestIsRefusedByAServerWithoutGzip) {
  LoopbackCollector collector({.accept_gzip = false});
  OtlpSettings settings = SettingsFor(collector.Endpoint());
  settings.compression = OtlpCompression::kGzip;
  OtlpGrpcTransport gzip_transport(settings);
  settings.compression = OtlpCompression::kNone;
  OtlpGrpcTransport plain_transport(settings);

  const SendOutcome gzip_outcome = SendThreeSpans(gzip_transport);
  const SendOutcome plain_outcome = SendThreeSpans(plain_transport);

  // The refusal proves the request really was gzip-compressed.
  EXPECT_EQ(gzip_outcome.kind, SendOutcome::Kind::kPermanent);
  EXPECT_TRUE(gzip_outcome.error.starts_with("gRPC UNIMPLEMENTED")) << gzip_outcome.error;
  EXPECT_EQ(plain_outcome.kind, SendOutcome::Kind::kDelivered) << plain_outcome.error;
  EXPECT_EQ(collector.service().received().size(), 1u);
}

TEST(OtlpGrpcTransport, PartialSuccessReportsTheRejectedSpans) {
  LoopbackCollector collector;
  collector.service().AnswerPartialSuccess(2, "spans too old");
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));

  const SendOutcome outcome = SendThreeSpans(transport);

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kDelivered);
  EXPECT_EQ(outcome.rejected_spans, 2u);
  EXPECT_EQ(outcome.rejection_message, "spans too old");
}

TEST(OtlpGrpcTransport, UnavailableIsRetryable) {
  LoopbackCollector collector;
  collector.service().Answer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "overloaded"));
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));

  const SendOutcome outcome = SendThreeSpans(transport);

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetryable);
  EXPECT_EQ(outcome.error, "gRPC UNAVAILABLE: overloaded");
  EXPECT_FALSE(outcome.retry_after.has_value());
}

TEST(OtlpGrpcTransport, ResourceExhaustedIsRetryable) {
  LoopbackCollector collector;
  collector.service().Answer(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "memory limiter"));
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));

  const SendOutcome outcome = SendThreeSpans(transport);

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetryable);
  EXPECT_EQ(outcome.error, "gRPC RESOURCE_EXHAUSTED: memory limiter");
}

// google.rpc.Status{code, message, details: [Any{RetryInfo{retry_delay}}]}
// built field by field, as a receiver's gRPC library would send it.
std::string StatusDetailsWithRetryDelay(int64_t seconds, int32_t nanos) {
  google::protobuf::UnknownFieldSet duration, retry_info, any, status;
  duration.AddVarint(1, static_cast<uint64_t>(seconds));
  duration.AddVarint(2, static_cast<uint64_t>(nanos));
  std::string bytes;
  duration.SerializeToString(&bytes);
  retry_info.AddLengthDelimited(1, bytes);
  retry_info.SerializeToString(&bytes);
  any.AddLengthDelimited(1, "type.googleapis.com/google.rpc.RetryInfo");
  any.AddLengthDelimited(2, bytes);
  any.SerializeToString(&bytes);
  status.AddVarint(1, static_cast<uint64_t>(grpc::StatusCode::UNAVAILABLE));
  status.AddLengthDelimited(2, "busy");
  status.AddLengthDelimited(3, bytes);
  status.SerializeToString(&bytes);
  return bytes;
}

TEST(OtlpGrpcTransport, RetryInfoInTheStatusSetsRetryAfter) {
  LoopbackCollector collector;
  collector.service().Answer(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "busy", StatusDetailsWithRetryDelay(2, 500'000'000)));
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));

  const SendOutcome outcome = SendThreeSpans(transport);

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetryable);
  ASSERT_TRUE(outcome.retry_after.has_value());
  EXPECT_EQ(*outcome.retry_after, 2500ms);
}

TEST(OtlpGrpcTransport, InvalidArgumentIsPermanent) {
  LoopbackCollector collector;
  collector.service().Answer(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad trace id"));
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));

  const SendOutcome outcome = SendThreeSpans(transport);

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(outcome.error, "gRPC INVALID_ARGUMENT: bad trace id");
}

TEST(OtlpGrpcTransport, UnauthenticatedIsPermanent) {
  LoopbackCollector collector;
  collector.service().Answer(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no api key"));
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));
  EXPECT_EQ(SendThreeSpans(transport).kind, SendOutcome::Kind::kPermanent);
}

TEST(OtlpGrpcTransport, SlowReceiverIsRetryableAfterTheTimeout) {
  LoopbackCollector collector;
  collector.service().DelayAnswers(1s);
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint()));

  const auto start = std::chrono::steady_clock::now();
  const SendOutcome outcome = SendThreeSpans(transport, 200ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetryable);
  EXPECT_TRUE(outcome.error.starts_with("gRPC DEADLINE_EXCEEDED")) << outcome.error;
  EXPECT_LT(elapsed, 900ms);
}

// A loopback port nothing listens on: bound, then released.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(OtlpGrpcTransport, NothingListeningIsRetryableWithinTheTimeout) {
  OtlpGrpcTransport transport(SettingsFor("http://127.0.0.1:" + std::to_string(UnusedPort())));

  const auto start = std::chrono::steady_clock::now();
  const SendOutcome outcome = SendThreeSpans(transport, 3s);
  const auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetryable);
  EXPECT_TRUE(outcome.error.starts_with("gRPC UNAVAILABLE")) << outcome.error;
  EXPECT_LT(elapsed, 2s);  // refused at once, not waited out
}

TEST(OtlpGrpcTransport, DescribesItselfByTheConfiguredEndpoint) {
  EXPECT_EQ(OtlpGrpcTransport(SettingsFor("http://collector:4317")).Describe(), "OTLP/gRPC to http://collector:4317");
  EXPECT_EQ(OtlpGrpcTransport(SettingsFor("")).Describe(), "OTLP/gRPC to http://localhost:4317");
}

TEST(OtlpGrpcTransport, UnreadableCertificateFileIsAConfigurationError) {
  OtlpSettings settings = SettingsFor("https://collector:4317");
  settings.certificate_file = "/nonexistent/ca.pem";
  EXPECT_THROW(OtlpGrpcTransport transport(settings), std::runtime_error);
}

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// A self-signed certificate for 127.0.0.1 and localhost, made with the
// openssl command line in a fresh directory.
class SelfSignedCertificate {
 public:
  SelfSignedCertificate() {
    char pattern[] = "/tmp/zt-grpc-tls-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return;
    dir_ = pattern;
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
        " -keyout " + (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() + " >/dev/null 2>&1";
    created_ = std::system(command.c_str()) == 0;
  }
  ~SelfSignedCertificate() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  bool created() const { return created_; }
  std::filesystem::path cert_file() const { return dir_ / "cert.pem"; }
  std::string cert_pem() const { return ReadWholeFile(dir_ / "cert.pem"); }
  std::string key_pem() const { return ReadWholeFile(dir_ / "key.pem"); }

 private:
  std::filesystem::path dir_;
  bool created_ = false;
};

bool OpensslAvailable() { return std::system("command -v openssl >/dev/null 2>&1") == 0; }

std::shared_ptr<grpc::ServerCredentials> TlsServerCredentials(const SelfSignedCertificate& certificate) {
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({certificate.key_pem(), certificate.cert_pem()});
  return grpc::SslServerCredentials(options);
}

TEST(OtlpGrpcTransport, HttpsEndpointSpeaksTlsTrustingTheCertificateFile) {
  if (!OpensslAvailable()) GTEST_SKIP() << "the openssl command is not installed; cannot make a test certificate";
  SelfSignedCertificate certificate;
  ASSERT_TRUE(certificate.created());
  LoopbackCollector collector({.credentials = TlsServerCredentials(certificate)});
  ASSERT_TRUE(collector.started());
  OtlpSettings settings = SettingsFor(collector.Endpoint("https://"));
  settings.certificate_file = certificate.cert_file().string();
  OtlpGrpcTransport transport(settings);

  const SendOutcome outcome = SendThreeSpans(transport);

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kDelivered) << outcome.error;
  EXPECT_EQ(collector.service().received().size(), 1u);
}

TEST(OtlpGrpcTransport, TlsWithAnUntrustedCertificateIsNotDelivered) {
  if (!OpensslAvailable()) GTEST_SKIP() << "the openssl command is not installed; cannot make a test certificate";
  SelfSignedCertificate certificate;
  ASSERT_TRUE(certificate.created());
  LoopbackCollector collector({.credentials = TlsServerCredentials(certificate)});
  // System roots only: the self-signed certificate is not among them.
  OtlpGrpcTransport transport(SettingsFor(collector.Endpoint("https://")));

  const SendOutcome outcome = SendThreeSpans(transport, 3s);

  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetryable) << outcome.error;
  EXPECT_TRUE(collector.service().received().empty());
}

TEST(OtlpGrpcTransport, NoSchemeAndInsecureIsPlaintext) {
  LoopbackCollector collector;
  OtlpSettings settings = SettingsFor(collector.Endpoint(""));
  settings.insecure = true;
  OtlpGrpcTransport transport(settings);
  EXPECT_EQ(SendThreeSpans(transport).kind, SendOutcome::Kind::kDelivered);
}

}  // namespace
}  // namespace zerotrace::otlp
