// Max pooling: the CPU kernel (AVX2 here, portable under ADDERQ_SIMD=scalar, a ctest of its own)
// against a naive loop for odd and even sizes, strides and paddings; artifacts with max pooling
// are schema version 3 and round-trip.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "adderq_generated.h"
#include "core/artifact_loader.h"
#include "core/version.h"
#include "cpu/executor.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

namespace adderq {
namespace {

Graph PoolGraph(Shape3 in, int k, int s, int p) {
  Graph g = testing::InputOnlyGraph(in);
  Node n;
  n.kind = OpKind::kMaxPool;
  n.name = "pool";
  n.inputs = {g.input};
  n.pool_kernel = k;
  n.pool_stride = s;
  n.pool_padding = p;
  auto out = InferOutputShape(n, {in});
  EXPECT_TRUE(out.ok()) << out.status().message();
  n.output = g.AddTensor("out", out.value());
  g.nodes.push_back(n);
  g.output = n.output;
  return g;
}

TEST(MaxPool, MatchesNaiveLoopOverShapesStridesAndPadding) {
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.f, 1.f);
  struct Case { Shape3 in; int k, s, p; };
  for (const Case& c : {Case{{3, 112, 112}, 3, 2, 1}, Case{{5, 15, 9}, 3, 2, 1}, Case{{4, 8, 8}, 2, 2, 0},
                        Case{{2, 7, 7}, 3, 1, 1}, Case{{16, 33, 33}, 5, 3, 2}, Case{{1, 1, 1}, 1, 1, 0}}) {
    const Graph g = PoolGraph(c.in, c.k, c.s, c.p);
    const Shape3 out = g.ShapeOf(g.output);
    const int images = 3;
    std::vector<float> x(c.in.size() * images);
    for (float& v : x) v = d(rng);
    auto ex = Executor::Create(g, 2);
    ASSERT_TRUE(ex.ok()) << ex.status().message();
    std::vector<float> y;
    ASSERT_TRUE(ex.value()->Run(x, images, y).ok());
    for (int n = 0; n < images; ++n)
      for (int ch = 0; ch < out.c; ++ch)
        for (int oy = 0; oy < out.h; ++oy)
          for (int ox = 0; ox < out.w; ++ox) {
            float m = -INFINITY;
            for (int i = 0; i < c.k; ++i)
              for (int j = 0; j < c.k; ++j) {
                const int iy = oy * c.s + i - c.p, ix = ox * c.s + j - c.p;
                if (iy >= 0 && ix >= 0 && iy < c.in.h && ix < c.in.w)
                  m = std::max(m, x[size_t(n) * c.in.size() + (size_t(ch) * size_t(c.in.h) + size_t(iy)) * size_t(c.in.w) + size_t(ix)]);
              }
            ASSERT_EQ(y[size_t(n) * out.size() + (size_t(ch) * size_t(out.h) + size_t(oy)) * size_t(out.w) + size_t(ox)], m)
                << c.in.c << "x" << c.in.h << "x" << c.in.w << " k" << c.k << " s" << c.s << " p" << c.p;
          }
  }
}

TEST(MaxPool, PaddingOfMoreThanHalfTheWindowIsRefused) {
  Node n;
  n.kind = OpKind::kMaxPool;
  n.name = "pool";
  n.pool_kernel = 3;
  n.pool_stride = 1;
  n.pool_padding = 2;  // a window of padding only would have no value
  EXPECT_FALSE(InferOutputShape(n, {Shape3{1, 4, 4}}).ok());
}

TEST(MaxPool, ArtifactsAreSchemaVersion3AndRoundTrip) {
  const Graph g = PoolGraph({2, 9, 9}, 3, 2, 1);
  auto bytes = writer::SerializeArtifact(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto back = LoadArtifactFromMemory(bytes.value());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value().nodes[0].kind, OpKind::kMaxPool);
  EXPECT_EQ(back.value().nodes[0].pool_padding, 1);
  EXPECT_EQ(schema::GetModel(bytes.value().data())->schema_version(), kSchemaVersionGeneralGraphs);
  EXPECT_EQ(kSchemaVersionGeneralGraphs, 3u);
}

}  // namespace
}  // namespace adderq
