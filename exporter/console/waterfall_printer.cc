#include "exporter/console/waterfall_printer.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "base/text.h"
#include "exporter/console/span_tree.h"
#include "agent/model/ids.h"
#include "exporter/resource_attributes.h"
#include "exporter/utf8.h"

namespace zerotrace::console {

namespace {

constexpr size_t kMaxIndentDepth = 16;  // deeper spans keep this indentation

namespace ansi {
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kBlue = "\x1b[34m";
constexpr std::string_view kMagenta = "\x1b[35m";
constexpr std::string_view kCyan = "\x1b[36m";
}  // namespace ansi

// Builds a line, adding colour codes only when the style asks for them.
class Line {
 public:
  explicit Line(bool color) : color_(color) {}
  Line& Colored(std::string_view code, std::string_view text) {
    if (text.empty()) return *this;
    if (color_) text_.append(code);
    text_.append(text);
    if (color_) text_.append(ansi::kReset);
    return *this;
  }
  Line& Plain(std::string_view text) {
    text_.append(text);
    return *this;
  }
  const std::string& str() const { return text_; }

 private:
  bool color_;
  std::string text_;
};

// Text from the traced program, made safe for a terminal: control bytes
// (an ESC could drive the terminal) and invalid UTF-8 become '?'. Appends at
// most `max_width` characters, the last one '~' when the text was cut;
// returns how many were appended.
size_t AppendDisplayText(std::string_view text, size_t max_width, std::string* out) {
  size_t chars = 0;
  for (size_t pos = 0; pos < text.size(); ++chars)
    pos += std::max<size_t>(Utf8SequenceLength(text, pos), 1);
  const bool cut = chars > max_width;
  const size_t keep = cut ? (max_width > 0 ? max_width - 1 : 0) : chars;

  size_t pos = 0;
  for (size_t i = 0; i < keep; ++i) {
    const auto c = static_cast<unsigned char>(text[pos]);
    const size_t len = Utf8SequenceLength(text, pos);
    if (len == 0 || c < 0x20 || c == 0x7F) out->push_back('?');
    else out->append(text.substr(pos, len));
    pos += std::max<size_t>(len, 1);
  }
  if (cut && max_width > 0) out->push_back('~');
  return std::min(chars, max_width);
}

std::string FormatMillis(uint64_t ns) {
  char buffer[32];
  const auto [end, error] =
      std::to_chars(buffer, buffer + sizeof buffer, static_cast<double>(ns) / 1e6,
                    std::chars_format::fixed, 3);
  std::string out(buffer, error == std::errc() ? end : buffer);
  out += " ms";
  return out;
}

std::string PadLeft(std::string text, size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

std::optional<int64_t> HttpStatusCode(const Span& span) {
  for (const Attribute& attribute : span.attributes) {
    // Current semantic conventions first, then the pre-1.21 name.
    if (attribute.key != "http.response.status_code" && attribute.key != "http.status_code") continue;
    if (const auto* code = std::get_if<int64_t>(&attribute.value)) return *code;
    if (const auto* text = std::get_if<std::string>(&attribute.value)) {
      int64_t code = 0;
      const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), code);
      if (error == std::errc() && end == text->data() + text->size()) return code;
    }
  }
  return std::nullopt;
}

std::string_view ServiceName(const Span& span) {
  if (!span.resource) return "?";
  for (const Attribute& attribute : span.resource->attributes) {
    if (attribute.key != kServiceNameKey) continue;
    if (const auto* name = std::get_if<std::string>(&attribute.value)) return *name;
  }
  if (!span.resource->service_name.empty()) return span.resource->service_name;
  return "?";
}

std::string_view KindLabel(SpanKind kind) {
  switch (kind) {
    case SpanKind::kServer: return "SERVER";
    case SpanKind::kClient: return "CLIENT";
    case SpanKind::kInternal: return "INTERNAL";
    case SpanKind::kUnspecified: break;
  }
  return "SPAN";
}

std::string_view KindColor(SpanKind kind) {
  return kind == SpanKind::kServer ? ansi::kBlue : kind == SpanKind::kClient ? ansi::kMagenta : ansi::kDim;
}

// Cells [first, last) of the bar the span covers; at least one cell so that
// even the shortest span is visible.
std::pair<size_t, size_t> BarCells(const Span& span, uint64_t trace_start, uint64_t trace_ns,
                                   size_t width) {
  if (trace_ns == 0 || width == 0) return {0, width};
  const auto cell = [&](uint64_t t, bool round_up) {
    const uint64_t offset = std::clamp(t, trace_start, trace_start + trace_ns) - trace_start;
    const unsigned __int128 scaled = static_cast<unsigned __int128>(offset) * width;
    return static_cast<size_t>(scaled / trace_ns + (round_up && scaled % trace_ns != 0 ? 1 : 0));
  };
  size_t first = std::min(cell(span.start_unix_ns, false), width - 1);
  size_t last = std::max(cell(span.end_unix_ns, true), first + 1);
  return {first, std::min(last, width)};
}

void AppendRepeated(std::string_view piece, size_t times, std::string* out) {
  for (size_t i = 0; i < times; ++i) out->append(piece);
}

}  // namespace

