#include "test_support.h"

#include <random>
#include <stdexcept>

#include "cpu/executor.h"
#include "core/quant_math.h"
#include "passes/fold_batchnorm.h"
#include "frontends/onnx/onnx_graph.h"
#include "onnx_models.h"
#include "resnet_cifar.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace adderq::testing {

std::string SharedPath(const std::string& rel) {
  std::string root = ADDERQ_SHARED_DIR;
  if (const char* env = std::getenv("ADDERQ_SHARED"); env && *env) root = env;
  const std::string p = root + "/" + rel;
  return std::filesystem::exists(p) ? p : std::string();
}

std::string FixturePath(const std::string& name) { return std::string(ADDERQ_FIXTURES_DIR) + "/" + name; }

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<uint8_t> Interleave(const std::vector<uint8_t>& planar, int channels, int plane) {
  const size_t C = size_t(channels), P = size_t(plane);
  std::vector<uint8_t> out(planar.size());
  for (size_t n = 0; n < planar.size() / (C * P); ++n)
    for (size_t c = 0; c < C; ++c)
      for (size_t p = 0; p < P; ++p) out[(n * P + p) * C + c] = planar[(n * C + c) * P + p];
  return out;
}

namespace {
template <typename In, typename W, typename Acc, typename F>
std::vector<Acc> NaiveConvLike(const std::vector<In>& x, Shape3 in, const std::vector<W>& w, int out_c, int kh, int kw,
                               int stride, int pad, F f) {
  const int oh = (in.h + 2 * pad - kh) / stride + 1, ow = (in.w + 2 * pad - kw) / stride + 1;
  std::vector<Acc> out(size_t(out_c) * size_t(oh) * size_t(ow));
  for (int o = 0; o < out_c; ++o)
    for (int y = 0; y < oh; ++y)
      for (int xx = 0; xx < ow; ++xx) {
        Acc acc = 0;
        for (int c = 0; c < in.c; ++c)
          for (int i = 0; i < kh; ++i)
            for (int j = 0; j < kw; ++j) {
              const int iy = y * stride + i - pad, ix = xx * stride + j - pad;
              const In v = (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) ? x[size_t((c * in.h + iy) * in.w + ix)] : In(0);
              acc += f(v, w[size_t(((o * in.c + c) * kh + i) * kw + j)]);
            }
        out[size_t((o * oh + y) * ow + xx)] = acc;
      }
  return out;
}
}  // namespace

std::vector<double> NaiveAdderDistance(const std::vector<float>& x, Shape3 in, const std::vector<float>& w, int out_c,
                                       int kh, int kw, int stride, int pad) {
  return NaiveConvLike<float, float, double>(x, in, w, out_c, kh, kw, stride, pad,
                                             [](float a, float b) { return std::abs(double(a) - double(b)); });
}

std::vector<int32_t> NaiveIntSums(const std::vector<int32_t>& qa, Shape3 in, const std::vector<int16_t>& qw,
                                  quant::WeightCodeKind kind, int out_c, int kh, int kw, int stride, int pad) {
  const int32_t factor = kind == quant::WeightCodeKind::kUnsigned ? 1 : 2;  // written out, not WeightGridValue
  return NaiveConvLike<int32_t, int16_t, int32_t>(qa, in, qw, out_c, kh, kw, stride, pad,
                                                  [factor](int32_t a, int16_t b) { return std::abs(a - factor * int32_t(b)); });
}

Graph WithUnsignedCodes(Graph g, uint32_t seed, const std::string& only) {
  std::mt19937 rng(seed);
  for (Node& n : g.nodes) {
    if (n.kind != OpKind::kAdder2d || !n.quant.enabled() || (!only.empty() && n.name != only)) continue;
    AdderQuantParams& q = n.quant;
    q.code_kind = quant::WeightCodeKind::kUnsigned;
    std::uniform_int_distribution<int> code(0, quant::Levels(q.bits));
    for (auto& c : q.codes) c = int16_t(code(rng));
    // Both ends of the range, where an offset or a sign extension would go wrong.
    q.codes.front() = 0;
    q.codes.back() = int16_t(quant::Levels(q.bits));
  }
  return g;
}

