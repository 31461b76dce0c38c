#pragma once

#include <string>

namespace zerotrace::otlp {

struct HttpHeader {
  std::string name;
  std::string value;
};

}  // namespace zerotrace::otlp
