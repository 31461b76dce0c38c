// The credentials an OTLP/gRPC channel connects with: plaintext, or TLS
// trusting either the configured CA bundle or the system's.
#pragma once

#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>

namespace zerotrace::otlp {

// TLS trusts the PEM bundle in `certificate_file` when it is set (throws
// std::runtime_error when it cannot be read: a configuration error), else
// the distribution's CA bundle (so CAs added with update-ca-certificates
// count), else gRPC's built-in roots.
std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(bool use_tls,
                                                                  const std::string& certificate_file);

}  // namespace zerotrace::otlp
