// A labelled image set in a model's input form, read on demand so that memory stays bounded
// whatever its size: CIFAR-10's binary files (in memory: 180 MB at most) or an ImageFolder
// directory (one sub-directory per class, sorted names -> labels 0, 1, ...; JPEG, PNG, PPM/PGM
// files decoded when read). Images become the model's input as its metadata says
// (image::FitToInput); CIFAR-10 images at a 3x32x32 input are used as stored.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/graph.h"
#include "data/cifar10.h"

namespace adderq::data {

// What an image must become: the model's input shape and how to fit an image to it.
struct InputForm {
  Shape3 shape{3, 32, 32};
  int resize_shorter = 0;
  static InputForm Of(const ModelMetadata& meta) { return {meta.input_shape, meta.resize_shorter}; }
};

enum class Split { kTrain, kTest };  // CIFAR-10: data_batch_*.bin or test_batch.bin; folders: the folder

class LabeledImages {
 public:
  virtual ~LabeledImages() = default;
  virtual size_t size() const = 0;
  virtual int label(size_t i) const = 0;
  virtual const std::vector<std::string>& class_names() const = 0;
  // Image i as planar 8-bit C x H x W of the input form (form().shape.size() bytes).
  virtual Status Read(size_t i, std::span<uint8_t> planar) const = 0;
  virtual const InputForm& form() const = 0;
  // "CIFAR-10 test_batch.bin (10000 images)", "ImageFolder /data/val (50000 images, 1000 classes)".
  virtual std::string Describe() const = 0;
  // The CIFAR-10 records when they are the input as stored (the training augmentation works on
  // them); null otherwise.
  virtual const ImageSet* native_cifar() const { return nullptr; }
};

// A CIFAR-10 directory (it holds test_batch.bin or data_batch_1.bin) or an ImageFolder directory.
Result<std::unique_ptr<LabeledImages>> OpenLabeledImages(const std::string& dir, Split split, const InputForm& form);
// CIFAR-10 records already in memory (the set must outlive the result when `borrowed`).
std::unique_ptr<LabeledImages> CifarImages(ImageSet set, const InputForm& form);

// Images [first, first + count) as planar bytes into `out` (count x form().shape.size()), read by
// `threads` threads (decoding dominates an ImageFolder's time).
Status ReadImages(const LabeledImages& set, size_t first, size_t count, std::span<uint8_t> out, int threads);

}  // namespace adderq::data
