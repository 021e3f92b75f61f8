// AdderTensorCoreSource: the quantized adder kernel on binary tensor cores (thermometer codes,
// mma .and.popc) for bit widths up to 4.
#include "cuda/kernel_sources.h"

#include "cuda/kernel_source_parts.h"

namespace adderq::cuda {

// The shared pieces of kernel text (kernel_source_parts.h).
using namespace source_parts;

std::string AdderTensorCoreSource(const AdderTensorCoreSpec& s) {
  return Constants({{"kInH", s.in_h}, {"kInW", s.in_w}, {"kWords", s.words_per_pixel}, {"kKH", s.kernel_h},
                    {"kKW", s.kernel_w}, {"kStride", s.stride}, {"kPad", s.padding}, {"kOutC", s.out_c},
                    {"kOutH", s.out_h}, {"kOutW", s.out_w}, {"kNTiles", s.n_tiles}, {"kMTiles", s.m_tiles}}) +
         EpilogueConstants(s.epilogue) + kCommon + R"KERNEL(
constexpr int kTaps = kKH * kKW;
constexpr int kChunks = kWords / 8;       // 256-bit k steps per pixel
constexpr int kWarps = 4;                 // per block (the plan launches 128 threads)
constexpr int kWarpPixels = 16 * kMTiles;

// D += popcount(A AND B) for a 16x256 (rows: pixels) by 256x8 (columns: channels) bit tile.
// Fragments (PTX ISA, mma.m16n8k256 .b1): with g = lane / 4 and t = lane % 4, a0/a2 hold row g and
// a1/a3 row g + 8, a0/a1 the k bits 32t..32t+31 and a2/a3 the bits 128+32t..; b0/b1 those k bits
// of column g; d0/d1 row g, columns 2t and 2t + 1; d2/d3 the same for row g + 8. Only the pairing
// matters for a dot product, so each thread feeds its two consecutive words 2t, 2t + 1 of every
// 8-word k step to the first and second half: A and B agree, whatever bit order that means for k.
__device__ __forceinline__ void adq_bmma(int (&d)[4], uint2 row_g, uint2 row_g8, uint2 b) {
#ifdef ADQ_HOST_EMULATION
  adq_emu_bmma_and_popc(d, row_g.x, row_g8.x, row_g.y, row_g8.y, b.x, b.y);
#else
  asm("mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
               : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
               : "r"(row_g.x), "r"(row_g8.x), "r"(row_g.y), "r"(row_g8.y), "r"(b.x), "r"(b.y));
#endif
}

// codes: [images][kInH*kInW][kWords] thermometer words; weights: [channels padded to the grid's
// n tiles][kTaps][kWords] thermometer words of max(2 q_w, 0); weight_abs: sum |2 q_w| per set
// channel; channel_map, scale, shift, residual, y as in the packed-SIMD kernel. At least two blocks
// per SM: up to 255 registers a thread. Without the hint ptxas aimed at four (128 registers) for
// 3-bit 64-channel layers and spilled; the 4-bit ones chose 174 registers unprompted.
extern "C" __global__ void __launch_bounds__(kWarps * 32, 2)
adq_kernel(const u32* __restrict__ codes, const u32* __restrict__ weights, const int* __restrict__ channel_map,
           const int* __restrict__ weight_abs, const float* __restrict__ scale, const float* __restrict__ shift,
           const float* __restrict__ residual, float* __restrict__ y, int set_channels, int images) {
  constexpr i64 kP = i64(kOutH) * kOutW;
  const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const i64 total = i64(images) * kP;
  const i64 m0 = (i64(blockIdx.x) * kWarps + (threadIdx.x >> 5)) * kWarpPixels;
  if (m0 >= total) return;  // the whole warp: mma.sync needs every lane below
  const int n0 = blockIdx.y * (8 * kNTiles);

  // This thread's output pixels: row g and g + 8 of each m tile. Each keeps a pointer to its image
  // (a tap adds a 32-bit offset): a 64-bit index per tap made ptxas spill in the 32-channel layers.
  const u32* row_base[kMTiles][2];
  int row_y[kMTiles][2], row_x[kMTiles][2];
  bool row_ok[kMTiles][2];
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const i64 m = m0 + mt * 16 + h * 8 + g;
      row_ok[mt][h] = m < total;
      const i64 mm = row_ok[mt][h] ? m : 0;
      row_base[mt][h] = codes + (mm / kP) * (kInH * kInW * kWords) + 2 * t;
      const int p = int(mm % kP);
      row_y[mt][h] = (p / kOutW) * kStride - kPad;
      row_x[mt][h] = (p % kOutW) * kStride - kPad;
    }

  int acc[kMTiles][kNTiles][4];
  int code_sum[kMTiles][2];
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt) {
    code_sum[mt][0] = code_sum[mt][1] = 0;
#pragma unroll
    for (int nt = 0; nt < kNTiles; ++nt) acc[mt][nt][0] = acc[mt][nt][1] = acc[mt][nt][2] = acc[mt][nt][3] = 0;
  }
  const u32* w_thread = weights + i64(n0 + g) * (kTaps * kWords) + 2 * t;

#pragma unroll 1
  for (int tap = 0; tap < kTaps; ++tap) {
    const int ki = tap / kKW, kj = tap % kKW;
    const u32* a_ptr[kMTiles][2];
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int iy = row_y[mt][h] + ki, ix = row_x[mt][h] + kj;
        const bool inside = row_ok[mt][h] && iy >= 0 && iy < kInH && ix >= 0 && ix < kInW;
        // Zero padding is q_a = 0: an all-zero thermometer word (nullptr: not loaded).
        a_ptr[mt][h] = inside ? row_base[mt][h] + (iy * int(kInW) + ix) * int(kWords) : nullptr;
      }
#pragma unroll
    for (int j = 0; j < kChunks; ++j) {
      uint2 a[kMTiles][2];
#pragma unroll
      for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          a[mt][h] = a_ptr[mt][h] ? *reinterpret_cast<const uint2*>(a_ptr[mt][h] + 8 * j) : make_uint2(0u, 0u);
          code_sum[mt][h] += __popc(a[mt][h].x) + __popc(a[mt][h].y);
        }
#pragma unroll
      for (int nt = 0; nt < kNTiles; ++nt) {
        const uint2 b = __ldg(reinterpret_cast<const uint2*>(w_thread + i64(nt * 8) * (kTaps * kWords) + tap * kWords + 8 * j));
#pragma unroll
        for (int mt = 0; mt < kMTiles; ++mt) adq_bmma(acc[mt][nt], a[mt][0], a[mt][1], b);
      }
    }
  }

  // sum(q_a) of a row: its four threads (t = 0..3) each counted a quarter of its bits.
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      code_sum[mt][h] += __shfl_xor_sync(0xffffffffu, code_sum[mt][h], 1);
      code_sum[mt][h] += __shfl_xor_sync(0xffffffffu, code_sum[mt][h], 2);
    }

#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      if (!row_ok[mt][h]) continue;
      const i64 m = m0 + mt * 16 + h * 8 + g;
      const i64 out_base = (m / kP) * (kOutC * kP) + m % kP;
#pragma unroll
      for (int nt = 0; nt < kNTiles; ++nt)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int oc = n0 + nt * 8 + 2 * t + e;
          if (oc >= set_channels) continue;
          const int sum = code_sum[mt][h] + weight_abs[oc] - 2 * acc[mt][nt][h * 2 + e];
          const int ch = channel_map[oc];
          const int offset = ch * int(kP);  // 32-bit, as in the packed-SIMD kernel
          y[out_base + offset] = adq_epilogue(float(sum), scale[ch], shift[ch], kResidual ? residual + out_base : residual, offset);
        }
    }
}
)KERNEL";
}

}  // namespace adderq::cuda
