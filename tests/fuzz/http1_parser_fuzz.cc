// libFuzzer target for the HTTP/1.x parser. Two modes, picked by the first
// input byte:
//
// - Raw: the input drives a sequence of chunks (random sizes, some only partly
//   captured), lost-event gaps, FinishPending, Close and expected methods, fed
//   to a request parser and a response parser alike. Beyond "no crash, no
//   sanitizer report" it checks invariants, and that a stream parsing cleanly
//   as one chunk parses the same when split into fully captured chunks.
// - Generated: the input describes valid messages (Content-Length, chunked
//   with extensions and trailers, bodiless statuses, 100 Continue), which are
//   serialised and split at input-chosen points; the parser must report
//   exactly the messages generated.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "agent/protocols/http1/parser.h"

namespace {

using zerotrace::http1::ChunkTiming;
using zerotrace::http1::MessageCommon;
using zerotrace::http1::MessageKind;
using zerotrace::http1::Parser;
using zerotrace::http1::Request;
using zerotrace::http1::Response;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void CheckCommon(const MessageCommon& m) {
  Check(m.first_chunk.enter_ns <= m.last_chunk.enter_ns, "first_chunk after last_chunk");
  Check(!m.headers_truncated || m.framing_lost, "truncated headers without framing_lost");
  Check(m.version.empty() || m.version == "1.0" || m.version == "1.1", "bad version");
}

// Pops and checks what the parser completed; returns how many.
uint64_t Drain(Parser& p) {
  uint64_t n = 0;
  for (const Request& r : p.requests()) {
    CheckCommon(r);
    Check(!r.method.empty(), "request without method");
    ++n;
  }
  for (const Response& r : p.responses()) {
    CheckCommon(r);
    Check(r.status_code >= 100 && r.status_code <= 599, "bad status");
    ++n;
  }
  p.requests().clear();
  p.responses().clear();
  return n;
}

struct Summary {
  std::vector<std::string> fields;
  bool clean = true;  // no garbage, no resync, no framing lost
};

template <typename M>
std::string Describe(const M& m);

template <>
std::string Describe(const Request& r) {
  return r.method + "|" + r.target + "|" + r.version + "|" + r.host + "|" + r.user_agent + "|" +
         r.traceparent + "|" + r.tracestate + "|" + std::to_string(r.body_size);
}

template <>
std::string Describe(const Response& r) {
  return std::to_string(r.status_code) + "|" + r.version + "|" + std::to_string(r.body_size);
}

template <typename M>
void Collect(std::deque<M>& q, Summary* s) {
  for (const M& m : q) {
    if (m.framing_lost || m.headers_truncated) s->clean = false;
    s->fields.push_back(Describe(m));
  }
  q.clear();
}

Summary Parse(MessageKind kind, const std::vector<std::string>& chunks) {
  Parser p(kind);
  Summary s;
  uint64_t t = 0;
  for (const std::string& c : chunks) {
    p.Feed(Bytes(c), c.size(), ChunkTiming{++t, t, 1});
    Collect(p.requests(), &s);
    Collect(p.responses(), &s);
  }
  p.Close(ChunkTiming{++t, t, 1});
  Collect(p.requests(), &s);
  Collect(p.responses(), &s);
  if (p.stats().garbage_chunks != 0 || p.stats().resyncs != 0) s.clean = false;
  return s;
}

void Differential(MessageKind kind, const std::vector<std::string>& chunks) {
  std::string whole;
  for (const std::string& c : chunks) whole += c;
  if (whole.empty() || whole.size() >= Parser::kMaxHeaderBytes) return;
  const Summary one = Parse(kind, {whole});
  if (!one.clean) return;
  const Summary split = Parse(kind, chunks);
  Check(split.fields == one.fields, "split stream parsed differently from whole stream");
}


struct Generated {
  std::string wire;
  std::vector<std::string> expected;  // Describe()-like summaries, in order
};

std::string Token(FuzzedDataProvider& in, size_t max, const char* alphabet) {
  std::string out;
  const size_t n = in.ConsumeIntegralInRange<size_t>(1, max);
  const std::string_view a(alphabet);
  for (size_t i = 0; i < n; ++i) out += a[in.ConsumeIntegral<uint8_t>() % a.size()];
  return out;
}

// Appends a body framed as `chunked` or by Content-Length; returns its size.
uint64_t AppendBody(FuzzedDataProvider& in, bool chunked, std::string* head, std::string* wire) {
  std::string body_wire;
  uint64_t size = 0;
  if (chunked) {
    *head += "Transfer-Encoding: chunked\r\n";
    const int chunks = in.ConsumeIntegralInRange<int>(0, 4);
    for (int i = 0; i < chunks; ++i) {
      const size_t n = in.ConsumeIntegralInRange<size_t>(1, 300);
      char hex[32];
      std::snprintf(hex, sizeof(hex), in.ConsumeBool() ? "%zx" : "%zX", n);
      body_wire += hex;
      if (in.ConsumeBool()) body_wire += ";ext=" + Token(in, 8, "abc\"=;");
      body_wire += "\r\n" + std::string(n, 'x') + "\r\n";
      size += n;
    }
    body_wire += "0\r\n";
    if (in.ConsumeBool()) body_wire += "X-Trailer: " + Token(in, 20, "abc 123") + "\r\n";
    body_wire += "\r\n";
  } else {
    size = in.ConsumeIntegralInRange<uint64_t>(0, 600);
    *head += "Content-Length: " + std::to_string(size) + "\r\n";
    body_wire.assign(size, 'y');
  }
  *wire += *head + "\r\n" + body_wire;
  return size;
}

Generated Generate(MessageKind kind, FuzzedDataProvider& in, std::vector<std::string>* methods) {
  Generated g;
  const int count = in.ConsumeIntegralInRange<int>(1, 6);
  for (int i = 0; i < count; ++i) {
    if (kind == MessageKind::kRequest) {
      static constexpr const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND"};
      const std::string method = kMethods[in.ConsumeIntegralInRange<size_t>(0, 6)];
      const std::string target = "/" + Token(in, 40, "abcXYZ019/?=&%-._~");
      const std::string host = Token(in, 20, "abc.example:80");
      std::string head = method + " " + target + " HTTP/1." + (in.ConsumeBool() ? "1" : "0") + "\r\n";
      head += (in.ConsumeBool() ? "Host: " : "hOsT:") + host + "\r\n";
      if (in.ConsumeBool()) head += "X-Other: " + Token(in, 60, "abc ;:,") + "\r\n";
      uint64_t body = 0;
      if (in.ConsumeBool()) {
        body = AppendBody(in, in.ConsumeBool(), &head, &g.wire);
      } else {
        g.wire += head + "\r\n";
      }
      g.expected.push_back(method + "|" + target + "|" + host + "|" + std::to_string(body));
    } else {
      if (in.ConsumeIntegralInRange<int>(0, 4) == 0) g.wire += "HTTP/1.1 100 Continue\r\n\r\n";
      static constexpr int kStatuses[] = {200, 201, 204, 304, 404, 500};
      const int status = kStatuses[in.ConsumeIntegralInRange<size_t>(0, 5)];
      const bool head_request = in.ConsumeIntegralInRange<int>(0, 5) == 0;
      methods->push_back(head_request ? "HEAD" : "GET");
      std::string head = "HTTP/1.1 " + std::to_string(status) + " Reason\r\n";
      uint64_t body = 0;
      if (head_request || status == 204 || status == 304) {
        // Framing headers on a bodiless response must be ignored.
        if (in.ConsumeBool()) head += "Content-Length: 321\r\n";
        g.wire += head + "\r\n";
      } else {
        body = AppendBody(in, in.ConsumeBool(), &head, &g.wire);
      }
      g.expected.push_back(std::to_string(status) + "|" + std::to_string(body));
    }
  }
  return g;
}

// Generated messages split anywhere, fully captured: exactly those messages.
void RunGenerated(FuzzedDataProvider& in) {
  const MessageKind kind = in.ConsumeBool() ? MessageKind::kRequest : MessageKind::kResponse;
  std::vector<std::string> methods;
  const Generated g = Generate(kind, in, &methods);
  Parser p(kind);
  for (const std::string& m : methods) p.ExpectResponseTo(m);
  std::vector<std::string> got;
  size_t pos = 0;
  uint64_t t = 0;
  while (pos < g.wire.size()) {
    const size_t n = in.remaining_bytes() > 0 ? in.ConsumeIntegralInRange<size_t>(1, 200) : g.wire.size();
    const std::string chunk = g.wire.substr(pos, n);
    pos += chunk.size();
    p.Feed(Bytes(chunk), chunk.size(), ChunkTiming{++t, t, 1});
    for (const Request& r : p.requests()) {
      Check(!r.framing_lost && !r.headers_truncated, "generated request lost framing");
      got.push_back(r.method + "|" + r.target + "|" + r.host + "|" + std::to_string(r.body_size));
    }
    for (const Response& r : p.responses()) {
      Check(!r.framing_lost && !r.headers_truncated, "generated response lost framing");
      got.push_back(std::to_string(r.status_code) + "|" + std::to_string(r.body_size));
    }
    p.requests().clear();
    p.responses().clear();
  }
  Check(got == g.expected, "generated messages parsed differently");
  Check(p.stats().garbage_chunks == 0 && p.stats().resyncs == 0, "generated stream counted garbage");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 0 && (data[0] & 1)) {
    FuzzedDataProvider generated(data + 1, size - 1);
    RunGenerated(generated);
    return 0;
  }
  FuzzedDataProvider in(data, size);
  Parser requests(MessageKind::kRequest);
  Parser responses(MessageKind::kResponse);
  std::vector<std::string> captured_chunks;  // fully captured ones, for the differential check
  uint64_t t = 0;
  uint64_t drained_requests = 0;
  uint64_t drained_responses = 0;