Graph QuantizedAdderLayer(Shape3 in, int out_c, int k, int stride, int pad, int bits, uint32_t seed) {
  Graph g = SingleLayerGraph(OpKind::kAdder2d, in, out_c, k, stride, pad, std::vector<float>(size_t(out_c * in.c * k * k), 0.f));
  Node& n = g.nodes[0];
  n.quant.bits = bits;
  n.quant.group_scale = {1.f, 0.5f, 2.f};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> code(-(1 << (bits - 1)), (1 << (bits - 1)) - 1);
  for (int o = 0; o < out_c; ++o) n.quant.channel_group.push_back(o % 3);
  for (size_t i = 0; i < n.WeightCount(); ++i) n.quant.codes.push_back(int16_t(code(rng)));
  n.quant.clamp_bias.assign(size_t(out_c), 0.f);
  n.quant.act_range = 1.f;
  n.weight.clear();
  n.affine_scale.assign(size_t(out_c), 1.f);
  n.affine_shift.assign(size_t(out_c), 0.f);
  return g;
}

Graph QuantizedAdderChain(Shape3 in, const std::vector<int>& out_channels, int bits, uint32_t seed) {
  Graph g = QuantizedAdderLayer(in, out_channels.at(0), 3, 1, 1, bits, seed);
  std::mt19937 rng(seed ^ 0x9e3779b9u);
  std::uniform_real_distribution<float> pixel(-0.5f, 1.5f), low(-0.3f, 0.f), high(1.f, 1.3f);
  std::vector<float> probe(4 * in.size());
  for (float& v : probe) v = pixel(rng);
  for (size_t l = 0; l < out_channels.size(); ++l) {
    if (l > 0) {
      const Graph next = QuantizedAdderLayer(g.ShapeOf(g.output), out_channels[l], 3, 1, 1, bits, seed + uint32_t(l));
      Node n = next.nodes[0];
      n.name = "layer" + std::to_string(l);
      n.inputs = {g.output};
      n.output = g.AddTensor(n.name, next.ShapeOf(next.output));
      g.output = n.output;
      g.nodes.push_back(std::move(n));
    }
    g.nodes.back().quant.group_scale = {1.f};
    g.nodes.back().quant.channel_group.assign(size_t(g.nodes.back().out_channels), 0);
    if (l + 1 == out_channels.size()) break;
    // The sums' range per channel over a few probe images (affine 1/0 so far), mapped to about
    // [-0.15, 1.15] of the next layer's range (group scale 1): its codes take every value, and
    // clip at both ends.
    auto cpu = Executor::Create(g, 1);
    std::vector<float> sums;
    if (!cpu.ok() || !(*cpu)->Run(probe, 4, sums).ok()) throw std::runtime_error("QuantizedAdderChain: probe run failed");
    Node& n = g.nodes.back();
    const Shape3 out = g.ShapeOf(n.output);
    for (int o = 0; o < out.c; ++o) {
      float lo = 1e30f, hi = -1e30f;
      for (int img = 0; img < 4; ++img)
        for (int p = 0; p < out.h * out.w; ++p) {
          const float v = sums[size_t(img) * out.size() + size_t(o) * size_t(out.h * out.w) + size_t(p)];
          lo = std::min(lo, v), hi = std::max(hi, v);
        }
      const float target_lo = low(rng), target_hi = high(rng);
      n.affine_scale[size_t(o)] = (target_hi - target_lo) / std::max(hi - lo, 1.f);
      n.affine_shift[size_t(o)] = target_lo - n.affine_scale[size_t(o)] * lo;
    }
    Node relu;
    relu.kind = OpKind::kRelu;
    relu.name = n.name + ".relu";
    relu.inputs = {n.output};
    relu.output = g.AddTensor(relu.name, out);
    g.output = relu.output;
    g.nodes.push_back(std::move(relu));
  }
  return g;
}

