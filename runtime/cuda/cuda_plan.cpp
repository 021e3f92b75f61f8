#include "cuda/cuda_plan.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/fusion.h"
#include "core/quant_math.h"
#include "cuda/kernel_sources.h"
#include "data/pixel_input.h"

namespace adderq::cuda {
namespace {

constexpr int kAdderThreads = 128;
constexpr int kMaxChannelTile = 16;
constexpr int kMaxGridY = 65535;

class PlanBuilder {
 public:
  PlanBuilder(const Graph& g, const PlanOptions& options) : g_(g), options_(options), fused_(PlanFusion(g)) {}

  Result<CudaPlan> Build() {
    ADQ_RETURN_IF_ERROR(CheckLayerKernels(g_, options_.layers));
    if (options_.fuse_codes) PlanFusedCodes();
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (fused_[i].absorbed) {
        plan_.fused_nodes++;
        continue;
      }
      ADQ_RETURN_IF_ERROR(AddNode(i).WithContext(fmt::format("CUDA plan for node '{}'", g_.nodes[i].name)));
    }
    for (const PlanStep& s : plan_.steps)  // channel groups run along grid.y, which CUDA caps
      if (s.grid_y > kMaxGridY)
        return Unsupported("CUDA plan for node '{}': {} output channel groups (at most {})", g_.nodes[s.node].name, s.grid_y, kMaxGridY);
    AddPixelInput();
    AssignSlots();
    AssignCodeBuffers();
    return std::move(plan_);
  }

 private:
  const Graph& g_;
  const PlanOptions options_;
  std::vector<FusedNode> fused_;  // the same fusion decisions as the CPU executor
  CudaPlan plan_;
  std::map<std::string, int> variant_index_;
  // Fused codes, decided before any step is built (PlanFusedCodes): per node, the consumer whose
  // codes its epilogue writes and whether its float output is still read; per consumer, the code
  // buffer (an id until AssignCodeBuffers) its producer's step writes.
  std::vector<int> codes_for_, shortcut_codes_for_;
  std::vector<bool> float_read_;
  std::map<size_t, int> codes_of_consumer_;
  int code_ids_ = 0;

  int NewCodes(size_t words_per_image) {
    plan_.max_codes_words_per_image = std::max(plan_.max_codes_words_per_image, words_per_image);
    return code_ids_++;
  }

  // The kernel options for one layer: its own choice where PlanOptions::layers has one (what it
  // leaves at 0 is the default, not the plan's option: a tuned layer runs as it was timed), else
  // the plan's options.
  LayerKernel KernelFor(const Node& n) const {
    LayerKernel k{options_.adder, options_.simd_pixels, options_.tc_n_tiles, options_.tc_m_tiles};
    if (auto it = options_.layers.find(n.name); it != options_.layers.end()) {
      k = it->second;
      if (k.adder == AdderKernel::kAuto) k.adder = options_.adder;
    }
    if (k.simd_pixels <= 0) k.simd_pixels = kDefaultSimdPixels;
    if (k.tc_n_tiles <= 0 || k.tc_m_tiles <= 0) k.tc_n_tiles = k.tc_m_tiles = 0;
    return k;
  }
  bool TensorCoresFor(const Node& n) const {
    const AdderKernel adder = KernelFor(n).adder;
    const bool wanted = adder == AdderKernel::kTensorCore || (adder == AdderKernel::kAuto && kTensorCoreAdderByDefault);
    if (!wanted || !TensorCoreAdderSupported(n.quant.bits, options_.arch)) return false;
    const int lanes = 32 >> n.quant.bits;  // thermometer elements per word (AddTensorCoreAdder)
    return (n.in_channels + lanes * 8 - 1) / (lanes * 8) * 8 <= kMaxTensorCoreWords;
  }
  static bool IsFloatConvolution(const Node& n) {
    return n.kind == OpKind::kConv2d || (n.kind == OpKind::kAdder2d && !n.quant.enabled());
  }
  // A quantized adder layer run by the packed-SIMD kernel with one quantizer set (which then holds
  // every channel in order): what both ends of fused codes need.
  bool PackedSimdWithOneSet(const Node& n) const {
    return n.kind == OpKind::kAdder2d && n.quant.enabled() && n.quant.bits >= 2 && n.quant.bits <= 8 &&
           !TensorCoresFor(n) && QuantizerSets(n.quant, n.out_channels).size() == 1;
  }

