// The CUDA execution plan, built without a GPU: steps, fusion, buffer slots, packed weights.
#include <algorithm>
#include <bit>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/quant_math.h"
#include "cuda/chunk_size.h"
#include "cuda/cuda_plan.h"
#include "test_support.h"

namespace adderq::cuda {
namespace {

TEST(CudaPlan, ResNet20QuantizedStepsAndFusion) {
  const Graph g = testing::SyntheticResNet(20, 4, 1);
  ASSERT_TRUE(ValidateGraph(g).ok());
  auto plan = BuildCudaPlan(g, {90, AdderKernel::kPackedSimd});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  int adders = 0, relus = 0, adds = 0;
  for (const Node& n : g.nodes) {
    adders += n.kind == OpKind::kAdder2d;
    relus += n.kind == OpKind::kRelu;
    adds += n.kind == OpKind::kAdd;
  }
  EXPECT_EQ(adders, 20);  // 9 blocks x 2 + 2 downsample shortcuts
  int quantize = 0, adder = 0, elementwise = 0;
  for (const PlanStep& s : plan->steps) {
    quantize += s.kind == StepKind::kQuantize;
    adder += s.kind == StepKind::kAdderQuant;
    elementwise += s.kind == StepKind::kElementwise;
    ASSERT_GE(s.variant, 0);
    ASSERT_LT(size_t(s.variant), plan->variants.size());
  }
  // Two groups with different scales: two quantize + two adder steps per adder layer.
  EXPECT_EQ(quantize, 2 * adders);
  EXPECT_EQ(adder, 2 * adders);
  // Every ReLU and every residual add is folded into a producer's epilogue.
  EXPECT_EQ(plan->fused_nodes, relus + adds);
  EXPECT_LE(plan->slots, 4);  // input, block input, block middle, and one spare at most
  EXPECT_EQ(plan->slot_floats_per_image, size_t(16 * 32 * 32));
}

// Fused codes on ResNet-20 with one quantizer group per layer (as the official checkpoint
// compiles): every adder layer gets its codes from its producer's epilogue, layer1.0.conv1 from
// the stem's float convolution (whose floats are still written: the first block's residual), the
// two shortcuts (they read their input subsampled) from the same epilogue as the conv1 beside
// them; the conv1 layers' outputs (read only by conv2) and the two block inputs that only a conv1
// and a shortcut read are never written as floats; the codes live in a few buffers, and each
// adder step reads a buffer written before it.
TEST(CudaPlan, ResNet20FusedCodes) {
  const Graph g = testing::WithOneQuantizerGroup(testing::SyntheticResNet(20, 4, 1));
  auto plan = BuildCudaPlan(g, {90, AdderKernel::kPackedSimd, 0, 0, 0, true});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  int quantize = 0, adder = 0, no_float = 0, codes_out = 0, shortcut_codes_out = 0;
  std::set<std::string> no_float_nodes;
  std::vector<bool> written(size_t(plan->code_buffers), false);
  for (const PlanStep& s : plan->steps) {
    const std::string& name = g.nodes[s.node].name;
    if (s.kind == StepKind::kConvLikeFloat) {  // the stem (conv1) and the classifier (fc)
      EXPECT_GE(s.output, 0) << name;
      EXPECT_EQ(s.codes_out >= 0, name == "conv1") << name;
      if (s.codes_out >= 0) ++codes_out, written[size_t(s.codes_out)] = true;
      continue;
    }
    if (s.kind == StepKind::kQuantize) {
      ++quantize;
      ASSERT_GE(s.codes, 0);
      written[size_t(s.codes)] = true;
      continue;
    }
    if (s.kind != StepKind::kAdderQuant) continue;
    ++adder;
    ASSERT_GE(s.codes, 0) << name;
    ASSERT_LT(s.codes, plan->code_buffers) << name;
    EXPECT_TRUE(written[size_t(s.codes)]) << name << " reads a code buffer nothing wrote";
    EXPECT_NE(s.codes, s.codes_out) << name << " would overwrite the codes it reads";
    if (s.output < 0) {
      ++no_float;
      no_float_nodes.insert(name);
    }
    if (s.codes_out >= 0) {
      ++codes_out;
      written[size_t(s.codes_out)] = true;
      EXPECT_GT(s.codes_out_multiplier, 0.f);
    }
    if (s.shortcut_codes_out >= 0) {
      ++shortcut_codes_out;
      EXPECT_GE(s.codes_out, 0) << name;  // only beside the conv1's codes
      EXPECT_NE(s.shortcut_codes_out, s.codes_out) << name;
      EXPECT_NE(s.shortcut_codes_out, s.codes) << name;
      written[size_t(s.shortcut_codes_out)] = true;
      EXPECT_GT(s.shortcut_codes_multiplier, 0.f);
      EXPECT_NE(plan->variants[size_t(s.variant)].name.find("_sc2"), std::string::npos) << plan->variants[size_t(s.variant)].name;
    }
  }
  EXPECT_EQ(adder, 20);
  EXPECT_EQ(quantize, 0);
  // The stem, the nine conv1 layers and eight block ends (a block's end is its conv2, or where the
  // block has a shortcut, the shortcut: the node order folds the residual add into the later one).
  EXPECT_EQ(codes_out, 18);
  EXPECT_EQ(shortcut_codes_out, 2);
  EXPECT_EQ(plan->fused_codes, 20);
  EXPECT_EQ(no_float, 11);  // the nine conv1 layers and the last layer of stages 1 and 2
  for (const std::string& name : no_float_nodes)
    EXPECT_TRUE(name.find("conv1") != std::string::npos || name == "layer1.2.conv2" || name == "layer2.2.conv2") << name;
  EXPECT_LE(plan->code_buffers, 3);
  // Off (the default until measured): a quantize step per layer, one code buffer.
  auto plain = BuildCudaPlan(g, {90, AdderKernel::kPackedSimd});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->fused_codes, kFuseCodesByDefault ? 20 : 0);
  if (!kFuseCodesByDefault) {
    EXPECT_EQ(plain->code_buffers, 1);
  }
}

// Byte lanes: 2 q_w + 2^b up to 7 bits; at 8 bits max(2 q_w, 0), each channel's sum bias holding
// sum max(-2 q_w, 0); padding channels the activations' padding code (2^b, or 0 at 8 bits).
TEST(CudaPlan, PackedWeightsAreTheByteLanesOfTwiceTheCodes) {
  for (int bits = 2; bits <= 8; ++bits) {
    const Graph g = testing::SyntheticResNet(20, bits, 7);
    auto plan = BuildCudaPlan(g, {90, AdderKernel::kPackedSimd});
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    const int lanes = 4, lane_bits = 8;
    for (const PlanStep& s : plan->steps) {
      if (s.kind != StepKind::kAdderQuant) continue;
      const Node& n = g.nodes[s.node];
      const int C = n.in_channels, words = (C + lanes - 1) / lanes, KH = n.kernel_h, KW = n.kernel_w;
      ASSERT_EQ(s.packed_weights.size(), size_t(s.set_channels) * size_t(KH * KW * words));
      ASSERT_EQ(s.sum_bias.size(), bits == 8 ? size_t(s.set_channels) : 0u);
      for (int r = 0; r < s.set_channels; ++r) {
        const int o = s.channel_map[size_t(r)];
        int bias = 0;
        for (int c = 0; c < words * lanes; ++c)
          for (int i = 0; i < KH; ++i)
            for (int j = 0; j < KW; ++j) {
              const uint32_t word = s.packed_weights[size_t(r) * size_t(KH * KW * words) + size_t((i * KW + j) * words + c / lanes)];
              const int v = int((word >> ((c % lanes) * lane_bits)) & 0xffu);
              if (c >= C) {
                ASSERT_EQ(v, bits == 8 ? 0 : 1 << bits) << "bits " << bits << " node " << n.name;
                continue;
              }
              const int q2 = 2 * n.quant.codes[((size_t(o) * size_t(C) + size_t(c)) * size_t(KH) + size_t(i)) * size_t(KW) + size_t(j)];
              ASSERT_EQ(v, bits == 8 ? std::max(q2, 0) : q2 + (1 << bits)) << "bits " << bits << " node " << n.name;
              bias += std::max(-q2, 0);
            }
        if (bits == 8) {
          EXPECT_EQ(s.sum_bias[size_t(r)], bias) << n.name;
        }
      }
    }
  }
}

TEST(CudaPlan, TensorCoreAdderWhereSupported) {
  auto count = [](int bits, PlanOptions options) {
    auto plan = BuildCudaPlan(testing::SyntheticResNet(20, bits, 1), options);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    std::pair<int, int> simd_tc{0, 0};
    if (plan.ok())
      for (const PlanStep& s : plan->steps) {
        simd_tc.first += s.kind == StepKind::kAdderQuant;
        simd_tc.second += s.kind == StepKind::kAdderTensorCore;
      }
    return simd_tc;
  };
  // Two quantizer sets per layer, 20 layers.
  EXPECT_EQ(count(4, {90, AdderKernel::kAuto}), kTensorCoreAdderByDefault ? std::make_pair(0, 40) : std::make_pair(40, 0));
  EXPECT_EQ(count(4, {90, AdderKernel::kTensorCore}), std::make_pair(0, 40));
  EXPECT_EQ(count(2, {80, AdderKernel::kTensorCore}), std::make_pair(0, 40));
  EXPECT_EQ(count(4, {90, AdderKernel::kPackedSimd}), std::make_pair(40, 0));
  EXPECT_EQ(count(4, {75, AdderKernel::kAuto}), std::make_pair(40, 0));         // no .and.popc before sm_80
  EXPECT_EQ(count(5, {90, AdderKernel::kTensorCore}), std::make_pair(40, 0));   // 32-bit thermometers: not supported
}

// What the tensor-core kernel computes, emulated on the host with the plan's weights: for random
// activation codes at every tap, sum(q_a) + sum|2 q_w| - 2 popcount(T(q_a) AND T(max(2 q_w, 0)))
// is exactly sum |q_a - 2 q_w| for every output channel (the MMA fragment layout is the device's
// business and is tested on a GPU; this pins the identity, the thermometer packing and the padding).
TEST(CudaPlan, TensorCoreThermometerIdentityIsExact) {
  for (int bits = 2; bits <= 4; ++bits) {
    Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, {20, 6, 6}, 13, 3, 1, 1, std::vector<float>(13 * 20 * 9, 0.f));
    Node& n = g.nodes[0];
    n.quant.bits = bits;
    n.quant.group_scale = {1.f, 0.5f};
    std::mt19937 rng(static_cast<uint32_t>(bits));
    std::uniform_int_distribution<int> wcode(-(1 << (bits - 1)), (1 << (bits - 1)) - 1), acode(0, (1 << bits) - 1);
    for (int o = 0; o < 13; ++o) n.quant.channel_group.push_back(o % 2);
    for (size_t i = 0; i < n.WeightCount(); ++i) n.quant.codes.push_back(int16_t(wcode(rng)));
    n.quant.clamp_bias.assign(13, 0.f);
    n.quant.act_range = 1.f;
    n.weight.clear();
    n.affine_scale.assign(13, 1.f);
    n.affine_shift.assign(13, 0.f);
    auto plan = BuildCudaPlan(g, {90, AdderKernel::kTensorCore});
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    const int element_bits = 1 << bits, lanes = 32 / element_bits, C = 20, taps = 9;
    int steps = 0;
    for (const PlanStep& s : plan->steps) {
      if (s.kind != StepKind::kAdderTensorCore) continue;
      ++steps;
      const size_t words = s.packed_weights.size() / (size_t(s.grid_y) * 16 * taps);  // 2 n tiles of 8 for 13 channels
      ASSERT_EQ(words % 8, 0u);
      ASSERT_GE(words * size_t(lanes), size_t(C));
      for (int trial = 0; trial < 20; ++trial) {
        std::vector<int> qa(size_t(taps * C));
        for (int& v : qa) v = acode(rng);
        for (int r = 0; r < s.set_channels; ++r) {
          const int o = s.channel_map[size_t(r)];
          int expected = 0, code_sum = 0, dot = 0;
          for (int tap = 0; tap < taps; ++tap) {
            std::vector<uint32_t> a(words, 0u);
            for (int c = 0; c < C; ++c) {
              const int q = qa[size_t(tap * C + c)];
              expected += std::abs(q - 2 * n.quant.codes[(size_t(o) * C + size_t(c)) * taps + size_t(tap)]);
              code_sum += q;
              a[size_t(c / lanes)] |= ((1u << q) - 1u) << ((c % lanes) * element_bits);
            }
            for (size_t w = 0; w < words; ++w)
              dot += std::popcount(a[w] & s.packed_weights[(size_t(r) * taps + size_t(tap)) * words + w]);
          }
          ASSERT_EQ(code_sum + s.weight_abs[size_t(r)] - 2 * dot, expected) << "bits " << bits << " channel " << o;
        }
      }
    }
    EXPECT_EQ(steps, 2);
  }
}

