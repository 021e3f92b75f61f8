// Shared helpers for the tests: where the real data is, fixtures, and naive reference loops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compile.h"
#include "core/graph.h"

namespace adderq::testing {

// ../shared/<rel> (or $ADDERQ_SHARED/<rel>); empty when absent, and the test should GTEST_SKIP.
std::string SharedPath(const std::string& rel);
std::string FixturePath(const std::string& name);
std::vector<uint8_t> ReadAll(const std::string& path);
// Planar 8-bit images ([image][channel][plane], CIFAR-10's records) with each pixel's channels
// together instead ([image][plane][channel]: decoded RGB, the API's RunPixels).
std::vector<uint8_t> Interleave(const std::vector<uint8_t>& planar, int channels, int plane);

// Naive adder layer on one image: out[o][y][x] = sum |x_pad - w| (the distance, >= 0), in double.
std::vector<double> NaiveAdderDistance(const std::vector<float>& x, Shape3 in, const std::vector<float>& w, int out_c,
                                       int kh, int kw, int stride, int pad);
// Naive integer sum |q_a - 2 q_w| (signed codes) or |q_a - q_w| (unsigned) on codes (q_a already
// quantized, zero padding).
std::vector<int32_t> NaiveIntSums(const std::vector<int32_t>& qa, Shape3 in, const std::vector<int16_t>& qw,
                                  quant::WeightCodeKind kind, int out_c, int kh, int kw, int stride, int pad);

// The same graph with every quantized adder layer's codes replaced by random unsigned codes (the
// one-sided clamp's, 0..L, both ends included), from `seed`; only the layer named `only` if given.
Graph WithUnsignedCodes(Graph g, uint32_t seed, const std::string& only = "");

// A graph of only its input (normalisation 0/1), for tests to add nodes to.
Graph InputOnlyGraph(Shape3 in);

// A graph of a single Adder2d (or Conv2d) node over `in`, with affine scale -1 (adder) / 1, shift 0.
Graph SingleLayerGraph(OpKind kind, Shape3 in, int out_c, int k, int stride, int pad, std::vector<float> weight);

// SingleLayerGraph's adder layer quantized to `bits`: random codes (from `seed`), three quantizer
// groups (scales 1, 0.5, 2; channel o in group o % 3), activation range 1, affine 1/0, so its
// outputs are the int32 sums themselves (exact in float below 2^24).
Graph QuantizedAdderLayer(Shape3 in, int out_c, int k, int stride, int pad, int bits, uint32_t seed);

// A chain of quantized 3x3 adder layers (stride 1, padding 1) with out_channels[i] channels each,
// one quantizer group per layer (the case whose codes the CUDA plan can fuse into the previous
// layer's epilogue). Each layer but the last has an affine (fitted on probe images drawn from
// [-0.5, 1.5], like the tests' inputs) and a ReLU that spread the next layer's codes over its whole
// range, clipping included; the last has affine 1/0, so the graph's outputs are its int32 sums.
Graph QuantizedAdderChain(Shape3 in, const std::vector<int>& out_channels, int bits, uint32_t seed);

// A ResNet downsampling block behind a fused-codes producer: the first layer (3x3, ReLU) feeds a
// 3x3 stride-2 layer and a 1x1 stride-2 shortcut whose outputs are added (affine 1/0: the sums).
// The shortcut's quantizer scale (1.25) differs from the other's (1), so its codes quantized with
// the wrong multiplier, or at the wrong pixels, change the sums. Odd sizes (7x7 -> 4x4) put the
// shortcut's pixels at other places in its code image than in the first layer's output. c0: the
// first layer's channels; c1: the block's.
Graph ShortcutBlock(Shape3 in, int c0, int c1, int bits, uint32_t seed);

// Options that compile the official checkpoint `ckpt` at `bits` (0: full precision) with a small
// calibration from `data`: for tests of kernels and runtimes, which need a real network quickly
// (one whose logits differ from image to image), not its best accuracy.
compiler::CompileOptions QuickCompileOptions(const std::string& ckpt, const std::string& data, int bits);

// Small fixed graphs: a float adder layer and its 3-bit quantized twin (fuzz seeds, golden artifact).
Graph SampleFloatGraph();
Graph SampleQuantizedGraph();

// A CIFAR ResNet adder network of `depth` (20, 32, 44, 56) with random weights, built by the real
// model builder; bits > 0 quantizes every adder layer (random codes, two groups of different scales)
// and folds the BatchNorms, as a compiled artifact has them. Same seed, same graph.
Graph SyntheticResNet(int depth, int bits, uint32_t seed);
// A graph from an ONNX spec (onnx_models.h) through the front end, quantized like SyntheticResNet
// (bits 0: full precision, BatchNorms unfolded).
struct OnnxModelSpec;
Graph SyntheticOnnxGraph(const OnnxModelSpec& spec, int bits, uint32_t seed);
// The same graph with one quantizer group in every quantized adder layer (as the official
// checkpoint compiles: every group clamped to the same scale), where the CUDA plan fuses codes.
Graph WithOneQuantizerGroup(Graph g);

}  // namespace adderq::testing