  // For each quantized adder layer whose input is the output of another layer (after its fused
  // residual and ReLU), the producer's epilogue writes the consumer's codes when the consumer runs
  // the packed-SIMD kernel with one quantizer set and reads every pixel, and the producer is such
  // a layer whose threads hold whole code words or a float convolution (the stem). The first such
  // consumer of a tensor gets them; the others quantize it as before, except a subsampled 1x1
  // shortcut of the same bits beside it: an adder producer writes its codes too (the pixels it
  // reads, under its multiplier), so a ResNet's block input needs no quantize step at all.
  void PlanFusedCodes() {
    const size_t N = g_.nodes.size();
    codes_for_.assign(N, -1);
    shortcut_codes_for_.assign(N, -1);
    float_read_.assign(N, true);
    std::map<int, size_t> producer_of;  // tensor -> the node whose step finally writes it
    for (size_t i = 0; i < N; ++i)
      if (!fused_[i].absorbed) producer_of[fused_[i].output] = i;
    auto producer_for = [&](const Node& consumer) -> int {
      if (!PackedSimdWithOneSet(consumer)) return -1;
      auto it = producer_of.find(consumer.inputs[0]);
      return it == producer_of.end() ? -1 : int(it->second);  // none: the graph input
    };
    auto subsampled = [&](const Node& consumer) {
      const Shape3 in = g_.ShapeOf(consumer.inputs[0]), out = g_.ShapeOf(consumer.output);
      return CodedInputOf(consumer, in, out).stride != consumer.stride;
    };
    // A packed-SIMD producer's threads hold a channel tile of a pixel, a float convolution's
    // (the stem) 4, 8 or 16 channels: whole code words either way, where the tile allows.
    auto packed_producer = [&](const Node& producer) {
      return PackedSimdWithOneSet(producer) && ChannelTile(producer, g_.ShapeOf(producer.inputs[0])) % kCodeLanes == 0;
    };
    for (size_t c = 0; c < N; ++c) {
      const int p = fused_[c].absorbed ? -1 : producer_for(g_.nodes[c]);
      if (p < 0 || subsampled(g_.nodes[c]) || codes_for_[size_t(p)] >= 0) continue;
      if (packed_producer(g_.nodes[size_t(p)]) || IsFloatConvolution(g_.nodes[size_t(p)])) codes_for_[size_t(p)] = int(c);
    }
    for (size_t c = 0; c < N; ++c) {
      const int p = fused_[c].absorbed ? -1 : producer_for(g_.nodes[c]);
      if (p < 0 || !subsampled(g_.nodes[c]) || codes_for_[size_t(p)] < 0 || shortcut_codes_for_[size_t(p)] >= 0) continue;
      const Node& producer = g_.nodes[size_t(p)];
      // The kernel packs both code sets with one set of lane constants: the same bits and offset.
      const AdderQuantParams& first = g_.nodes[size_t(codes_for_[size_t(p)])].quant;
      if (packed_producer(producer) && first.bits == g_.nodes[c].quant.bits && first.code_kind == g_.nodes[c].quant.code_kind)
        shortcut_codes_for_[size_t(p)] = int(c);
    }
    // Floats are still needed where anything else reads the tensor (a residual, another layer, the output).
    for (size_t p = 0; p < N; ++p) {
      if (codes_for_[p] < 0) continue;
      const int t = g_.nodes[size_t(codes_for_[p])].inputs[0];
      bool read = t == g_.output;
      for (size_t j = 0; j < N && !read; ++j)
        if (int(j) != codes_for_[p] && int(j) != shortcut_codes_for_[p])
          read = std::find(g_.nodes[j].inputs.begin(), g_.nodes[j].inputs.end(), t) != g_.nodes[j].inputs.end();
      float_read_[p] = read;
    }
  }

  // Where node i's epilogue writes its consumers' codes (PlanFusedCodes): their layout and
  // quantizers, the buffers (ids), and whether its floats are still written.
  struct FusedCodesOut {
    CodesOut codes;
    bool float_out = true;
    int buffer = -1, shortcut_buffer = -1;
    float multiplier = 0.f, shortcut_multiplier = 0.f;
  };
  FusedCodesOut PlanCodesOut(size_t i, Shape3 out) {
    FusedCodesOut f;
    if (codes_for_.empty() || codes_for_[i] < 0) return f;
    const size_t consumer = size_t(codes_for_[i]);
    const Node& c = g_.nodes[consumer];
    f.codes = {true, (out.c + kCodeLanes - 1) / kCodeLanes, c.quant.bits};
    f.codes.code_kind = c.quant.code_kind;
    f.float_out = float_read_[i];
    f.multiplier = QuantizerSets(c.quant, c.out_channels).front().first;
    f.buffer = NewCodes(size_t(out.h) * size_t(out.w) * size_t(f.codes.words_per_pixel));
    codes_of_consumer_[consumer] = f.buffer;
    plan_.fused_codes++;
    if (shortcut_codes_for_[i] >= 0) {
      const size_t shortcut = size_t(shortcut_codes_for_[i]);
      const Node& sc = g_.nodes[shortcut];
      const Shape3 coded = CodedInputOf(sc, out, g_.ShapeOf(sc.output)).shape;
      f.codes.shortcut_stride = sc.stride;
      f.codes.shortcut_h = coded.h, f.codes.shortcut_w = coded.w;
      f.shortcut_multiplier = QuantizerSets(sc.quant, sc.out_channels).front().first;
      f.shortcut_buffer = NewCodes(size_t(coded.h) * size_t(coded.w) * size_t(f.codes.words_per_pixel));
      codes_of_consumer_[shortcut] = f.shortcut_buffer;
      plan_.fused_codes++;
    }
    return f;
  }

