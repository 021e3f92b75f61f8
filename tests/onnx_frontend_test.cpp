// The ONNX front end: a hand-written model with every mapped operator class gives the graph it
// describes (checked against a float64 reference of the same network), shape arithmetic is
// folded, and malformed or unsupported files are one-line errors naming the operator and node.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "cpu/executor.h"
#include "frontends/checkpoint.h"
#include "frontends/onnx/onnx_graph.h"
#include "frontends/onnx/onnx_model.h"
#include "model_graph.h"
#include "onnx_models.h"

namespace adderq {
namespace {

using testing::FloatTensor;
using testing::IntsAttr;
using testing::OnnxModelBytes;
using testing::OnnxModelSpec;
using testing::SmallOnnxNet;
using testing::SmallOnnxNetSpec;

Result<Graph> Build(const std::vector<uint8_t>& bytes) {
  ADQ_ASSIGN_OR_RETURN(frontends::onnx::Model m, frontends::onnx::ParseModel(bytes));
  frontends::StateDict init = std::move(m.initializers);
  return frontends::onnx::BuildGraph(m, init);
}

// The float64 reference of SmallOnnxNetSpec, on one CHW image, from the initializers by name.
struct Tensor {
  int c = 0, h = 0, w = 0;
  std::vector<double> v;
  double& at(int ci, int y, int x) { return v[(size_t(ci) * size_t(h) + size_t(y)) * size_t(w) + size_t(x)]; }
};

class Reference {
 public:
  explicit Reference(const frontends::StateDict& sd) : sd_(sd) {}
  const std::vector<double>& P(const std::string& n) const { return sd_.Find(n)->values; }

  Tensor ConvLike(Tensor x, const std::string& w_name, int out_c, int k, int stride, int pad, bool adder, const std::string& bias = "") {
    const std::vector<double>& w = P(w_name);
    Tensor y{out_c, (x.h + 2 * pad - k) / stride + 1, (x.w + 2 * pad - k) / stride + 1, {}};
    y.v.assign(size_t(y.c * y.h * y.w), 0.0);
    for (int o = 0; o < out_c; ++o)
      for (int oy = 0; oy < y.h; ++oy)
        for (int ox = 0; ox < y.w; ++ox) {
          double acc = 0;
          for (int c = 0; c < x.c; ++c)
            for (int i = 0; i < k; ++i)
              for (int j = 0; j < k; ++j) {
                const int iy = oy * stride + i - pad, ix = ox * stride + j - pad;
                const double xv = (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) ? 0.0 : x.at(c, iy, ix);
                const double wv = w[((size_t(o) * size_t(x.c) + size_t(c)) * size_t(k) + size_t(i)) * size_t(k) + size_t(j)];
                acc += adder ? -std::abs(xv - wv) : xv * wv;
              }
          y.at(o, oy, ox) = acc + (bias.empty() ? 0.0 : P(bias)[size_t(o)]);
        }
    return y;
  }
  Tensor Bn(Tensor x, const std::string& p) {
    for (int c = 0; c < x.c; ++c)
      for (int i = 0; i < x.h * x.w; ++i) {
        double& v = x.v[size_t(c * x.h * x.w + i)];
        v = (v - P(p + ".running_mean")[size_t(c)]) / std::sqrt(P(p + ".running_var")[size_t(c)] + 1e-5) * P(p + ".weight")[size_t(c)] +
            P(p + ".bias")[size_t(c)];
      }
    return x;
  }
  static Tensor Relu(Tensor x) {
    for (double& v : x.v) v = std::max(v, 0.0);
    return x;
  }
  static Tensor MaxPool(Tensor x, int k, int s, int p) {
    Tensor y{x.c, (x.h + 2 * p - k) / s + 1, (x.w + 2 * p - k) / s + 1, {}};
    y.v.assign(size_t(y.c * y.h * y.w), -INFINITY);
    for (int c = 0; c < x.c; ++c)
      for (int oy = 0; oy < y.h; ++oy)
        for (int ox = 0; ox < y.w; ++ox)
          for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
              const int iy = oy * s + i - p, ix = ox * s + j - p;
              if (iy >= 0 && ix >= 0 && iy < x.h && ix < x.w) y.at(c, oy, ox) = std::max(y.at(c, oy, ox), x.at(c, iy, ix));
            }
    return y;
  }