TEST(CudaPlan, SameShapesShareVariantsAcrossDepths) {
  auto sources = [](int depth) {
    auto plan = BuildCudaPlan(testing::SyntheticResNet(depth, 4, 1));
    std::set<std::string> out;
    if (plan.ok())
      for (const KernelVariant& v : plan.value().variants) out.insert(v.source);
    return out;
  };
  const std::set<std::string> r20 = sources(20), r56 = sources(56);
  EXPECT_FALSE(r20.empty());
  EXPECT_EQ(r20, r56);
}

// Per-layer kernels (what `adderq-run tune` writes): the named layers get their kernel, the rest
// the plan's; fused codes stay only between packed-SIMD layers; names that are not quantized adder
// layers, and impossible pixel counts, are refused with the name.
TEST(CudaPlan, PerLayerKernelChoices) {
  const Graph g = testing::WithOneQuantizerGroup(testing::SyntheticResNet(20, 4, 1));
  // Tiles given for the whole plan reach no tensor-core layer: a listed layer's zeros mean defaults.
  PlanOptions options{90, AdderKernel::kPackedSimd, 4, 2, 0, true};
  options.layers = {{"layer1.0.conv2", {AdderKernel::kPackedSimd, 2}},
                    {"layer3.1.conv1", {AdderKernel::kTensorCore, 0}},
                    {"layer2.0.conv1", {AdderKernel::kAuto, 4}},
                    {"layer3.2.conv2", {AdderKernel::kTensorCore, 0, 4, 4}}};
  auto plan = BuildCudaPlan(g, options);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::map<std::string, std::string> variant_of;  // adder node -> its adder step's variant
  for (const PlanStep& s : plan->steps)
    if (s.kind == StepKind::kAdderQuant || s.kind == StepKind::kAdderTensorCore)
      variant_of[g.nodes[s.node].name] = plan->variants[size_t(s.variant)].name;
  ASSERT_EQ(variant_of.size(), 20u);
  EXPECT_NE(variant_of["layer1.0.conv2"].find("_px2"), std::string::npos) << variant_of["layer1.0.conv2"];
  EXPECT_NE(variant_of["layer2.0.conv1"].find("_px4"), std::string::npos) << variant_of["layer2.0.conv1"];
  EXPECT_EQ(variant_of["layer3.1.conv1"], "adder_tc_b4_c64_8x8_o64_k3x3_s1_p1_relu");  // default tiles: 8, 2
  EXPECT_EQ(variant_of["layer3.2.conv2"], "adder_tc_b4_c64_8x8_o64_k3x3_s1_p1_res_relu_t4x4");
  const std::set<std::string> listed = {"layer1.0.conv2", "layer2.0.conv1", "layer3.1.conv1", "layer3.2.conv2"};
  for (const auto& [name, variant] : variant_of)
    if (!listed.count(name)) {
      EXPECT_EQ(variant.rfind("adder_b4_", 0), 0u) << name << ": " << variant;
      EXPECT_EQ(variant.find("_px"), std::string::npos) << name << ": " << variant;
    }
  // The tensor-core layer neither writes nor reads fused codes: its neighbours do not fuse with it.
  EXPECT_EQ(variant_of["layer3.0.conv2"].find("_codes"), std::string::npos) << variant_of["layer3.0.conv2"];
  EXPECT_EQ(variant_of["layer3.1.conv1"].find("_codes"), std::string::npos);
  EXPECT_NE(variant_of["layer1.1.conv1"].find("_codes"), std::string::npos) << variant_of["layer1.1.conv1"];
  auto global = BuildCudaPlan(g, {90, AdderKernel::kPackedSimd, 0, 0, 0, true});
  ASSERT_TRUE(global.ok());
  // Lost: layer3.0.conv2 -> 3.1.conv1 -> 3.1.conv2 and 3.2.conv1 -> 3.2.conv2 (the last layer writes no codes).
  EXPECT_EQ(plan->fused_codes, global->fused_codes - 3);

  // Without tensor cores on the card (sm_75) the tensor-core choice falls back to packed SIMD.
  options.arch = 75;
  auto turing = BuildCudaPlan(g, options);
  ASSERT_TRUE(turing.ok()) << turing.status().message();
  for (const KernelVariant& v : turing->variants) EXPECT_EQ(v.name.rfind("adder_tc_", 0), std::string::npos) << v.name;

  for (const std::string bad : {"layer9.0.conv1", "conv1", "fc", "layer1.0.relu1", ""}) {
    PlanOptions o;
    o.layers = {{bad, {AdderKernel::kPackedSimd, 2}}};
    auto r = BuildCudaPlan(g, o);
    ASSERT_FALSE(r.ok()) << "'" << bad << "'";
    EXPECT_NE(r.status().message().find("'" + bad + "'"), std::string::npos) << r.status().message();
  }
  PlanOptions too_many;
  too_many.layers = {{"layer1.0.conv1", {AdderKernel::kPackedSimd, kMaxSimdPixels + 1}}};
  EXPECT_FALSE(BuildCudaPlan(g, too_many).ok());
  too_many.layers = {{"layer1.0.conv1", {AdderKernel::kTensorCore, 0, 9, 1}}};
  EXPECT_FALSE(BuildCudaPlan(g, too_many).ok());
}