  int Variant(std::string name, std::string source) {
    auto [it, inserted] = variant_index_.emplace(source, int(plan_.variants.size()));
    if (inserted) plan_.variants.push_back({std::move(name), std::move(source)});
    return it->second;
  }

  Status AddNode(size_t i) {
    const Node& n = g_.nodes[i];
    const Shape3 in = g_.ShapeOf(n.inputs[0]);
    const Shape3 out = g_.ShapeOf(n.output);
    PlanStep s;
    s.node = i;
    s.input = n.inputs[0];
    switch (n.kind) {
      case OpKind::kAdder2d:
        if (n.quant.enabled()) return AddQuantAdder(i, in, out);
        [[fallthrough]];
      case OpKind::kConv2d: {
        const Epilogue e{fused_[i].residual >= 0, fused_[i].relu};
        s.kind = StepKind::kConvLikeFloat;
        s.residual = fused_[i].residual;
        ConvLikeFloatSpec spec{n.kind == OpKind::kAdder2d, in.c, in.h, in.w, out.c, out.h, out.w,
                               n.kernel_h, n.kernel_w, n.stride, n.padding, e};
        const size_t taps = size_t(in.c) * size_t(n.kernel_h) * size_t(n.kernel_w);
        spec.channels_per_thread = FloatConvChannelsPerThread(out.c, taps);
        spec.shared_weights = taps * size_t(spec.channels_per_thread) <= kMaxSharedWords;
        const FusedCodesOut fused_out = PlanCodesOut(i, out);  // never a shortcut's (PlanFusedCodes)
        spec.codes_out = fused_out.codes, spec.float_out = fused_out.float_out;
        s.codes_out = fused_out.buffer, s.codes_out_multiplier = fused_out.multiplier;
        s.output = spec.float_out ? fused_[i].output : -1;
        s.variant = Variant(fmt::format("{}_c{}_{}x{}_o{}_k{}x{}_s{}_p{}{}{}_ob{}{}{}{}", spec.adder ? "adder_f32" : "conv_f32",
                                        in.c, in.h, in.w, out.c, n.kernel_h, n.kernel_w, n.stride, n.padding,
                                        e.residual ? "_res" : "", e.relu ? "_relu" : "", spec.channels_per_thread,
                                        spec.shared_weights ? "" : "_gw",
                                        spec.codes_out.enabled ? fmt::format("_codes{}", spec.codes_out.bits) : "",
                                        spec.float_out ? "" : "_nofloat"),
                            ConvLikeFloatSource(spec));
        s.threads_per_image = size_t(out.h) * size_t(out.w);
        s.block = 128;
        s.grid_y = (out.c + spec.channels_per_thread - 1) / spec.channels_per_thread;
        s.weight = FloatConvWeights(n.weight, out.c, taps, spec.channels_per_thread);
        s.scale = n.affine_scale;
        s.shift = n.affine_shift;
        break;
      }
      case OpKind::kLinear:
        s.kind = StepKind::kLinear;
        s.output = n.output;
        s.variant = Variant(fmt::format("linear_{}x{}", n.in_channels, n.out_channels),
                            LinearSource(n.in_channels, n.out_channels));
        s.threads_per_image = size_t(n.out_channels);
        s.weight = n.weight;
        s.scale = n.affine_scale;
        s.shift = n.affine_shift;
        break;
      case OpKind::kAvgPool: {
        s.kind = StepKind::kAvgPool;
        s.output = n.output;
        const bool staged = GlobalAvgPoolStaged(in.h, in.w, n.pool_kernel, out.h, out.w);
        s.variant = Variant(fmt::format("avgpool_c{}_{}x{}_k{}_s{}{}", in.c, in.h, in.w, n.pool_kernel, n.pool_stride, staged ? "_smem" : ""),
                            AvgPoolSource(in.c, in.h, in.w, n.pool_kernel, n.pool_stride, out.h, out.w));
        s.threads_per_image = out.size();
        if (staged) s.block = 128;  // the kernel's planes per block
        s.scalar = 1.f / float(n.pool_kernel * n.pool_kernel);  // as the CPU kernel computes it
        break;
      }
      case OpKind::kMaxPool:
        s.kind = StepKind::kMaxPool;
        s.output = n.output;
        s.variant = Variant(fmt::format("maxpool_c{}_{}x{}_k{}_s{}_p{}", in.c, in.h, in.w, n.pool_kernel, n.pool_stride, n.pool_padding),
                            MaxPoolSource(in.c, in.h, in.w, n.pool_kernel, n.pool_stride, n.pool_padding, out.h, out.w));
        s.threads_per_image = out.size();
        break;
      case OpKind::kBatchNorm: {
        s.kind = StepKind::kBatchNorm;
        s.output = n.output;
        s.variant = Variant(fmt::format("batchnorm_c{}_{}", in.c, in.h * in.w), BatchNormSource(in.c, in.h * in.w));
        s.threads_per_image = out.size();
        for (size_t c = 0; c < n.bn_gamma.size(); ++c) {
          const float a = n.bn_gamma[c] / std::sqrt(n.bn_var[c] + n.bn_eps);
          s.scale.push_back(a);
          s.shift.push_back(n.bn_beta[c] - a * n.bn_mean[c]);
        }
        break;
      }
      case OpKind::kRelu:
      case OpKind::kFlatten:
      case OpKind::kAdd: {
        s.kind = StepKind::kElementwise;
        const bool add = n.kind == OpKind::kAdd;
        if (add) s.input2 = n.inputs[1];
        s.output = fused_[i].output;
        const bool relu = n.kind == OpKind::kRelu || fused_[i].relu;
        s.variant = Variant(fmt::format("{}{}", add ? "add" : relu ? "relu" : "copy", add && relu ? "_relu" : ""),
                            ElementwiseSource(add, relu));
        s.threads_per_image = out.size();
        break;
      }
    }
    plan_.steps.push_back(std::move(s));
    return Status::Ok();
  }

