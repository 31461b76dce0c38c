#include "exporter/otlp/grpc/grpc_channel_credentials.h"

#include <spdlog/spdlog.h>

#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace zerotrace::otlp {

namespace {

// Where distributions keep the CA bundle: Debian/Ubuntu, Fedora/RHEL,
// openSUSE, Alpine.
constexpr std::array<const char*, 4> kSystemCaBundles = {
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
};

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(contents).str();
}

std::string SystemRootCertificates() {
  for (const char* path : kSystemCaBundles) {
    if (auto pem = ReadFile(path); pem && !pem->empty()) return *pem;
  }
  spdlog::debug("no system CA bundle found; OTLP/gRPC uses gRPC's built-in roots");
  return {};  // gRPC's default roots
}

}  // namespace

std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(bool use_tls,
                                                                  const std::string& certificate_file) {
  if (!use_tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  if (certificate_file.empty()) {
    options.pem_root_certs = SystemRootCertificates();
  } else {
    auto pem = ReadFile(certificate_file);
    if (!pem || pem->empty())
      throw std::runtime_error("cannot read the OTLP certificate file " + certificate_file);
    options.pem_root_certs = std::move(*pem);
  }
  return grpc::SslCredentials(options);
}

}  // namespace zerotrace::otlp