// A tensor-core layer reads thermometer codes from its own quantize step and its epilogue writes
// none: whichever one layer of ResNet-20 goes to the tensor cores, at least one of the 20 fused
// quantize steps returns (a shortcut too). tune's fused-codes count relies on this.
TEST(CudaPlan, EveryTensorCoreLayerCostsAFusedQuantizeStep) {
  const Graph g = testing::WithOneQuantizerGroup(testing::SyntheticResNet(20, 4, 1));
  int layers = 0;
  for (const Node& n : g.nodes) {
    if (n.kind != OpKind::kAdder2d) continue;
    ++layers;
    PlanOptions options{90, AdderKernel::kPackedSimd, 0, 0, 0, true};
    options.layers = {{n.name, {AdderKernel::kTensorCore, 0}}};
    auto plan = BuildCudaPlan(g, options);
    ASSERT_TRUE(plan.ok()) << n.name << ": " << plan.status().message();
    EXPECT_GE(plan->fused_codes, 16) << n.name;
    EXPECT_LT(plan->fused_codes, 20) << n.name;
  }
  EXPECT_EQ(layers, 20);
}

// No step writes a buffer it reads: the kernels declare their pointers __restrict__ (and read
// through the non-coherent cache), so a step that did would be undefined on a device, whatever
// the host emulation computes. Over the depths, bit widths and kernel options the executor runs.
TEST(CudaPlan, NoStepWritesABufferItReads) {
  int plans = 0;
  for (int depth : {20, 56})
    for (int bits : {0, 3, 4, 8})
      for (AdderKernel kernel : {AdderKernel::kPackedSimd, AdderKernel::kTensorCore})
        for (bool fused : {false, true}) {
          const Graph g = testing::WithOneQuantizerGroup(testing::SyntheticResNet(depth, bits, 3));
          auto plan = BuildCudaPlan(g, {90, kernel, 0, 0, 0, fused});
          ASSERT_TRUE(plan.ok()) << plan.status().message();
          ++plans;
          auto slot = [&](int tensor) { return tensor < 0 ? -1 : plan->tensor_slot[size_t(tensor)]; };
          for (const PlanStep& s : plan->steps) {
            const std::string what = fmt::format("depth {} bits {} fused {} step '{}'", depth, bits, fused, g.nodes[s.node].name);
            if (s.output >= 0) {
              ASSERT_GE(slot(s.output), 0) << what;
              for (int read : {s.input, s.input2, s.residual}) {
                if (read >= 0) {
                  EXPECT_NE(slot(read), slot(s.output)) << what;
                }
              }
            }
            const int codes_read = s.kind == StepKind::kQuantize ? -1 : s.codes;
            for (int written : {s.kind == StepKind::kQuantize ? s.codes : s.codes_out, s.shortcut_codes_out}) {
              if (written >= 0) {
                EXPECT_NE(written, codes_read) << what;
              }
            }
            if (s.codes_out >= 0) {
              EXPECT_NE(s.codes_out, s.shortcut_codes_out) << what;
            }
          }
          EXPECT_GE(slot(plan->pixel_input.output), 0);
        }
  EXPECT_EQ(plans, 32);
}