void PrintTraceWaterfall(std::span<const Span> spans, const WaterfallStyle& style, std::ostream& out) {
  if (spans.empty()) return;
  uint64_t trace_start = spans[0].start_unix_ns, trace_end = spans[0].end_unix_ns;
  size_t errors = 0;
  for (const Span& span : spans) {
    trace_start = std::min(trace_start, span.start_unix_ns);
    trace_end = std::max({trace_end, span.end_unix_ns, span.start_unix_ns});
    errors += span.status == StatusCode::kError;
  }
  const uint64_t trace_ns = trace_end - trace_start;

  Line header(style.color);
  header.Colored(ansi::kBold, "trace " + ToHex(spans[0].trace_id))
      .Plain("  " + std::to_string(spans.size()) + (spans.size() == 1 ? " span  " : " spans  "))
      .Plain(FormatMillis(trace_ns));
  if (errors > 0) header.Plain("  ").Colored(ansi::kRed, std::to_string(errors) + (errors == 1 ? " error" : " errors"));
  out << header.str() << '\n';

  const std::string_view filled = style.unicode ? "\u2588" : "#";
  const std::string_view empty = style.unicode ? "\u00b7" : ".";
  for (const SpanTreeRow& row : SpanTreeOrder(spans)) {
    const Span& span = spans[row.index];
    const bool is_error = span.status == StatusCode::kError;

    // Label: indentation, service, kind, name, cut to the column width.
    const size_t indent = 2 + 2 * std::min(row.depth, kMaxIndentDepth);
    size_t room = style.label_width > indent ? style.label_width - indent : 0;
    std::string service, name;
    room -= AppendDisplayText(ServiceName(span), std::min<size_t>(room, 24), &service);
    const std::string_view kind = KindLabel(span.kind);
    room -= std::min(room, kind.size() + 2);  // two separating spaces
    room -= AppendDisplayText(span.name, room, &name);

    Line line(style.color);
    line.Plain(std::string(indent, ' '))
        .Colored(ansi::kCyan, service)
        .Plain(" ")
        .Colored(KindColor(span.kind), kind)
        .Plain(" ")
        .Plain(name)
        .Plain(std::string(room, ' '));

    // Status: ERROR marker and HTTP status code.
    line.Plain(" ");
    if (is_error) line.Colored(ansi::kRed, "ERROR");
    else line.Plain("     ");
    const std::optional<int64_t> code = HttpStatusCode(span);
    const std::string code_text = PadLeft(code ? std::to_string(*code) : "-", 4);
    if (code && *code >= 500) line.Colored(ansi::kRed, code_text);
    else if (code && *code >= 400) line.Colored(ansi::kYellow, code_text);
    else line.Plain(code_text);

    const uint64_t span_ns = span.end_unix_ns > span.start_unix_ns ? span.end_unix_ns - span.start_unix_ns : 0;
    line.Plain(PadLeft(FormatMillis(span_ns), 14)).Plain(" |");

    const auto [first, last] = BarCells(span, trace_start, trace_ns, style.bar_width);
    std::string before, bar, after;
    AppendRepeated(empty, first, &before);
    AppendRepeated(filled, last - first, &bar);
    AppendRepeated(empty, style.bar_width - last, &after);
    line.Colored(ansi::kDim, before)
        .Colored(is_error ? ansi::kRed : ansi::kGreen, bar)
        .Colored(ansi::kDim, after)
        .Plain("|");
    out << line.str() << '\n';
  }
  out.flush();
}

}  // namespace zerotrace::console