  // Output channels per thread of the float convolution: 16 where they divide the layer (the
  // ResNet stem and adder layers), else 8 or 4, the last group padded; fewer where 16 filters
  // would not fit the shared memory but fewer would.
  static int FloatConvChannelsPerThread(int out_c, size_t taps) {
    for (int k : {16, 8})
      if (out_c % k == 0 && taps * size_t(k) <= kMaxSharedWords) return k;
    return 4;
  }
  // [out_c][taps] regrouped as ConvLikeFloatSource reads it: [groups][taps][k], padding channels 0.
  static std::vector<float> FloatConvWeights(const std::vector<float>& w, int out_c, size_t taps, int k) {
    const size_t groups = (size_t(out_c) + size_t(k) - 1) / size_t(k);
    std::vector<float> out(groups * taps * size_t(k), 0.f);
    for (size_t o = 0; o < size_t(out_c); ++o)
      for (size_t t = 0; t < taps; ++t) out[((o / size_t(k)) * taps + t) * size_t(k) + o % size_t(k)] = w[o * taps + t];
    return out;
  }

  // Output channels per block of the packed-SIMD kernel: their filters fit the shared memory.
  static int ChannelTile(const Node& n, Shape3 in) {
    const int words = (in.c + kCodeLanes - 1) / kCodeLanes;
    const size_t per_channel = size_t(n.kernel_h) * size_t(n.kernel_w) * size_t(words);
    const int fits = int(std::min<size_t>(kMaxChannelTile, kMaxSharedWords / std::max<size_t>(per_channel, 1)));
    // A multiple of the code lanes (the kernel's epilogue packs whole words): 10 -> 8 for the
    // 3x3 layers of 512 channels.
    return fits / kCodeLanes * kCodeLanes;
  }

  // Channel sets that share one quantizer (equal multiplier), as the CPU kernel groups them.
  static std::vector<std::pair<float, std::vector<int>>> QuantizerSets(const AdderQuantParams& q, int out_c) {
    std::vector<std::pair<float, std::vector<int>>> sets;
    for (int o = 0; o < out_c; ++o) {
      const float m = quant::ActivationMultiplier(q.group_scale[size_t(q.channel_group[size_t(o)])], q.bits);
      auto it = std::find_if(sets.begin(), sets.end(), [&](const auto& st) { return st.first == m; });
      if (it == sets.end()) it = sets.insert(sets.end(), {m, {}});
      it->second.push_back(o);
    }
    return sets;
  }