TEST(CudaPlan, RejectsUnsupportedBits) {
  Graph g = testing::SyntheticResNet(20, 4, 1);
  for (Node& n : g.nodes)
    if (n.kind == OpKind::kAdder2d) n.quant.bits = 9;
  auto plan = BuildCudaPlan(g);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("9-bit"), std::string::npos) << plan.status().message();
}

// A 1x1 convolution with 2^20 output channels: 65,536 groups of 16 along grid.y, one more than
// CUDA allows; refused by the plan with the node's name (ValidateGraph allows such a tensor).
TEST(CudaPlan, RejectsMoreChannelGroupsThanTheGridAllows) {
  const int out_c = 1 << 20;
  auto plan = BuildCudaPlan(testing::SingleLayerGraph(OpKind::kConv2d, {1, 1, 1}, out_c, 1, 1, 0, std::vector<float>(size_t(out_c), 0.5f)));
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("'layer': 65536 output channel groups"), std::string::npos) << plan.status().message();
  EXPECT_TRUE(BuildCudaPlan(testing::SingleLayerGraph(OpKind::kConv2d, {1, 1, 1}, out_c / 2, 1, 1, 0,
                                                      std::vector<float>(size_t(out_c / 2), 0.5f))).ok());
}

// The card's chunk: the fewest images (in steps of 256) that give the smallest-grid kernel 4 full
// waves, then the memory cap.
int Chunk(std::span<const KernelFill> kernels, const ChunkLimits& limits) {
  const Result<int> r = ChooseChunkImages(kernels, limits);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : -1;
}

