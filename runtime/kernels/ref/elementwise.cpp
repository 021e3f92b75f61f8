// The small ops: ReLU, residual add, average pooling, flatten, linear, BatchNorm (inference and
// training mode).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/parallel.h"
#include "kernels/ref/cpu_ops.h"

namespace adderq::kernels {

void ReluKernel::Eval(const OpContext& ctx, int begin, int end, Scratch&) const {
  const size_t n0 = size_t(begin) * ctx.output_size, n1 = size_t(end) * ctx.output_size;
  for (size_t i = n0; i < n1; ++i) ctx.output[i] = std::max(ctx.inputs[0][i], 0.f);
}

void AddKernel::Eval(const OpContext& ctx, int begin, int end, Scratch&) const {
  const size_t n0 = size_t(begin) * ctx.output_size, n1 = size_t(end) * ctx.output_size;
  if (relu_)
    for (size_t i = n0; i < n1; ++i) ctx.output[i] = std::max(ctx.inputs[0][i] + ctx.inputs[1][i], 0.f);
  else
    for (size_t i = n0; i < n1; ++i) ctx.output[i] = ctx.inputs[0][i] + ctx.inputs[1][i];
}

void FlattenKernel::Eval(const OpContext& ctx, int begin, int end, Scratch&) const {
  const size_t n0 = size_t(begin) * ctx.output_size, count = size_t(end - begin) * ctx.output_size;
  std::memcpy(ctx.output + n0, ctx.inputs[0] + n0, count * sizeof(float));
}

LinearKernel::LinearKernel(const Node& node)
    : in_(node.in_channels), out_(node.out_channels), weight_(node.weight), scale_(node.affine_scale),
      shift_(node.affine_shift) {}

void LinearKernel::Eval(const OpContext& ctx, int begin, int end, Scratch&) const {
  for (int n = begin; n < end; ++n) {
    const float* x = ctx.inputs[0] + size_t(n) * ctx.input_sizes[0];
    float* y = ctx.output + size_t(n) * ctx.output_size;
    for (int o = 0; o < out_; ++o) {
      float acc = 0.f;
      for (int c = 0; c < in_; ++c) acc += weight_[size_t(o) * size_t(in_) + size_t(c)] * x[c];
      y[o] = scale_[size_t(o)] * acc + shift_[size_t(o)];
    }
  }
}

BatchNormKernel::BatchNormKernel(const Node& node, const Shape3& shape, bool relu)
    : node_(node), plane_(size_t(shape.h) * size_t(shape.w)), relu_(relu) {}

namespace {
// The fused tail of a BatchNorm: y (+ residual) then ReLU, in place; the same float operations as
// the separate Add and ReLU nodes.
inline void BatchNormEpilogue(float* y, const float* residual, bool relu, size_t count) {
  if (residual)
    for (size_t i = 0; i < count; ++i) y[i] = y[i] + residual[i];
  if (relu)
    for (size_t i = 0; i < count; ++i) y[i] = std::max(y[i], 0.f);
}
}  // namespace

void BatchNormKernel::Eval(const OpContext& ctx, int begin, int end, Scratch&) const {
  const size_t C = node_.bn_gamma.size();
  for (int n = begin; n < end; ++n) {
    const float* x = ctx.inputs[0] + size_t(n) * ctx.input_sizes[0];
    float* y = ctx.output + size_t(n) * ctx.output_size;
    for (size_t c = 0; c < C; ++c) {
      const float a = node_.bn_gamma[c] / std::sqrt(node_.bn_var[c] + node_.bn_eps);
      const float b = node_.bn_beta[c] - a * node_.bn_mean[c];
      for (size_t i = 0; i < plane_; ++i) y[c * plane_ + i] = a * x[c * plane_ + i] + b;
    }
    BatchNormEpilogue(y, ctx.residual ? ctx.residual + size_t(n) * ctx.output_size : nullptr, relu_, ctx.output_size);
  }
}

void BatchNormTraining(const Node& node, const Shape3& shape, const float* x, int batch, float* y,
                       std::vector<float>& mean, std::vector<float>& var_unbiased, int threads, const float* residual,
                       bool relu) {
  const size_t C = size_t(shape.c), plane = size_t(shape.h) * size_t(shape.w), image = C * plane;
  const double count = double(batch) * double(plane);
  mean.assign(C, 0.f);
  var_unbiased.assign(C, 0.f);
  ParallelForDynamic(int(C), threads, std::max(1, int(C) / (4 * std::max(1, threads))), [&](int c_begin, int c_end, int) {
  for (size_t c = size_t(c_begin); c < size_t(c_end); ++c) {
    // Two passes in double: the batch statistics feed the running estimate the artifact keeps.
    // Eight independent partial sums per pass: one chain of dependent double adds was the whole
    // cost of BN re-estimation; the order is fixed, so results do not depend on threads or SIMD.
    double part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int n = 0; n < batch; ++n) {
      const float* xc = x + size_t(n) * image + c * plane;
      size_t i = 0;
      for (; i + 8 <= plane; i += 8)
        for (size_t j = 0; j < 8; ++j) part[j] += double(xc[i + j]);
      for (; i < plane; ++i) part[i % 8] += double(xc[i]);
    }
    const double sum = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    const double mu = sum / count;
    for (double& p : part) p = 0;
    for (int n = 0; n < batch; ++n) {
      const float* xc = x + size_t(n) * image + c * plane;
      size_t i = 0;
      for (; i + 8 <= plane; i += 8)
        for (size_t j = 0; j < 8; ++j) {
          const double d = double(xc[i + j]) - mu;
          part[j] += d * d;
        }
      for (; i < plane; ++i) {
        const double d = double(xc[i]) - mu;
        part[i % 8] += d * d;
      }
    }
    const double sq = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    const double var_biased = sq / count;
    mean[c] = float(mu);
    var_unbiased[c] = float(count > 1 ? sq / (count - 1) : 0.0);
    const float a = float(node.bn_gamma[c] / std::sqrt(var_biased + double(node.bn_eps)));
    const float b = float(node.bn_beta[c] - double(a) * mu);
    for (int n = 0; n < batch; ++n) {
      const size_t at = size_t(n) * image + c * plane;
      for (size_t i = 0; i < plane; ++i) y[at + i] = a * x[at + i] + b;
      BatchNormEpilogue(y + at, residual ? residual + at : nullptr, relu, plane);
    }
  }
  });
}

}  // namespace adderq::kernels
