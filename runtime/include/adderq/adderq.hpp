// libadderq: the C++ API for running compiled AdderNet artifacts (.adq) inside an application.
//
//   adderq::Model model = adderq::Model::Load("resnet20_w4.adq");
//   adderq::Session session(model);                       // CPU, or CUDA where a GPU is usable
//   adderq::Image image = adderq::LoadImage("cat.png");   // PNG, JPEG or PPM/PGM
//   std::vector<float> logits = session.RunImages({&image, 1});
//   for (const auto& p : adderq::TopK(model, logits, 3)) std::printf("%s %.3f\n", p.name.c_str(), p.probability);
//
// Errors are reported by throwing adderq::Error (one-line message, a code saying what kind).
//
// Thread safety: a Model is immutable after loading; any number of threads may share it (copies
// share the same loaded graph, and it stays alive while any copy or Session uses it). A Session
// holds the activation buffers of its backend and is NOT safe to use from two threads at once:
// give every thread its own Session over the shared Model. Results never depend on the thread
// count, the batch size, or how many sessions exist.
#ifndef ADDERQ_ADDERQ_HPP_
#define ADDERQ_ADDERQ_HPP_

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "adderq/export.h"

namespace adderq {

// The same values as adderq_status in adderq.h.
enum class ErrorCode {
  kInvalidArgument = 1,  // a caller's argument is wrong (size, index, option)
  kBadInput = 2,         // a file is missing, truncated, corrupt or of the wrong shape
  kUnsupported = 3,      // well formed, but not something this version handles
  kRuntime = 4,          // failure while running (device, I/O)
};

class ADDERQ_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

struct ModelInfo {
  std::string architecture;      // e.g. "resnet20_adder_cifar"
  std::string method;            // "fp", "adderquant", "shared-scale"
  std::string compiler_version;
  std::string source_checkpoint;
  int input_channels = 0, input_height = 0, input_width = 0;
  std::vector<std::string> class_names;  // one per output; "class N" where the artifact has none
  std::vector<int> adder_bits;           // per adder layer, in graph order; 0 = full precision
  std::vector<float> mean, std;          // input normalisation: (pixel / 255 - mean[c]) / std[c]
  int resize_shorter = 0;  // how images are fitted: 0 = FitImage; N = shorter side to N, centre crop
};

class ADDERQ_API Model {
 public:
  // Both verify the artifact (FlatBuffers verifier, schema version, checksum, graph shapes).
  static Model Load(const std::string& path);
  static Model FromMemory(std::span<const std::uint8_t> bytes);

  const ModelInfo& info() const;
  int num_classes() const { return int(info().class_names.size()); }
  // Floats per image of Session::Run's input (channels x height x width).
  std::size_t input_size() const;

  struct Impl;  // the loaded graph; opaque to applications
  const std::shared_ptr<const Impl>& impl() const { return impl_; }

 private:
  explicit Model(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

enum class Device { kAuto, kCpu, kCuda };

struct SessionOptions {
  Device device = Device::kAuto;  // kAuto: CUDA where a driver and GPU are usable, else the CPU
  int threads = 0;                // CPU worker threads; 0 = all cores
};

// An 8-bit RGB image, rows top to bottom, pixels interleaved (R, G, B).
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width * height * 3
};

class ADDERQ_API Session {
 public:
  explicit Session(const Model& model, const SessionOptions& options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // `batch` images of normalised floats, channel-major (C x H x W each), image after image.
  // Returns batch x num_classes logits.
  std::vector<float> Run(std::span<const float> images, int batch);
  // `batch` images of 8-bit RGB pixels at the model's input size, interleaved (H x W x 3 each);
  // normalised with the model's mean and std.
  std::vector<float> RunPixels(std::span<const std::uint8_t> pixels, int batch);
  // Any size: each image is fitted to the model's input as its artifact says: FitImage (CIFAR
  // models), or the shorter side resized and the centre cropped (ImageNet-style models).
  std::vector<float> RunImages(std::span<const Image> images);

  // "cpu (avx2, 2 threads)", "cuda (NVIDIA H100 ..., sm_90)".
  std::string backend() const;
  // Why Device::kAuto chose the CPU (empty when it did not fall back).
  const std::string& fallback_reason() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct Prediction {
  int index = 0;           // class index
  std::string name;        // class name from the model
  float probability = 0;   // softmax of the logits
};

// Softmax of one image's logits (computed in double, stable for any logit range).
ADDERQ_API std::vector<float> Softmax(std::span<const float> logits);
// The k most probable classes of one image's logits, best first; ties go to the lower index.
ADDERQ_API std::vector<Prediction> TopK(const Model& model, std::span<const float> logits, int k);

// Decodes a PNG (any bit depth or colour type; alpha is dropped, as PIL's convert("RGB") does) or
// a binary/ASCII PPM/PGM (P6, P3, P5, P2) into 8-bit RGB. The format is taken from the file's bytes.
ADDERQ_API Image LoadImage(const std::string& path);
ADDERQ_API Image DecodeImage(std::span<const std::uint8_t> bytes, const std::string& name = "image");
// Fits an image to width x height: unchanged when it already has that size; otherwise the largest
// centred crop with the target's aspect ratio, resampled with a triangle (bilinear) filter whose
// support widens with the reduction factor (antialiased, like Pillow's BILINEAR resize).
ADDERQ_API Image FitImage(const Image& image, int width, int height);
// Fits an image to the model's input as its artifact says (ModelInfo::resize_shorter): FitImage for
// CIFAR models, ImageNet's resize of the shorter side and centre crop for others. What RunImages does.
ADDERQ_API Image FitImageToModel(const Model& model, const Image& image);

ADDERQ_API std::string Version();

}  // namespace adderq

#endif  // ADDERQ_ADDERQ_HPP_