 private:
  const frontends::StateDict& sd_;
};

std::vector<double> ReferenceForward(const frontends::StateDict& sd, const SmallOnnxNet& s, const std::vector<float>& image) {
  Reference r(sd);
  Tensor x{s.in_c, s.in_hw, s.in_hw, std::vector<double>(image.begin(), image.end())};
  x = r.ConvLike(x, "stem.weight", s.stem_c, 7, 2, 3, false, "stem.bias");
  Tensor pool = Reference::MaxPool(Reference::Relu(r.Bn(x, "bn0")), 3, 2, 1);
  Tensor y = r.Bn(r.ConvLike(pool, "a1.adder", s.stem_c, 3, 1, 1, true), "bn1");
  for (size_t i = 0; i < y.v.size(); ++i) y.v[i] += pool.v[i];
  y = Reference::Relu(y);
  y = Reference::Relu(r.Bn(r.ConvLike(y, "a2.adder", s.width, 1, 1, 0, true), "bn2"));
  std::vector<double> feat(size_t(s.width), 0.0);
  for (int c = 0; c < y.c; ++c) {
    for (int i = 0; i < y.h * y.w; ++i) feat[size_t(c)] += y.v[size_t(c * y.h * y.w + i)];
    feat[size_t(c)] /= double(y.h * y.w);
  }
  std::vector<double> logits(size_t(s.classes));
  for (int o = 0; o < s.classes; ++o) {
    double acc = r.P("fc.bias")[size_t(o)];
    for (int c = 0; c < s.width; ++c) acc += r.P("fc.weight")[size_t(o * s.width + c)] * feat[size_t(c)];
    logits[size_t(o)] = acc;
  }
  return logits;
}

TEST(OnnxFrontend, SmallNetworkMatchesAFloat64Reference) {
  for (int hw : {32, 45}) {  // even and odd sizes: the padded pooling's edges differ
    SmallOnnxNet s;
    s.in_hw = hw;
    const std::vector<uint8_t> bytes = OnnxModelBytes(SmallOnnxNetSpec(s));
    ASSERT_TRUE(frontends::onnx::LooksLikeOnnx(bytes));
    auto model = frontends::onnx::ParseModel(bytes);
    ASSERT_TRUE(model.ok()) << model.status().message();
    frontends::StateDict init = std::move(model.value().initializers);
    auto graph = frontends::onnx::BuildGraph(model.value(), init);
    ASSERT_TRUE(graph.ok()) << graph.status().message();
    const Graph& g = graph.value();
    std::vector<std::string> kinds;
    for (const Node& n : g.nodes) kinds.push_back(OpKindName(n.kind));
    EXPECT_EQ(kinds, (std::vector<std::string>{"conv2d", "batchnorm", "relu", "maxpool", "adder2d", "batchnorm", "add", "relu",
                                                "adder2d", "batchnorm", "relu", "avgpool", "flatten", "linear"}));
    EXPECT_EQ(g.meta.input_shape, (Shape3{3, hw, hw}));
    EXPECT_EQ(g.ShapeOf(g.output), (Shape3{s.classes, 1, 1}));

    std::mt19937 rng(7);
    const int images = 3;
    const std::vector<float> input = testing::RandomValues(size_t(images) * g.meta.input_shape.size(), -1.f, 1.f, rng);
    auto ex = Executor::Create(g, 2);
    ASSERT_TRUE(ex.ok()) << ex.status().message();
    std::vector<float> logits;
    ASSERT_TRUE(ex.value()->Run(input, images, logits).ok());
    for (int n = 0; n < images; ++n) {
      const std::vector<float> image(input.begin() + long(size_t(n) * g.meta.input_shape.size()),
                                     input.begin() + long(size_t(n + 1) * g.meta.input_shape.size()));
      const std::vector<double> want = ReferenceForward(init, s, image);
      for (int o = 0; o < s.classes; ++o)
        EXPECT_NEAR(logits[size_t(n * s.classes + o)], want[size_t(o)], 1e-4 * std::max(1.0, std::abs(want[size_t(o)])))
            << "image " << n << " logit " << o << " at " << hw << "x" << hw;
    }
  }
}

std::string ErrorOf(const std::vector<uint8_t>& bytes) {
  auto g = Build(bytes);
  return g.ok() ? std::string("(no error)") : g.status().message();
}

TEST(OnnxFrontend, UnsupportedOperatorsAreNamedWithTheirNode) {
  OnnxModelSpec m = SmallOnnxNetSpec({});
  m.nodes.push_back(testing::Op("Softmax", "probs", {"logits"}, {"p"}, {}));
  m.outputs = {testing::ValueInfo("p", {-1, 5})};
  EXPECT_EQ(ErrorOf(OnnxModelBytes(m)), "ONNX operator Softmax 'probs' is not supported (see the README's operator table)");

  OnnxModelSpec grouped = SmallOnnxNetSpec({});
  grouped.nodes[0].attributes.push_back(testing::IntAttr("group", 3));
  EXPECT_NE(ErrorOf(OnnxModelBytes(grouped)).find("Conv 'stem': group 3"), std::string::npos) << ErrorOf(OnnxModelBytes(grouped));

  OnnxModelSpec asym = SmallOnnxNetSpec({});
  asym.nodes[3].attributes = {IntsAttr("kernel_shape", {3, 3}), IntsAttr("strides", {2, 2}), IntsAttr("pads", {0, 0, 1, 1})};
  EXPECT_NE(ErrorOf(OnnxModelBytes(asym)).find("MaxPool 'pool': pads [0,0,1,1]"), std::string::npos) << ErrorOf(OnnxModelBytes(asym));

  OnnxModelSpec custom = SmallOnnxNetSpec({});
  custom.nodes[4].domain = "com.example";
  EXPECT_NE(ErrorOf(OnnxModelBytes(custom)).find("com.example"), std::string::npos);
}

TEST(OnnxFrontend, MalformedFilesAreOneLineErrors) {
  const std::vector<uint8_t> good = OnnxModelBytes(SmallOnnxNetSpec({}));
  ASSERT_TRUE(Build(good).ok());
  // Every truncation is an error (none crashes, none builds a graph).
  for (size_t cut = 1; cut < good.size(); cut += std::max<size_t>(1, good.size() / 97)) {
    const std::string e = ErrorOf({good.begin(), good.begin() + long(cut)});
    EXPECT_EQ(e.find('\n'), std::string::npos);
    EXPECT_NE(e, "(no error)") << "cut at " << cut;
  }
  // A tensor whose data does not match its dims.
  OnnxModelSpec m = SmallOnnxNetSpec({});
  m.initializers[0] = FloatTensor("stem.weight", {8, 3, 7, 7}, std::vector<float>(10, 0.f));
  EXPECT_EQ(ErrorOf(OnnxModelBytes(m)), "ONNX tensor 'stem.weight': 40 bytes of data for 1176 float values");
  // A weight computed from the input is refused, not misread.
  OnnxModelSpec dyn = SmallOnnxNetSpec({});
  dyn.nodes[4].inputs[1] = "pool_out";
  EXPECT_NE(ErrorOf(OnnxModelBytes(dyn)).find("must be a constant"), std::string::npos);
}

TEST(OnnxFrontend, DetectedByContentAndCompiledWithModelMetadata) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "adderq_onnx_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "small.model").string();  // no .onnx: detected by content
  SmallOnnxNet s;
  s.in_hw = 96;
  const std::vector<uint8_t> bytes = OnnxModelBytes(SmallOnnxNetSpec(s));
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  auto ckpt = frontends::ReadCheckpoint(path);
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
  EXPECT_EQ(ckpt.value().format, "onnx");
  auto g = compiler::BuildModelGraph(ckpt.value(), path, {});
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g.value().meta.architecture, "test_graph");
  EXPECT_EQ(g.value().meta.mean, (std::vector<float>{0.485f, 0.456f, 0.406f}));  // ImageNet's above 64x64
  EXPECT_EQ(g.value().meta.resize_shorter, 110);                               // 96 * 256 / 224
  EXPECT_EQ(g.value().meta.class_names.size(), 5u);

  const std::string labels = (dir / "labels.txt").string();
  f = std::fopen(labels.c_str(), "w");
  std::fputs("a\nb\nc\n", f);
  std::fclose(f);
  compiler::InputOptions o;
  o.labels_file = labels;
  EXPECT_EQ(compiler::BuildModelGraph(ckpt.value(), path, o).status().message(), labels + ": 3 class names for a model of 5 outputs");
  o.labels_file.clear();
  o.mean = {0.5f};
  EXPECT_EQ(compiler::BuildModelGraph(ckpt.value(), path, o).status().message(), "mean/std need 3 values (one per input channel), got 1");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace adderq