  // The input of one quantizer set as codes (one thread per code word) in the codes scratch.
  // What an adder layer's quantize step codes: the whole input, or for a 1x1 layer with a stride
  // and no padding (the ResNet shortcuts) only the pixels it reads, a stride^2 smaller image over
  // which the layer then runs at stride 1.
  struct CodedInput {
    Shape3 shape;
    int stride;  // the adder kernel's stride over the codes
    QuantizeSpec Spec(int words, int lanes, const AdderQuantParams& quant, bool thermometer, Shape3 in, int layer_stride) const {
      QuantizeSpec q{in.c, shape.h * shape.w, words, lanes, quant.bits, thermometer};
      q.code_kind = quant.code_kind;
      if (stride != layer_stride) q.stride = layer_stride, q.in_h = in.h, q.in_w = in.w, q.coded_w = shape.w;
      return q;
    }
  };
  static CodedInput CodedInputOf(const Node& n, Shape3 in, Shape3 out) {
    if (n.kernel_h == 1 && n.kernel_w == 1 && n.padding == 0 && n.stride > 1) return {{in.c, out.h, out.w}, 1};
    return {in, n.stride};
  }

  // Returns the code buffer it writes.
  int AddQuantizeStep(size_t i, int variant, float multiplier, size_t words_per_image) {
    PlanStep qs;
    qs.kind = StepKind::kQuantize;
    qs.node = i;
    qs.variant = variant;
    qs.input = g_.nodes[i].inputs[0];
    qs.scalar = multiplier;
    qs.threads_per_image = words_per_image;
    qs.codes_words_per_image = words_per_image;
    qs.codes = NewCodes(words_per_image);
    plan_.steps.push_back(std::move(qs));
    return plan_.steps.back().codes;
  }

