#include "data/labeled_images.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>

#include "core/parallel.h"
#include "image/image_codecs.h"

namespace adderq::data {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kCifar10Names = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                "dog",      "frog",       "horse", "ship", "truck"};

// Interleaved RGB to planar C x H x W (C = 3, or 1 as the channels' mean for one-channel models).
void ToPlanar(const Image& img, const Shape3& shape, std::span<uint8_t> out) {
  const size_t plane = size_t(shape.h) * size_t(shape.w);
  for (size_t p = 0; p < plane; ++p) {
    if (shape.c == 3)
      for (size_t c = 0; c < 3; ++c) out[c * plane + p] = img.rgb[p * 3 + c];
    else
      out[p] = uint8_t((unsigned(img.rgb[p * 3]) + img.rgb[p * 3 + 1] + img.rgb[p * 3 + 2] + 1) / 3);
  }
}

Status CheckForm(const InputForm& form) {
  if (form.shape.c != 3 && form.shape.c != 1)
    return Unsupported("image data for a model of {} input channels (1 or 3 are supported)", form.shape.c);
  return Status::Ok();
}

class Cifar final : public LabeledImages {
 public:
  Cifar(ImageSet set, const InputForm& form, std::string what) : set_(std::move(set)), form_(form), what_(std::move(what)) {}
  size_t size() const override { return set_.size(); }
  int label(size_t i) const override { return set_.labels[i]; }
  const std::vector<std::string>& class_names() const override { return kCifar10Names; }
  const InputForm& form() const override { return form_; }
  std::string Describe() const override { return fmt::format("CIFAR-10 {} ({} images)", what_, size()); }
  const ImageSet* native_cifar() const override { return IsNative() ? &set_ : nullptr; }

  Status Read(size_t i, std::span<uint8_t> out) const override {
    if (out.size() != form_.shape.size()) return InvalidArgument("Read: {} bytes for a {}-byte image", out.size(), form_.shape.size());
    const uint8_t* rec = set_.image(i);
    if (IsNative()) {
      std::copy_n(rec, kCifarPixels, out.data());
      return Status::Ok();
    }
    Image img;
    img.width = img.height = kCifarSide;
    img.rgb.resize(kCifarPixels);
    for (size_t p = 0; p < 1024; ++p)
      for (size_t c = 0; c < 3; ++c) img.rgb[p * 3 + c] = rec[c * 1024 + p];
    ADQ_ASSIGN_OR_RETURN(Image fitted, image::FitToInput(img, form_.resize_shorter, form_.shape.w, form_.shape.h));
    ToPlanar(fitted, form_.shape, out);
    return Status::Ok();
  }

 private:
  bool IsNative() const { return form_.shape == Shape3{3, kCifarSide, kCifarSide}; }
  ImageSet set_;
  InputForm form_;
  std::string what_;
};

bool IsImageFile(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".ppm" || ext == ".pgm";
}

class ImageFolder final : public LabeledImages {
 public:
  static Result<std::unique_ptr<LabeledImages>> Open(const std::string& dir, const InputForm& form) {
    std::unique_ptr<ImageFolder> f(new ImageFolder(dir, form));
    std::error_code ec;
    std::vector<fs::path> classes;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
      if (e.is_directory(ec)) classes.push_back(e.path());
    if (ec) return BadInput("{}: cannot list the directory ({})", dir, ec.message());
    std::sort(classes.begin(), classes.end());
    for (const fs::path& c : classes) {
      std::vector<fs::path> files;
      for (const fs::directory_entry& e : fs::directory_iterator(c, ec))
        if (e.is_regular_file(ec) && IsImageFile(e.path())) files.push_back(e.path());
      if (ec) return BadInput("{}: cannot list the directory ({})", c.string(), ec.message());
      std::sort(files.begin(), files.end());
      const int label = int(f->names_.size());
      f->names_.push_back(c.filename().string());
      for (fs::path& p : files) {
        f->files_.push_back(p.string());
        f->labels_.push_back(label);
      }
    }
    if (f->names_.empty())
      return BadInput("{}: neither CIFAR-10 binaries (test_batch.bin, data_batch_1.bin) nor an ImageFolder (one sub-directory per class)", dir);
    if (f->files_.empty()) return BadInput("{}: no JPEG, PNG or PPM/PGM images in its {} class directories", dir, f->names_.size());
    return std::unique_ptr<LabeledImages>(std::move(f));
  }

