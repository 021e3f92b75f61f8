// Quantized adder layer (ALGORITHM.md step 4): per group g, quantize the input once into codes
// q_a = clip(round(x * L / s_g), 0, L), accumulate S = sum |q_a - 2 q_w| (signed codes) or
// sum |q_a - q_w| (unsigned codes, the one-sided clamp) in int32 over the group's channels, then
// y[o] = scale[o] * S + shift[o] (the folded affine carries -(s_g/L), beta_o and BN). Both code
// kinds run the same byte kernels; only the bytes differ (quant::WeightByte).
#include "kernels/ref/cpu_ops.h"

#include <algorithm>

#include "core/quant_math.h"
#include "kernels/epilogue.h"
#include "kernels/im2col.h"
#include "kernels/im2col_bytes.h"
#include "kernels/sad_kernels.h"
#include "kernels/tile_kernels.h"  // UseAvx2

namespace adderq::kernels {

// Every bit width runs the byte kernels (quant::WeightByte: at 8 bits with a per-channel bias).

Adder2dQuantKernel::Adder2dQuantKernel(const Node& node, ConvGeometry geometry, bool relu)
    : g_(geometry),
      bits_(node.quant.bits),
      kind_(node.quant.code_kind),
      offset_(uint8_t(quant::ByteCodeOffset(bits_, kind_))),
      relu_(relu),
      scale_(node.affine_scale),
      shift_(node.affine_shift) {
  const AdderQuantParams& q = node.quant;
  const int K = g_.K();
  if (UseAvx2() && g_.kernel_h * g_.kernel_w <= 64) direct_ = ChooseSadDirectForm(g_.in_c, g_.stride, g_.out_w);
  if (g_.kernel_h == 1 && g_.kernel_w == 1 && g_.padding == 0) {
    // The sampled pixels, packed, are a stride-1 image one pixel high: the direct kernel takes it
    // when it takes 16 channels at stride 1.
    const SadDirectForm packed = UseAvx2() && ChooseSadDirectForm(g_.in_c, 1, g_.P()) == SadDirectForm::kPairs16
                                     ? SadDirectForm::kPairs16
                                     : SadDirectForm::kNone;
    if (packed != SadDirectForm::kNone || g_.in_c % kSadRowAlign == 0) {
      pointwise_ = true;
      direct_ = packed;
    }
  }
  // Groups with the same scale share one quantized input: they run as one channel set, so the
  // input is quantized once per distinct scale and no channel tile is padded per group.
  for (int o = 0; o < g_.out_c; ++o) {
    const float m = quant::ActivationMultiplier(q.group_scale[size_t(q.channel_group[size_t(o)])], bits_);
    auto it = std::find_if(groups_.begin(), groups_.end(), [&](const Group& grp) { return grp.multiplier == m; });
    if (it == groups_.end()) {
      groups_.push_back(Group{{}, m, {}, {}, {}});
      it = groups_.end() - 1;
    }
    it->channels.push_back(o);
  }
  // The pointwise kernel reads its sampled pixels as one image row P pixels wide.
  if (direct_ != SadDirectForm::kNone)
    tap_bytes_ = SadDirectTapBytes(direct_, g_.in_c, pointwise_ ? 1 : g_.stride, pointwise_ ? g_.P() : g_.out_w);
  for (Group& grp : groups_) {
    // Byte rows in (i, j, c) order (WeightByte); padding (row tail, filler filters) the offset,
    // as the activations' padding, so it adds 0.
    const int C = g_.in_c, KH = g_.kernel_h, KW = g_.kernel_w, row = SadRowBytes(K);
    const size_t filters = (grp.channels.size() + kSadChannelTile - 1) / kSadChannelTile * kSadChannelTile;
    const uint8_t offset = offset_;
    // One layout, for the kernel this layer uses: repeated taps (SadDirectTapBytes), or im2col rows.
    const int tap_bytes = tap_bytes_;
    const bool direct = tap_bytes > 0;
    const size_t filter_bytes = size_t(KH * KW) * size_t(tap_bytes);
    if (direct) grp.wtaps.assign(filters * filter_bytes, offset);
    else grp.wbytes.assign(filters * size_t(row), offset);
    const bool sum_bias = bits_ == 8 && kind_ == quant::WeightCodeKind::kSignedDoubled;
    if (sum_bias) grp.sum_bias.assign(grp.channels.size(), 0);
    for (size_t r = 0; r < grp.channels.size(); ++r)
      for (int c = 0; c < C; ++c)
        for (int i = 0; i < KH; ++i)
          for (int j = 0; j < KW; ++j) {
            const int code = q.codes[size_t(grp.channels[r]) * size_t(K) + size_t((c * KH + i) * KW + j)];
            const uint8_t byte = quant::WeightByte(code, bits_, kind_);
            if (sum_bias) grp.sum_bias[r] += quant::WeightByteBias(code, bits_, kind_);
            if (!direct) {
              grp.wbytes[r * size_t(row) + size_t((i * KW + j) * C + c)] = byte;
              continue;
            }
            uint8_t* tap = grp.wtaps.data() + r * filter_bytes + size_t(i * KW + j) * size_t(tap_bytes);
            for (int at = c; at < tap_bytes; at += C) tap[at] = byte;  // one load serves tap_bytes / C pixels
          }
  }
}

namespace {
// Where a set's kernel writes its [set channels][P] sums: straight into the layer's sums when the
// set is every channel in order (one scale for the whole layer, the common case), else a scratch
// buffer that Scatter copies to the set's channels.
int32_t* SetAccumulators(const std::vector<int>& channels, int out_c, size_t P, int32_t* sums, std::vector<int32_t>& scratch) {
  if (channels.size() == size_t(out_c)) return sums;  // channels are listed in increasing order
  scratch.resize(channels.size() * P);
  return scratch.data();
}
void Scatter(const std::vector<int>& channels, size_t P, const int32_t* acc, int32_t* sums) {
  if (acc == sums) return;
  for (size_t r = 0; r < channels.size(); ++r) std::copy_n(acc + r * P, P, sums + size_t(channels[r]) * P);
}
}  // namespace

void Adder2dQuantKernel::IntegerSums(const float* x, int32_t* sums, Scratch& s) const {
  for (const Group& grp : groups_) {
    if (grp.channels.empty()) continue;
    ByteSums(grp, x, sums, s);
  }
}

// The direct forms' input: codes as bytes in a padded channels-last image in s.codes_u8, the zero
// padding as the code of 0 (= offset), 4 spare columns for the pairs' last pixel tile. Returns its
// padded width.
int Adder2dQuantKernel::QuantizePadded(const Group& grp, const float* x, Scratch& s) const {
  if (direct_ == SadDirectForm::kPairs16Stride2) return QuantizePaddedStride2(grp, x, s);
  const int C = g_.in_c, pad = g_.padding, ph = g_.in_h + 2 * pad;
  const int pw = g_.in_w + 2 * pad + (direct_ == SadDirectForm::kPairs16 ? 4 : 0);
  const size_t plane = size_t(g_.in_h) * size_t(g_.in_w);
  const uint8_t offset = offset_;
  // Only the border is filled: the quantizer writes every interior byte (a whole-buffer fill was
  // 20 KB per image at 32x32x16).
  s.codes_u8.resize(size_t(ph) * size_t(pw) * size_t(C));
  uint8_t* img = s.codes_u8.data();
  const size_t row_bytes = size_t(pw) * size_t(C), left = size_t(pad) * size_t(C);
  const size_t right = size_t(pw - pad - g_.in_w) * size_t(C);
  std::fill_n(img, size_t(pad) * row_bytes, offset);
  std::fill_n(img + size_t(pad + g_.in_h) * row_bytes, size_t(ph - pad - g_.in_h) * row_bytes, offset);
  for (int y = 0; y < g_.in_h; ++y) {
    uint8_t* row = img + size_t(y + pad) * row_bytes;
    std::fill_n(row, left, offset);
    std::fill_n(row + left + size_t(g_.in_w) * size_t(C), right, offset);
    QuantizeToBytesHwc(x + size_t(y) * size_t(g_.in_w), C, size_t(g_.in_w), plane, grp.multiplier, quant::Levels(bits_),
                       offset, row + left);
  }
  return pw;
}

// kPairs16Stride2: the padded image with each row's even and odd columns apart (sad_kernels.h).
// Rows are quantized channels-last into a scratch row, then their pixels (16 bytes each) go to
// their half.
int Adder2dQuantKernel::QuantizePaddedStride2(const Group& grp, const float* x, Scratch& s) const {
  constexpr size_t C = 16;
  const int pad = g_.padding, ph = g_.in_h + 2 * pad;
  const int half = std::max(g_.out_w + 2, (g_.in_w + 2 * pad + 1) / 2);  // columns per half
  const size_t plane = size_t(g_.in_h) * size_t(g_.in_w), half_bytes = size_t(half) * C;
  const uint8_t offset = offset_;
  s.codes_u8.assign(size_t(ph) * 2 * half_bytes, offset);
  s.col_u8.resize(size_t(g_.in_w) * C);
  for (int y = 0; y < g_.in_h; ++y) {
    QuantizeToBytesHwc(x + size_t(y) * size_t(g_.in_w), int(C), size_t(g_.in_w), plane, grp.multiplier,
                       quant::Levels(bits_), offset, s.col_u8.data());
    uint8_t* row = s.codes_u8.data() + size_t(y + pad) * 2 * half_bytes;
    for (int xi = 0; xi < g_.in_w; ++xi) {
      const int column = xi + pad;
      std::copy_n(s.col_u8.data() + size_t(xi) * C, C, row + size_t(column % 2) * half_bytes + size_t(column / 2) * C);
    }
  }
  return half;
}

// Codes as bytes (q_a + the offset) in channels-last order; then either direct vpsadbw convolution
// over a padded copy, or byte im2col rows and vpsadbw tiles (identical sums); at 8 bits plus each
// channel's constant.
void Adder2dQuantKernel::ByteSums(const Group& grp, const float* x, int32_t* sums, Scratch& s) const {
  const int P = g_.P();
  int32_t* acc = SetAccumulators(grp.channels, g_.out_c, size_t(P), sums, s.acc_i);
  SadSums(grp, x, acc, s);
  for (size_t r = 0; r < grp.sum_bias.size(); ++r)
    for (int32_t *a = acc + r * size_t(P), *end = a + P; a < end; ++a) *a += grp.sum_bias[r];
  Scatter(grp.channels, size_t(P), acc, sums);
}

void Adder2dQuantKernel::SadSums(const Group& grp, const float* x, int32_t* acc, Scratch& s) const {
  const int P = g_.P(), C = g_.in_c, K = g_.K(), row = SadRowBytes(K);
  const size_t plane = size_t(g_.in_h) * size_t(g_.in_w);
  const int rows = (P + kSadPixelTile - 1) / kSadPixelTile * kSadPixelTile;
  const uint8_t offset = offset_;
  if (pointwise_) return PointwiseByteSums(grp, x, acc, s);
  if (direct_ != SadDirectForm::kNone) {
    const int pw = QuantizePadded(grp, x, s);
    const uint8_t* w = tap_bytes_ > 0 ? grp.wtaps.data() : grp.wbytes.data();
    SadDirect(direct_, s.codes_u8.data(), pw, C, g_.out_h, g_.out_w, g_.kernel_h, g_.kernel_w, g_.stride, w,
              int(grp.channels.size()), acc);
    return;
  }
  s.codes_u8.resize(plane * size_t(C));
  QuantizeToBytesHwc(x, C, plane, plane, grp.multiplier, quant::Levels(bits_), offset, s.codes_u8.data());
  s.col_u8.resize(size_t(rows) * size_t(row));
  Im2ColBytesHwc(g_, s.codes_u8.data(), s.col_u8.data(), row, rows, offset);
  SadTiles(s.col_u8.data(), P, row, grp.wbytes.data(), int(grp.channels.size()), acc);
}

// 1x1, no padding: gather the sampled pixels' values (stride > 1), quantize them into channels-last
// rows (the im2col rows of this layer), then the direct kernel (16 channels, the rows read as one
// image row) or the tiles.
void Adder2dQuantKernel::PointwiseByteSums(const Group& grp, const float* x, int32_t* acc, Scratch& s) const {
  const int P = g_.P(), C = g_.in_c, st = g_.stride;
  const size_t plane = size_t(g_.in_h) * size_t(g_.in_w);
  const float* sampled = x;
  size_t channel_stride = plane;
  if (st != 1) {
    s.pad_f.resize(size_t(C) * size_t(P));
    for (int c = 0; c < C; ++c)
      for (int oy = 0; oy < g_.out_h; ++oy) {
        const float* src = x + size_t(c) * plane + size_t(oy * st) * size_t(g_.in_w);
        float* dst = s.pad_f.data() + size_t(c) * size_t(P) + size_t(oy) * size_t(g_.out_w);
        for (int ox = 0; ox < g_.out_w; ++ox) dst[ox] = src[size_t(ox * st)];
      }
    sampled = s.pad_f.data();
    channel_stride = size_t(P);
  }
  const uint8_t offset = offset_;
  const int rows = (P + kSadPixelTile - 1) / kSadPixelTile * kSadPixelTile;
  s.col_u8.resize(size_t(rows) * size_t(C));
  std::fill(s.col_u8.begin() + std::ptrdiff_t(P) * C, s.col_u8.end(), offset);  // the tiles' filler row
  QuantizeToBytesHwc(sampled, C, size_t(P), channel_stride, grp.multiplier, quant::Levels(bits_), offset, s.col_u8.data());
  if (direct_ != SadDirectForm::kNone)
    SadDirect(direct_, s.col_u8.data(), P, C, 1, P, 1, 1, 1, grp.wtaps.data(), int(grp.channels.size()), acc);
  else
    SadTiles(s.col_u8.data(), P, C, grp.wbytes.data(), int(grp.channels.size()), acc);
}

void Adder2dQuantKernel::Eval(const OpContext& ctx, int begin, int end, Scratch& s) const {
  const size_t P = size_t(g_.P());
  std::vector<int32_t>& sums = s.sums;
  sums.resize(g_.OutputSize());
  for (int n = begin; n < end; ++n) {
    IntegerSums(ctx.inputs[0] + size_t(n) * ctx.input_sizes[0], sums.data(), s);
    ApplyAffineEpilogue(sums.data(), scale_.data(), shift_.data(),
                   ctx.residual ? ctx.residual + size_t(n) * ctx.output_size : nullptr, relu_, g_.out_c, P,
                   ctx.output + size_t(n) * ctx.output_size);
  }
}

}  // namespace adderq::kernels