  Status AddQuantAdder(size_t i, Shape3 in, Shape3 out) {
    const Node& n = g_.nodes[i];
    const AdderQuantParams& q = n.quant;
    const int bits = q.bits;
    if (bits < 2 || bits > 8) return Unsupported("{}-bit adder layers (2..8 are supported)", bits);
    if (TensorCoresFor(n)) return AddTensorCoreAdder(i, in, out);
    const int lanes = kCodeLanes;
    const int lane_bits = 32 / lanes;
    const int words = (in.c + lanes - 1) / lanes;
    const quant::WeightCodeKind kind = q.code_kind;
    const uint32_t offset = uint32_t(quant::ByteCodeOffset(bits, kind));
    const bool sum_bias = bits > 7 && kind == quant::WeightCodeKind::kSignedDoubled;
    // Unsigned codes' variants are named apart (their sources differ in the offset only).
    const char* kind_suffix = kind == quant::WeightCodeKind::kUnsigned ? "_u" : "";
    const size_t per_channel = size_t(n.kernel_h) * size_t(n.kernel_w) * size_t(words);
    if (per_channel > kMaxSharedWords / kCodeLanes)
      return Unsupported("adder filters of {} packed words (at most {})", per_channel, kMaxSharedWords / kCodeLanes);
    const int tile = ChannelTile(n, in);
    // Volta (sm_72, Jetson Xavier): ptxas (NVRTC 11.8) spilled 40 bytes at 80 registers in the
    // 64-channel 3x3 layers with 16-word chunks, and none with 8; later architectures keep 16.
    int chunk = std::min(words, options_.arch < 75 ? 8 : 16);
    while (words % chunk) --chunk;

    const auto sets = QuantizerSets(q, out.c);

    const Epilogue e{fused_[i].residual >= 0, fused_[i].relu};
    const int residual = fused_[i].residual;
    const CodedInput coded = CodedInputOf(n, in, out);
    // Fused codes: this layer's epilogue writes its consumer's codes (and maybe no floats); its
    // own codes may come from its producer's epilogue instead of a quantize step.
    const FusedCodesOut fused_out = PlanCodesOut(i, out);
    const CodesOut& codes_out = fused_out.codes;
    const bool float_out = fused_out.float_out;
    const auto fused_input = codes_of_consumer_.find(i);
    const int final_out = float_out ? fused_[i].output : -1;
    const QuantizeSpec qspec = coded.Spec(words, lanes, q, false, in, n.stride);
    const int pixels = KernelFor(n).simd_pixels;
    if (pixels > kMaxSimdPixels) return InvalidArgument("{} pixels per thread (at most {})", pixels, kMaxSimdPixels);
    const AdderQuantSpec aspec{coded.shape.h, coded.shape.w, words, lanes, bits, n.kernel_h, n.kernel_w, coded.stride, n.padding,
                               out.c, out.h, out.w, tile, chunk, kAdderThreads, e, pixels, codes_out, float_out, kind};
    const int avariant = Variant(fmt::format("adder_b{}{}_c{}_{}x{}_o{}_k{}x{}_s{}_p{}{}{}{}{}{}{}", bits, kind_suffix, in.c, in.h, in.w, out.c,
                                             n.kernel_h, n.kernel_w, n.stride, n.padding, e.residual ? "_res" : "",
                                             e.relu ? "_relu" : "", pixels > 1 ? fmt::format("_px{}", pixels) : "",
                                             codes_out.enabled ? fmt::format("_codes{}{}", codes_out.bits,
                                                                             codes_out.code_kind == quant::WeightCodeKind::kUnsigned ? "u" : "")
                                                               : "",
                                             codes_out.shortcut_stride > 0 ? fmt::format("_sc{}", codes_out.shortcut_stride) : "",
                                             float_out ? "" : "_nofloat"),
                                 AdderQuantSource(aspec));
    const size_t K = size_t(in.c) * size_t(n.kernel_h) * size_t(n.kernel_w);
    for (const auto& [multiplier, channels] : sets) {
      PlanStep as;
      if (fused_input != codes_of_consumer_.end()) {
        as.codes = fused_input->second;  // written by the producer's epilogue (one set: this loop runs once)
      } else {
        const int qvariant = Variant(fmt::format("quantize_b{}{}_c{}_{}x{}{}", bits, kind_suffix, in.c, in.h, in.w,
                                                 qspec.stride > 1 ? fmt::format("_every{}", qspec.stride) : ""),
                                     QuantizeSource(qspec));
        as.codes = AddQuantizeStep(i, qvariant, multiplier, size_t(coded.shape.h) * size_t(coded.shape.w) * size_t(words));
      }
      as.kind = StepKind::kAdderQuant;
      as.node = i;
      as.variant = avariant;
      as.residual = residual;
      as.output = final_out;
      as.codes_out = fused_out.buffer;
      as.codes_out_multiplier = fused_out.multiplier;
      as.shortcut_codes_out = fused_out.shortcut_buffer;
      as.shortcut_codes_multiplier = fused_out.shortcut_multiplier;
      as.block = kAdderThreads;
      as.items_per_block = kAdderThreads * pixels;
      as.threads_per_image = size_t(out.h) * size_t(out.w);
      as.set_channels = int(channels.size());
      as.grid_y = (as.set_channels + tile - 1) / tile;
      as.scale = n.affine_scale;
      as.shift = n.affine_shift;
      as.channel_map.assign(channels.begin(), channels.end());
      // Byte lanes as quant::WeightByte gives them, padding channels the offset
      // (matching the activation padding lanes, so |a - w| = 0 there); at 8 bits each channel's sum bias.
      as.packed_weights.assign(channels.size() * per_channel, 0u);
      if (sum_bias) as.sum_bias.assign(channels.size(), 0);
      for (size_t r = 0; r < channels.size(); ++r) {
        const int16_t* codes = q.codes.data() + size_t(channels[r]) * K;
        for (int ki = 0; ki < n.kernel_h; ++ki)
          for (int kj = 0; kj < n.kernel_w; ++kj)
            for (int w = 0; w < words; ++w) {
              uint32_t word = 0;
              for (int lane = 0; lane < lanes; ++lane) {
                const int c = w * lanes + lane;
                if (c >= in.c) {
                  word |= offset << (lane * lane_bits);
                  continue;
                }
                const int code = codes[(size_t(c) * size_t(n.kernel_h) + size_t(ki)) * size_t(n.kernel_w) + size_t(kj)];
                word |= uint32_t(quant::WeightByte(code, bits, kind)) << (lane * lane_bits);
                if (sum_bias) as.sum_bias[r] += quant::WeightByteBias(code, bits, kind);
              }
              as.packed_weights[r * per_channel + (size_t(ki) * size_t(n.kernel_w) + size_t(kj)) * size_t(words) + size_t(w)] = word;
            }
      }
      plan_.steps.push_back(std::move(as));
    }
    return Status::Ok();
  }