Graph ShortcutBlock(Shape3 in, int c0, int c1, int bits, uint32_t seed) {
  Graph g = QuantizedAdderChain(in, {c0, c1}, bits, seed);
  g.nodes.pop_back();  // the chain's last layer; the first layer and its ReLU stay
  const int t = g.nodes.back().output;
  auto add_layer = [&](const std::string& name, int k, int pad, float scale, uint32_t layer_seed) {
    const Graph one = QuantizedAdderLayer(g.ShapeOf(t), c1, k, 2, pad, bits, layer_seed);
    Node n = one.nodes[0];
    n.name = name;
    n.inputs = {t};
    n.quant.group_scale = {scale};
    n.quant.channel_group.assign(size_t(c1), 0);
    n.output = g.AddTensor(name, one.ShapeOf(one.output));
    g.nodes.push_back(std::move(n));
    return g.nodes.back().output;
  };
  const int conv = add_layer("block.conv", 3, 1, 1.f, seed + 7), shortcut = add_layer("block.shortcut", 1, 0, 1.25f, seed + 8);
  Node add;
  add.kind = OpKind::kAdd;
  add.name = "block.add";
  add.inputs = {conv, shortcut};
  add.output = g.output = g.AddTensor(add.name, g.ShapeOf(conv));
  g.nodes.push_back(std::move(add));
  return g;
}

Graph WithOneQuantizerGroup(Graph g) {
  for (Node& n : g.nodes)
    if (n.quant.enabled()) {
      n.quant.group_scale.resize(1);
      n.quant.channel_group.assign(n.quant.channel_group.size(), 0);
    }
  return g;
}

Graph InputOnlyGraph(Shape3 in) {
  Graph g;
  g.meta.input_shape = in;
  g.meta.mean.assign(size_t(in.c), 0.f);
  g.meta.std.assign(size_t(in.c), 1.f);
  g.input = g.AddTensor("input", in);
  return g;
}

Graph SingleLayerGraph(OpKind kind, Shape3 in, int out_c, int k, int stride, int pad, std::vector<float> weight) {
  Graph g = InputOnlyGraph(in);
  Node n;
  n.kind = kind;
  n.name = "layer";
  n.inputs = {g.input};
  n.out_channels = out_c;
  n.in_channels = in.c;
  n.kernel_h = n.kernel_w = k;
  n.stride = stride;
  n.padding = pad;
  n.weight = std::move(weight);
  n.affine_scale.assign(size_t(out_c), kind == OpKind::kAdder2d ? -1.f : 1.f);
  n.affine_shift.assign(size_t(out_c), 0.f);
  const int oh = (in.h + 2 * pad - k) / stride + 1, ow = (in.w + 2 * pad - k) / stride + 1;
  n.output = g.AddTensor("output", {out_c, oh, ow});
  g.output = n.output;
  g.nodes.push_back(std::move(n));
  return g;
}

Graph SampleFloatGraph() {
  std::vector<float> w(4 * 2 * 9);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(int(i % 9) - 4) * 0.5f;
  Graph g = SingleLayerGraph(OpKind::kAdder2d, {2, 5, 5}, 4, 3, 1, 1, w);
  g.meta.architecture = "sample";
  g.meta.class_names = {"a", "b", "c", "d"};
  return g;
}

Graph SampleQuantizedGraph() {
  Graph q = SampleFloatGraph();
  Node& n = q.nodes[0];
  n.quant.bits = 3;
  n.quant.group_scale = {1.f, 2.f};
  n.quant.channel_group = {0, 1, 1, 0};
  for (size_t i = 0; i < n.weight.size(); ++i) n.quant.codes.push_back(int16_t(int(i % 8) - 4));
  n.quant.clamp_bias = {0.f, -1.5f, 0.f, 0.f};
  n.quant.act_range = 1.f;
  n.weight.clear();
  q.meta.method = "adderquant";
  q.meta.compile_options = {{"bits", "3"}};
  return q;
}

// Every adder layer quantized with random codes (two groups, scales 1.5 and 2.25), BatchNorms
// folded: a graph with the shapes of a real artifact, for kernel generation and backend tests.
void QuantizeRandomly(Graph& g, int bits, std::mt19937& rng) {
  for (Node& n : g.nodes) {
    if (n.kind != OpKind::kAdder2d) continue;
    AdderQuantParams& q = n.quant;
    q.bits = bits;
    q.group_scale = {1.5f, 2.25f};
    q.channel_group.clear();
    for (int o = 0; o < n.out_channels; ++o) q.channel_group.push_back(o % 3 == 0 ? 1 : 0);
    std::uniform_int_distribution<int> code(quant::WeightCodeMin(bits), quant::WeightCodeMax(bits));
    q.codes.clear();
    for (size_t i = 0; i < n.WeightCount(); ++i) q.codes.push_back(int16_t(code(rng)));
    q.clamp_bias.assign(size_t(n.out_channels), 0.f);
    q.act_range = 1.5f;
    for (int o = 0; o < n.out_channels; ++o) {
      const float s = q.group_scale[size_t(q.channel_group[size_t(o)])];
      n.affine_scale[size_t(o)] = -s / float(quant::Levels(bits));
    }
    n.weight.clear();
  }
  g.meta.method = "adderquant";
  if (Status st = passes::FoldBatchNorms(g); !st.ok()) throw std::runtime_error(st.message());
  passes::CompactTensors(g);
}