  size_t size() const override { return files_.size(); }
  int label(size_t i) const override { return labels_[i]; }
  const std::vector<std::string>& class_names() const override { return names_; }
  const InputForm& form() const override { return form_; }
  std::string Describe() const override {
    return fmt::format("ImageFolder {} ({} images, {} classes)", dir_, files_.size(), names_.size());
  }

  Status Read(size_t i, std::span<uint8_t> out) const override {
    if (out.size() != form_.shape.size()) return InvalidArgument("Read: {} bytes for a {}-byte image", out.size(), form_.shape.size());
    ADQ_ASSIGN_OR_RETURN(Image img, image::LoadFile(files_[i]));
    auto fitted = image::FitToInput(img, form_.resize_shorter, form_.shape.w, form_.shape.h);
    if (!fitted.ok()) return fitted.status().WithContext(files_[i]);
    ToPlanar(fitted.value(), form_.shape, out);
    return Status::Ok();
  }

 private:
  ImageFolder(std::string dir, const InputForm& form) : dir_(std::move(dir)), form_(form) {}
  std::string dir_;
  InputForm form_;
  std::vector<std::string> names_, files_;
  std::vector<int> labels_;
};

}  // namespace

std::unique_ptr<LabeledImages> CifarImages(ImageSet set, const InputForm& form) {
  return std::make_unique<Cifar>(std::move(set), form, "images");
}

Result<std::unique_ptr<LabeledImages>> OpenLabeledImages(const std::string& dir, Split split, const InputForm& form) {
  ADQ_RETURN_IF_ERROR(CheckForm(form));
  std::error_code ec;
  if (!fs::exists(dir, ec)) return BadInput("{}: no such directory", dir);
  if (!fs::is_directory(dir, ec)) return BadInput("{}: not a directory", dir);
  const bool cifar = fs::exists(fs::path(dir) / (split == Split::kTest ? "test_batch.bin" : "data_batch_1.bin"), ec);
  if (cifar) {
    if (form.shape.c != 3) return Unsupported("CIFAR-10 images for a model of {} input channels", form.shape.c);
    auto set = split == Split::kTest ? LoadCifar10Test(dir) : LoadCifar10Train(dir);
    if (!set.ok()) return set.status();
    return std::unique_ptr<LabeledImages>(
        std::make_unique<Cifar>(std::move(set).value(), form, split == Split::kTest ? "test_batch.bin" : "data_batch_*.bin"));
  }
  return ImageFolder::Open(dir, form);
}

Status ReadImages(const LabeledImages& set, size_t first, size_t count, std::span<uint8_t> out, int threads) {
  const size_t bytes = set.form().shape.size();
  if (out.size() != count * bytes || first + count > set.size())
    return InvalidArgument("ReadImages: images {}..{} of {} into {} bytes", first, first + count, set.size(), out.size());
  std::mutex m;
  Status first_error;
  std::atomic<bool> failed{false};
  ParallelFor(int(count), std::max(1, threads), [&](int begin, int end, int) {
    for (int k = begin; k < end && !failed; ++k) {
      Status s = set.Read(first + size_t(k), out.subspan(size_t(k) * bytes, bytes));
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(m);
        if (!failed) first_error = s;
        failed = true;
      }
    }
  });
  return failed ? first_error : Status::Ok();
}

}  // namespace adderq::data