  // The same layer on the binary tensor cores (kernel_sources.h): thermometer codes of 2^b bits per
  // channel, 8-word (256-bit) k steps per pixel and tap.
  Status AddTensorCoreAdder(size_t i, Shape3 in, Shape3 out) {
    const Node& n = g_.nodes[i];
    const AdderQuantParams& q = n.quant;
    const int bits = q.bits;
    const int element_bits = 1 << bits;      // holds 2^b - 1 ones (activations) and 2^b - 2 (weights)
    const int lanes = 32 / element_bits;
    const int words = (in.c + lanes * 8 - 1) / (lanes * 8) * 8;
    const int taps = n.kernel_h * n.kernel_w;
    const LayerKernel k = KernelFor(n);
    const int n_tiles = std::min(k.tc_n_tiles > 0 ? k.tc_n_tiles : 8, (out.c + 7) / 8);
    // More pixels per warp when few channels share the A loads.
    const int m_tiles = k.tc_m_tiles > 0 ? k.tc_m_tiles : n_tiles <= 2 ? 4 : 2;

    const Epilogue e{fused_[i].residual >= 0, fused_[i].relu};
    const CodedInput coded = CodedInputOf(n, in, out);
    const QuantizeSpec qspec = coded.Spec(words, lanes, q, true, in, n.stride);
    const int qvariant = Variant(fmt::format("quantize_thermo_b{}_c{}_{}x{}{}", bits, in.c, in.h, in.w,
                                             qspec.stride > 1 ? fmt::format("_every{}", qspec.stride) : ""),
                                 QuantizeSource(qspec));
    const AdderTensorCoreSpec tspec{coded.shape.h, coded.shape.w, words, bits, n.kernel_h, n.kernel_w, coded.stride, n.padding,
                                    out.c, out.h, out.w, n_tiles, m_tiles, e};
    // Tiles other than the defaults are named, so a tuned plan's variants can be told apart.
    const int default_n = std::min(8, (out.c + 7) / 8), default_m = default_n <= 2 ? 4 : 2;
    const std::string tiles = n_tiles != default_n || m_tiles != default_m ? fmt::format("_t{}x{}", n_tiles, m_tiles) : "";
    const int tvariant = Variant(fmt::format("adder_tc_b{}_c{}_{}x{}_o{}_k{}x{}_s{}_p{}{}{}{}", bits, in.c, in.h, in.w, out.c,
                                             n.kernel_h, n.kernel_w, n.stride, n.padding, e.residual ? "_res" : "",
                                             e.relu ? "_relu" : "", tiles),
                                 AdderTensorCoreSource(tspec));
    const size_t K = size_t(in.c) * size_t(taps);
    for (const auto& [multiplier, channels] : QuantizerSets(q, out.c)) {
      PlanStep ts;
      ts.codes = AddQuantizeStep(i, qvariant, multiplier, size_t(coded.shape.h) * size_t(coded.shape.w) * size_t(words));
      ts.kind = StepKind::kAdderTensorCore;
      ts.node = i;
      ts.variant = tvariant;
      ts.residual = fused_[i].residual;
      ts.output = fused_[i].output;
      ts.block = 128;  // 4 warps
      ts.items_per_block = 4 * 16 * m_tiles;
      ts.threads_per_image = size_t(out.h) * size_t(out.w);  // work items: output pixels
      ts.set_channels = int(channels.size());
      ts.grid_y = (ts.set_channels + 8 * n_tiles - 1) / (8 * n_tiles);
      ts.scale = n.affine_scale;
      ts.shift = n.affine_shift;
      ts.channel_map.assign(channels.begin(), channels.end());
      // Weights as thermometer codes of max(v, 0), v = 2 q_w (signed codes) or q_w (unsigned),
      // [channels padded to the grid][tap][word] (padding channels and lanes all zero); sum |v| per
      // channel for the identity above. The activations' thermometer codes carry no offset, so both
      // code kinds share the quantize and adder kernels.
      const size_t padded = size_t(ts.grid_y) * size_t(n_tiles) * 8;
      const size_t per_channel = size_t(taps) * size_t(words);
      ts.packed_weights.assign(padded * per_channel, 0u);
      ts.weight_abs.assign(channels.size(), 0);
      for (size_t r = 0; r < channels.size(); ++r) {
        const int16_t* codes = q.codes.data() + size_t(channels[r]) * K;
        for (int c = 0; c < in.c; ++c)
          for (int tap = 0; tap < taps; ++tap) {
            const int v = quant::WeightGridValue(codes[size_t(c) * size_t(taps) + size_t(tap)], q.code_kind);
            ts.weight_abs[r] += std::abs(v);
            const uint32_t thermo = (1u << std::max(v, 0)) - 1u;
            ts.packed_weights[r * per_channel + size_t(tap) * size_t(words) + size_t(c / lanes)] |=
                thermo << ((c % lanes) * element_bits);
          }
      }
      plan_.steps.push_back(std::move(ts));
    }
    return Status::Ok();
  }

  // The pixels-to-floats step of a run from 8-bit pixels: one thread per 4 pixel positions of an
  // image where the plane allows (the kernel's 32-bit loads and 16-byte stores), else per position.
  void AddPixelInput() {
    const Shape3 in = g_.ShapeOf(g_.input);
    PlanStep& s = plan_.pixel_input;
    s.kind = StepKind::kPixelInput;
    s.output = g_.input;
    const int plane = in.h * in.w;
    s.variant = Variant(fmt::format("pixels_c{}_{}", in.c, plane), PixelInputSource(in.c, plane));
    s.threads_per_image = size_t(plane % 4 == 0 ? plane / 4 : plane);
    s.block = 256;
    s.weight = data::NormalizationTable(g_.meta.mean, g_.meta.std);
  }