TEST(ChunkSize, FourWavesOfTheSmallestGridThenTheMemoryCap) {
  // ResNet-20's three stages of the packed-SIMD kernel (8, 4 and 2 blocks an image at 4 bits), 8
  // resident blocks per multiprocessor (64 registers, 128 threads), 132 multiprocessors (H100/H200):
  // the 8x8 layers need 4 x 132 x 8 / 2 = 2112 images, so 2304; with the 8x8 1x1 shortcut (38
  // registers: 12 resident) 4 x 132 x 12 / 2 = 3168, so 3328.
  const std::vector<KernelFill> resnet = {{8, 8}, {4, 8}, {2, 8}};
  const size_t gib = size_t(1) << 30;
  ChunkLimits h200{132, 140 * gib, 300 << 10};
  EXPECT_EQ(Chunk(resnet, h200), 2304);
  EXPECT_EQ(Chunk(std::vector<KernelFill>{{8, 8}, {4, 8}, {2, 8}, {2, 12}}, h200), 3328);
  // Fewer multiprocessors, fewer images; one quantum at least.
  EXPECT_EQ(Chunk(resnet, {28, 8 * gib, 300 << 10}), 512);  // 4 x 28 x 8 / 2 = 448
  EXPECT_EQ(Chunk(resnet, {1, 8 * gib, 300 << 10}), 256);
  // Lower occupancy of one kernel asks for fewer images of it; a kernel with more blocks per image
  // does not raise the chunk. No kernels at all: one quantum.
  EXPECT_EQ(Chunk(std::vector<KernelFill>{{2, 4}, {64, 16}}, h200), 1280);  // 4 x 132 x 4 / 2 = 1056
  EXPECT_EQ(Chunk({}, h200), 256);
  // A tiny grid is capped at kMaxAutoChunk.
  EXPECT_EQ(Chunk(std::vector<KernelFill>{{0.01, 8}}, h200), kMaxAutoChunk);
  // Memory: both pipelines' buffers in half the free memory, rounded down to whole quanta, or
  // below one quantum the images that fit.
  EXPECT_EQ(Chunk(resnet, {132, 1 * gib, 300 << 10}), 1536);  // 512 MiB / 300 KiB = 1747
  EXPECT_EQ(Chunk(resnet, {132, 20 << 20, 300 << 10}), 34);   // 10 MiB / 300 KiB
  auto none = ChooseChunkImages(resnet, {132, 500 << 10, 300 << 10});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("one image"), std::string::npos) << none.status().message();
}

}  // namespace
}  // namespace adderq::cuda