Graph SyntheticResNet(int depth, int bits, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.5, 1.5);
  frontends::StateDict sd;
  auto tensor = [&](std::vector<int64_t> shape, double sd_scale) {
    frontends::TensorData t;
    t.shape = shape;
    size_t n = 1;
    for (int64_t d : shape) n *= size_t(d);
    for (size_t i = 0; i < n; ++i) t.values.push_back(normal(rng) * sd_scale);
    return t;
  };
  auto bn = [&](const std::string& p, int64_t c) {
    frontends::TensorData gamma = tensor({c}, 0.1), var = tensor({c}, 0.0);
    for (double& v : gamma.values) v += 1.0;
    for (double& v : var.values) v = uniform(rng) * 20.0;  // adder outputs are large; keep them O(1) after BN
    sd.Add(p + ".weight", gamma);
    sd.Add(p + ".bias", tensor({c}, 0.1));
    sd.Add(p + ".running_mean", tensor({c}, 1.0));
    sd.Add(p + ".running_var", var);
  };
  const int blocks = (depth - 2) / 6;
  sd.Add("conv1.weight", tensor({16, 3, 3, 3}, 0.3));
  bn("bn1", 16);
  int in = 16;
  for (int stage = 1; stage <= 3; ++stage) {
    const int out = 16 << (stage - 1);
    for (int b = 0; b < blocks; ++b) {
      const std::string p = "layer" + std::to_string(stage) + "." + std::to_string(b);
      sd.Add(p + ".conv1.adder", tensor({out, in, 3, 3}, 0.2));
      bn(p + ".bn1", out);
      sd.Add(p + ".conv2.adder", tensor({out, out, 3, 3}, 0.2));
      bn(p + ".bn2", out);
      if (in != out) {
        sd.Add(p + ".downsample.0.adder", tensor({out, in, 1, 1}, 0.2));
        bn(p + ".downsample.1", out);
      }
      in = out;
    }
  }
  sd.Add("fc.weight", tensor({10, 64, 1, 1}, 0.3));
  bn("bn2", 10);
  auto built = models::BuildCifarResNetAdder(sd);
  if (!built.ok()) throw std::runtime_error(built.status().message());
  Graph g = std::move(built).value();
  if (bits > 0) QuantizeRandomly(g, bits, rng);
  return g;
}

Graph SyntheticOnnxGraph(const OnnxModelSpec& spec, int bits, uint32_t seed) {
  auto model = frontends::onnx::ParseModel(OnnxModelBytes(spec));
  if (!model.ok()) throw std::runtime_error(model.status().message());
  frontends::StateDict init = std::move(model.value().initializers);
  auto built = frontends::onnx::BuildGraph(model.value(), init);
  if (!built.ok()) throw std::runtime_error(built.status().message());
  Graph g = std::move(built).value();
  std::mt19937 rng(seed);
  if (bits > 0) QuantizeRandomly(g, bits, rng);
  return g;
}

compiler::CompileOptions QuickCompileOptions(const std::string& ckpt, const std::string& data, int bits) {
  compiler::CompileOptions o;
  o.checkpoint = ckpt;
  o.calib_data = data;
  o.method = bits == 0 ? compiler::Method::kFullPrecision : compiler::Method::kAdderQuant;
  o.bits = bits == 0 ? 8 : bits;
  // 20 x 16 images, about 3 s: at 4 bits 66 % top-1 on the first 200 test images. With 2 batches
  // 4 bits gave byte-identical logits for the first test images (and 10 % top-1 without BatchNorm
  // re-estimation), which would hide a kernel or a chunk fed the wrong input.
  o.calib_batches = 20;
  o.batch_size = 16;
  o.progress = false;
  return o;
}

}  // namespace adderq::testing
