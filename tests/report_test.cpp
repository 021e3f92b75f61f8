// The HTML compile report: self-contained (no scripts, no external resources), one section per
// quantized adder layer with its A_l and group scales, the accuracy chart from eval JSON files,
// and bad eval files refused with one-line errors.
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "compile.h"
#include "report/html_report.h"
#include "report/svg_chart.h"
#include "test_support.h"

namespace adderq::report {
namespace {

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(Report, HistogramDrawsOneBarPerNonEmptyBinAndTheMarkers) {
  const std::vector<float> values = {0.1f, 0.1f, 0.5f, 0.9f, 5.f /* clamped into the last bin */};
  const std::string svg = HistogramSvg(values, {0, 1, "x"}, 10, "#000", {{0.5, "#f00", "A_l"}, {2.0, "#0f0", "off-axis"}});
  EXPECT_EQ(Count(svg, "<rect"), 1u + 4u);  // frame + bins 1, 5, 8 (0.9f is 0.8999...) and 9 (5 clamped)
  EXPECT_EQ(Count(svg, "stroke-dasharray"), 1u);
  EXPECT_NE(svg.find(">A_l<"), std::string::npos);
  EXPECT_EQ(svg.find("off-axis"), std::string::npos);
  EXPECT_EQ(EscapeHtml("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
}

TEST(Report, RealCompileGivesASelfContainedReport) {
  const std::string ckpt = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  const std::string data = testing::SharedPath("data/cifar-10-batches-bin");
  if (ckpt.empty() || data.empty()) GTEST_SKIP() << "../shared data not present";
  compiler::CompileOptions o;
  o.checkpoint = ckpt;
  o.calib_data = data;
  o.bits = 4;
  o.calib_batches = 2;
  o.batch_size = 32;
  o.bn_adjust = false;
  o.progress = false;
  o.collect_report_data = true;
  auto r = compiler::Compile(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->layer_data.size(), 20u);
  for (const auto& [name, d] : r->layer_data) {
    EXPECT_FALSE(d.float_weights.empty()) << name;
    EXPECT_GE(d.activation_sample.size(), 2u * 1024u) << name;  // about 1024 per batch
  }
  // Collecting report data changes nothing in the artifact.
  o.collect_report_data = false;
  auto plain = compiler::Compile(o);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->artifact, r->artifact);

  const std::vector<EvalPoint> evals = {{"fp.json", "fp", 0, 91.8, 99.7, 10000}, {"w4.json", "adderquant", 4, 90.65, 99.6, 10000},
                                        {"s4.json", "shared-scale", 4, 10.0, 50.0, 10000}};
  const std::string html = RenderHtmlReport(o, r.value(), evals);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(Count(html, "class=\"layer\""), 20u);
  // 20 layers x (weights + activations) histograms + 20 filter strips + 1 accuracy chart.
  EXPECT_EQ(Count(html, "<svg"), 61u);
  for (const char* external : {"<script", "<link", "src=", "url(", "@import"})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  // Every http reference is the SVG namespace, never something to fetch.
  EXPECT_EQ(Count(html, "http"), Count(html, "http://www.w3.org/2000/svg"));
  for (const Node& n : r->graph.nodes)
    if (n.kind == OpKind::kAdder2d) {
      EXPECT_NE(html.find(fmt::format("{} &mdash;", n.name)), std::string::npos) << n.name;
      EXPECT_NE(html.find(fmt::format("A<sub>l</sub> = {:.4g}", n.quant.act_range)), std::string::npos) << n.name;
    }
  // Which clamp each layer got (the default: one-sided, every ResNet-20 adder input is a ReLU's).
  EXPECT_EQ(Count(html, "bits, one-sided clamp"), 20u);
  EXPECT_EQ(Count(html, "<td>one-sided</td>"), 21u);  // the layer table and the options table
  EXPECT_EQ(Count(html, "outside [0, s<sub>g</sub>]"), 20u);
  EXPECT_NE(html.find(">90.65<"), std::string::npos);
  EXPECT_NE(html.find(">shared-scale<"), std::string::npos);
  EXPECT_NE(html.find("full precision"), std::string::npos);
}

TEST(Report, EvalJsonFilesAreCheckedWithOneLineErrors) {
  auto ok = ReadEvalJson(WriteTemp("ok.json", R"({"method":"adderquant","bits":4,"images":10000,"top1":90.65,"top5":99.6})"));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->bits, 4);
  EXPECT_DOUBLE_EQ(ok->top1, 90.65);
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"junk.json", "{not json"},
           {"array.json", "[1,2]"},
           {"nobits.json", R"({"method":"fp","images":1,"top1":50})"},
           {"range.json", R"({"method":"fp","bits":12,"images":1,"top1":50})"},
           {"nomethod.json", R"({"bits":4,"images":1,"top1":50})"}}) {
    auto r = ReadEvalJson(WriteTemp(name, text));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kBadInput) << name;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  }
  EXPECT_FALSE(ReadEvalJson("/nonexistent/eval.json").ok());
}

}  // namespace
}  // namespace adderq::report
