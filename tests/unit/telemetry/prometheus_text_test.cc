// The Prometheus text format 0.0.4 renderer: line layout, HELP/TYPE, labels
// and the format's escaping rules.
#include <gtest/gtest.h>

#include "agent/telemetry/prometheus_text.h"

namespace zerotrace::telemetry {
namespace {

TEST(PrometheusText, RendersHelpTypeThenOneLinePerSample) {
  std::vector<MetricFamily> families;
  families.push_back({"zt_requests_total", "Requests seen.", MetricType::kCounter, {{{}, 42}}});
  families.push_back({"zt_attached",
                      "Attached programs.",
                      MetricType::kGauge,
                      {{{{"program", "a"}}, 1}, {{{"program", "b"}, {"kind", "tp"}}, 0}}});
  EXPECT_EQ(RenderPrometheusText(families),
            "# HELP zt_requests_total Requests seen.\n"
            "# TYPE zt_requests_total counter\n"
            "zt_requests_total 42\n"
            "# HELP zt_attached Attached programs.\n"
            "# TYPE zt_attached gauge\n"
            "zt_attached{program=\"a\"} 1\n"
            "zt_attached{program=\"b\",kind=\"tp\"} 0\n");
}

TEST(PrometheusText, FamilyWithoutSamplesIsStillDescribed) {
  EXPECT_EQ(RenderPrometheusText({{"zt_empty", "Nothing yet.", MetricType::kGauge, {}}}),
            "# HELP zt_empty Nothing yet.\n# TYPE zt_empty gauge\n");
}

TEST(PrometheusText, LargeCountersPrintAllTheirDigits) {
  const std::string text =
      RenderPrometheusText({{"zt_big_total", "Big.", MetricType::kCounter, {{{}, UINT64_MAX}}}});
  EXPECT_NE(text.find("zt_big_total 18446744073709551615\n"), std::string::npos) << text;
}

TEST(PrometheusText, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue(R"(C:\path "quoted")" "\nnext"), R"(C:\\path \"quoted\"\nnext)");
  EXPECT_EQ(EscapeLabelValue("plain-value_1.2"), "plain-value_1.2");
  const std::string text = RenderPrometheusText(
      {{"zt_x", "X.", MetricType::kGauge, {{{{"program", "a\"b\\c\nd"}}, 1}}}});
  EXPECT_NE(text.find("zt_x{program=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(PrometheusText, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(EscapeHelpText("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
  const std::string text =
      RenderPrometheusText({{"zt_y", "line one\nline two", MetricType::kCounter, {}}});
  EXPECT_EQ(text, "# HELP zt_y line one\\nline two\n# TYPE zt_y counter\n");
}

}  // namespace
}  // namespace zerotrace::telemetry