  // Code buffers, as the activation slots: a step's codes_out (or a quantize step's codes) takes a
  // free buffer, and an adder step's codes return theirs after it; ids become buffer indices.
  void AssignCodeBuffers() {
    std::vector<int> last(size_t(code_ids_), -1), buffer(size_t(code_ids_), -1);
    for (size_t s = 0; s < plan_.steps.size(); ++s)
      if (plan_.steps[s].kind != StepKind::kQuantize && plan_.steps[s].codes >= 0) last[size_t(plan_.steps[s].codes)] = int(s);
    std::vector<int> free_buffers;
    for (size_t s = 0; s < plan_.steps.size(); ++s) {
      PlanStep& st = plan_.steps[s];
      for (int* written : {st.kind == StepKind::kQuantize ? &st.codes : &st.codes_out, &st.shortcut_codes_out}) {
        if (*written < 0) continue;
        int& b = buffer[size_t(*written)];
        if (free_buffers.empty()) b = plan_.code_buffers++;
        else b = free_buffers.back(), free_buffers.pop_back();
        *written = b;
      }
      if (st.kind != StepKind::kQuantize && st.codes >= 0) {
        const int id = st.codes;
        st.codes = buffer[size_t(id)];
        if (last[size_t(id)] == int(s)) free_buffers.push_back(st.codes);
      }
    }
  }

  // Activation buffers: a tensor takes a free slot when written and returns it after its last read.
  void AssignSlots() {
    const size_t T = g_.tensors.size();
    std::vector<int> last(T, -1);
    for (size_t s = 0; s < plan_.steps.size(); ++s)
      for (int t : {plan_.steps[s].input, plan_.steps[s].input2, plan_.steps[s].residual})
        if (t >= 0) last[size_t(t)] = int(s);
    plan_.tensor_slot.assign(T, -1);
    std::vector<int> free_slots;
    auto take = [&]() {
      if (free_slots.empty()) return plan_.slots++;
      const int slot = free_slots.back();
      free_slots.pop_back();
      return slot;
    };
    plan_.tensor_slot[size_t(g_.input)] = take();
    for (const Node& n : g_.nodes) plan_.slot_floats_per_image = std::max(plan_.slot_floats_per_image, g_.ShapeOf(n.output).size());
    plan_.slot_floats_per_image = std::max(plan_.slot_floats_per_image, g_.ShapeOf(g_.input).size());
    for (size_t s = 0; s < plan_.steps.size(); ++s) {
      const int out = plan_.steps[s].output;
      if (out >= 0 && plan_.tensor_slot[size_t(out)] < 0) plan_.tensor_slot[size_t(out)] = take();
      for (int t : {plan_.steps[s].input, plan_.steps[s].input2, plan_.steps[s].residual})
        if (t >= 0 && last[size_t(t)] == int(s) && t != g_.output) {
          free_slots.push_back(plan_.tensor_slot[size_t(t)]);
          last[size_t(t)] = -2;  // released once even when a step reads it twice
        }
    }
  }
};

}  // namespace

Result<AdderKernel> AdderKernelFromName(const std::string& name) {
  if (name == "auto") return AdderKernel::kAuto;
  if (name == "simd") return AdderKernel::kPackedSimd;
  if (name == "tensor-core") return AdderKernel::kTensorCore;
  return InvalidArgument("CUDA adder kernel must be auto, simd or tensor-core, not '{}'", name);
}

Status CheckLayerKernels(const Graph& graph, const std::map<std::string, LayerKernel>& layers) {
  for (const auto& [name, choice] : layers) {
    if (choice.simd_pixels < 0 || choice.simd_pixels > kMaxSimdPixels)
      return InvalidArgument("layer '{}': {} pixels per thread (1..{})", name, choice.simd_pixels, kMaxSimdPixels);
    if (choice.tc_n_tiles < 0 || choice.tc_n_tiles > 8 || choice.tc_m_tiles < 0 || choice.tc_m_tiles > 8)
      return InvalidArgument("layer '{}': tensor-core tiles {},{} (1..8 each)", name, choice.tc_n_tiles, choice.tc_m_tiles);
    const std::string& wanted = name;  // a structured binding: clang before 16 cannot capture it
    const auto node = std::find_if(graph.nodes.begin(), graph.nodes.end(), [&](const Node& n) { return n.name == wanted; });
    if (node == graph.nodes.end() || node->kind != OpKind::kAdder2d || !node->quant.enabled())
      return InvalidArgument("layer '{}' is not a quantized adder layer of this model", name);
  }
  return Status::Ok();
}

Result<CudaPlan> BuildCudaPlan(const Graph& graph, const PlanOptions& options) { return PlanBuilder(graph, options).Build(); }

}  // namespace adderq::cuda
