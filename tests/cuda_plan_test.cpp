// The CUDA execution plan, built without a GPU: steps, fusion, buffer slots, packed weights.
#include <bit>
#include <set>

#include <gtest/gtest.h>

#include "core/quant_math.h"
#include "cuda/cuda_plan.h"
#include "test_support.h"

namespace adderq::cuda {
namespace {

TEST(CudaPlan, ResNet20QuantizedStepsAndFusion) {
  const Graph g = testing::SyntheticResNet(20, 4, 1);
  ASSERT_TRUE(ValidateGraph(g).ok());
  auto plan = BuildCudaPlan(g);
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

TEST(CudaPlan, PackedWeightsHoldTwiceTheCodesPlusOffset) {
  for (int bits = 2; bits <= 8; ++bits) {
    const Graph g = testing::SyntheticResNet(20, bits, 7);
    auto plan = BuildCudaPlan(g);
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    const int lanes = LanesForBits(bits), lane_bits = 32 / lanes;
    for (const PlanStep& s : plan->steps) {
      if (s.kind != StepKind::kAdderQuant) continue;
      const Node& n = g.nodes[s.node];
      const int C = n.in_channels, words = (C + lanes - 1) / lanes, KH = n.kernel_h, KW = n.kernel_w;
      ASSERT_EQ(s.packed_weights.size(), size_t(s.set_channels) * size_t(KH * KW * words));
      for (int r = 0; r < s.set_channels; ++r) {
        const int o = s.channel_map[size_t(r)];
        for (int c = 0; c < words * lanes; ++c)
          for (int i = 0; i < KH; ++i)
            for (int j = 0; j < KW; ++j) {
              const uint32_t word = s.packed_weights[size_t(r) * size_t(KH * KW * words) + size_t((i * KW + j) * words + c / lanes)];
              const int q2 = c < C ? 2 * n.quant.codes[((size_t(o) * size_t(C) + size_t(c)) * size_t(KH) + size_t(i)) * size_t(KW) + size_t(j)] : 0;
              if (lanes == 1) {
                ASSERT_EQ(std::bit_cast<float>(word), float(q2)) << "bits " << bits << " node " << n.name;
              } else {
                const int v = int((word >> ((c % lanes) * lane_bits)) & ((1u << lane_bits) - 1));
                ASSERT_EQ(v, q2 + (1 << bits)) << "bits " << bits << " node " << n.name;
              }
            }
      }
    }
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

TEST(CudaPlan, RejectsUnsupportedBits) {
  Graph g = testing::SyntheticResNet(20, 4, 1);
  for (Node& n : g.nodes)
    if (n.kind == OpKind::kAdder2d) n.quant.bits = 9;
  auto plan = BuildCudaPlan(g);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("9-bit"), std::string::npos) << plan.status().message();
}

}  // namespace
}  // namespace adderq::cuda
