// The inner loops of the convolution-like layers: for every output pixel p and channel o,
//   acc[o][p] = sum_k f(col[p][k], wT[k][o])
// with f = multiply (Conv2d) or |x - w| in float (Adder2d; the quantized layers use the byte
// kernels of sad_kernels.h). Tiles of kPixelTile pixels x kChannelTile channels stay in registers. An AVX2 version
// (kernels/simd/) is chosen at run time where the CPU has it; both give bit-identical results.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv_geometry.h"

namespace adderq::kernels {

// col: [PaddedP][K]; wT: [K][PaddedChannels(out_c)]; acc: [out_c][P] (only real pixels/channels written).
void ConvTiles(const ConvGeometry& g, const float* col, const float* wT, float* acc);
void AdderFloatTiles(const ConvGeometry& g, const float* col, const float* wT, float* acc);

// The float layers straight from one image x ([C][H][W]), without im2col: the AVX2 version reads a
// zero-padded copy of the image (in `pad`) at each tap; the portable one is im2col + the tiles above
// (in `col`). Every output still sums its taps in k = (c, i, j) order from 0, so both give the same
// bits as the im2col path.
void ConvLikeFloatDirect(bool adder, const ConvGeometry& g, const float* x, const float* wT, float* acc,
                         std::vector<float>& pad, std::vector<float>& col);

// Whether the AVX2 kernels run here (AVX2 + FMA present and ADDERQ_SIMD is not "scalar").
bool UseAvx2();
// Whether the byte kernels of the adder layers use 64-byte vpsadbw, and their quantizer, the
// epilogue and the direct float convolutions at stride 1 16-float vectors (AVX-512BW present,
// UseAvx2, and ADDERQ_SIMD is not "avx2"); the other float kernels stay AVX2.
bool UseAvx512();

// ARM64: whether the NEON byte kernels run (every AArch64 core, unless ADDERQ_SIMD=scalar), and
// whether they use the dot-product extension (where the CPU has it, unless ADDERQ_SIMD=neon or scalar).
bool UseNeon();
bool UseNeonDotProd();

// "avx512", "avx2", "neon-dotprod", "neon" or "scalar": what the kernels use on this machine.
// ADDERQ_SIMD asks for one (scalar; on x86-64 avx2, which keeps AVX-512 off, or avx512; on ARM64
// neon, which keeps the dot product off, or neon-dotprod; auto: the best); a value that is not one
// of these, or a level this CPU lacks, is said once on stderr (from the first kernel choice or the
// first call here) and the best the CPU has runs.
const char* SimdLevel();

}  // namespace adderq::kernels
