// The CPU backend's kernels, one class per op (one file each under kernels/ref/).
#pragma once

#include <span>
#include <vector>

#include "kernels/conv_geometry.h"
#include "kernels/max_pool_plane.h"
#include "kernels/sad_kernels.h"
#include "kernels/op_kernel.h"

namespace adderq::kernels {

// Float Conv2d and Adder2d share everything but the inner operation: im2col, a tile kernel
// (ConvTiles: sum x*w; AdderFloatTiles: sum |x-w|), then the per-channel affine. For an adder layer
// the affine scale is -1 bare, or -gamma/sqrt(var+eps) once a BatchNorm is folded in.

class FloatConvLikeKernel final : public OpKernel {
 public:
  // adder: |x - w| (full-precision Adder2d); else x * w (Conv2d).
  FloatConvLikeKernel(const Node& node, ConvGeometry geometry, bool adder, bool relu);
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;

 private:
  ConvGeometry g_;
  bool adder_;
  bool relu_;
  std::vector<float> wT_, scale_, shift_;
};

class Adder2dQuantKernel final : public OpKernel {
 public:
  Adder2dQuantKernel(const Node& node, ConvGeometry geometry, bool relu);
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;
  // The layer's integer result S[o][p] = sum |q_a - quant::WeightGridValue(q_w)| for one image (the
  // cross-backend contract).
  void IntegerSums(const float* image, int32_t* sums, Scratch& scratch) const;

 private:
  struct Group {                 // the channels of all groups that share one scale
    std::vector<int> channels;   // output channels
    float multiplier = 0.f;      // L / s_g
    AlignedBytes wbytes;         // weight bytes, [channels padded to 4][SadRowBytes(K)], k = (i, j, c)
    AlignedBytes wtaps;          // the direct form's: [channels padded to 4][taps][tap_bytes_]
    std::vector<int32_t> sum_bias;  // 8 bits: sum max(-2 q_w, 0) per channel (adder2d_quant.cpp)
  };
  SadDirectForm direct_ = SadDirectForm::kNone;  // byte layers: convolve without im2col when possible
  // Byte layers that are 1x1 without padding (the ResNet shortcut) and whose channel rows need no
  // padding (16 channels through the direct kernel, or a multiple of kSadRowAlign): their im2col is
  // a subsampling, so only the sampled pixels are quantized, straight into rows.
  bool pointwise_ = false;
  int tap_bytes_ = 0;  // SadDirectTapBytes of the direct form here: its weights are wtaps, or (0) wbytes
  int QuantizePadded(const Group& grp, const float* x, Scratch& s) const;
  int QuantizePaddedStride2(const Group& grp, const float* x, Scratch& s) const;
  void ByteSums(const Group& grp, const float* x, int32_t* sums, Scratch& s) const;
  void SadSums(const Group& grp, const float* x, int32_t* acc, Scratch& s) const;
  void PointwiseByteSums(const Group& grp, const float* x, int32_t* acc, Scratch& s) const;
  ConvGeometry g_;
  int bits_;
  quant::WeightCodeKind kind_;
  uint8_t offset_;  // quant::ByteCodeOffset: the code byte of an activation of 0 (and of padding)
  bool relu_;
  std::vector<float> scale_, shift_;
  std::vector<Group> groups_;
};

class LinearKernel final : public OpKernel {
 public:
  explicit LinearKernel(const Node& node);
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;

 private:
  int in_ = 0, out_ = 0;
  std::vector<float> weight_, scale_, shift_;
};

// Inference-mode BatchNorm over C planes of `plane` elements: y = (x - mean) / sqrt(var + eps) * gamma + beta.
class BatchNormKernel final : public OpKernel {
 public:
  BatchNormKernel(const Node& node, const Shape3& shape, bool relu);
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;

 private:
  const Node& node_;  // reads the live statistics: the compiler updates them between batches
  size_t plane_;
  bool relu_;  // fused: + ctx.residual (when set), then ReLU
};

class ReluKernel final : public OpKernel {
 public:
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;
};

class AddKernel final : public OpKernel {
 public:
  explicit AddKernel(bool relu) : relu_(relu) {}
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;

 private:
  bool relu_;
};

class AvgPoolKernel final : public OpKernel {
 public:
  AvgPoolKernel(const Node& node, const Shape3& in, const Shape3& out) : kernel_(node.pool_kernel), stride_(node.pool_stride), in_(in), out_(out) {}
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;

 private:
  int kernel_, stride_;
  Shape3 in_, out_;
};

class MaxPoolKernel final : public OpKernel {
 public:
  MaxPoolKernel(const Node& node, const Shape3& in, const Shape3& out);
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;

 private:
  int channels_;
  PoolGeometry g_;
};

class FlattenKernel final : public OpKernel {
 public:
  void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const override;
};

// Training-mode BatchNorm over a whole batch (BN re-estimation): normalises with the batch's own
// statistics and returns them (mean and unbiased variance per channel) for the running update.
// Channels are independent and split over `threads` (each channel's arithmetic is the same whatever
// the thread count). Fused tail (see core/fusion.h): `residual` (when not null, same layout as y) is
// added, then ReLU when `relu`.
void BatchNormTraining(const Node& node, const Shape3& shape, const float* x, int batch, float* y,
                       std::vector<float>& batch_mean, std::vector<float>& batch_var_unbiased, int threads = 1,
                       const float* residual = nullptr, bool relu = false);

}  // namespace adderq::kernels