  while (in.remaining_bytes() > 0) {
    const uint8_t op = in.ConsumeIntegral<uint8_t>();
    ++t;
    const ChunkTiming timing{t, t, static_cast<uint32_t>(op)};
    switch (op % 16) {
      case 0:
        requests.Gap(in.ConsumeIntegralInRange<uint64_t>(1, 100000));
        responses.Gap(in.ConsumeIntegralInRange<uint64_t>(1, 100000));
        break;
      case 1:
        requests.FinishPending();
        responses.FinishPending();
        break;
      case 2:
        if (op & 0x80) {
          requests.Close(timing);
          responses.Close(timing);
        } else {
          static constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "CONNECT"};
          responses.ExpectResponseTo(kMethods[(op >> 4) & 3]);
        }
        break;
      default: {
        const size_t len = in.ConsumeIntegralInRange<size_t>(0, 512);
        const std::string bytes = in.ConsumeBytesAsString(len);
        uint64_t total = bytes.size();
        if (op % 16 == 3) total += in.ConsumeIntegralInRange<uint64_t>(0, 1 << 20);  // partly captured
        requests.Feed(Bytes(bytes), total, timing);
        responses.Feed(Bytes(bytes), total, timing);
        if (total == bytes.size()) captured_chunks.push_back(bytes);
        break;
      }
    }
    Check(requests.buffered_bytes() <= Parser::kMaxHeaderBytes, "request buffer over cap");
    Check(responses.buffered_bytes() <= Parser::kMaxHeaderBytes, "response buffer over cap");
    drained_requests += Drain(requests);
    drained_responses += Drain(responses);
  }
  requests.Close(ChunkTiming{t + 1, t + 1, 0});
  responses.Close(ChunkTiming{t + 1, t + 1, 0});
  drained_requests += Drain(requests);
  drained_responses += Drain(responses);
  Check(drained_requests == requests.stats().messages, "request count mismatch");
  Check(drained_responses == responses.stats().messages, "response count mismatch");

  Differential(MessageKind::kRequest, captured_chunks);
  Differential(MessageKind::kResponse, captured_chunks);
  return 0;
}
