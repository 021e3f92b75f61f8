// The C API: opaque handles over the C++ API; every exception becomes a status code plus a
// thread-local message.
#include "adderq/adderq.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "adderq/adderq.hpp"
#include "api/api_internal.h"

struct adderq_model {
  adderq::Model model;
  int max_bits = 0;
};

struct adderq_session {
  adderq::Session session;
  std::string backend;
  size_t classes = 0;
  size_t input_floats = 0;  // C x H x W per image
};

namespace {

thread_local std::string g_last_error;

adderq_status Fail(adderq_status status, std::string message) {
  g_last_error = std::move(message);
  return status;
}

// Runs fn, translating whatever it throws.
template <typename Fn>
adderq_status Guard(Fn&& fn) noexcept {
  try {
    fn();
    return ADDERQ_OK;
  } catch (const adderq::Error& e) {
    return Fail(static_cast<adderq_status>(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return Fail(ADDERQ_RUNTIME_ERROR, "out of memory");
  } catch (const std::exception& e) {
    return Fail(ADDERQ_RUNTIME_ERROR, e.what());
  } catch (...) {
    return Fail(ADDERQ_RUNTIME_ERROR, "unknown error");
  }
}

adderq_status NullArgument(const char* function, const char* argument) {
  return Fail(ADDERQ_INVALID_ARGUMENT, std::string(function) + ": " + argument + " is NULL");
}

// The C handle of a loaded model (the widest adder layer's bits computed once).
adderq_model* Wrap(adderq::Model model) {
  const auto& bits = model.info().adder_bits;
  const int max_bits = bits.empty() ? 0 : *std::max_element(bits.begin(), bits.end());
  return new adderq_model{std::move(model), max_bits};
}

// Checks the arguments, runs one batch through `run` (Session::Run or RunPixels), copies the logits.
template <typename Run>
adderq_status RunInto(adderq_session* s, int batch, float* logits, size_t capacity, const char* function, Run&& run) {
  if (!s) return NullArgument(function, "session");
  if (!logits) return NullArgument(function, "logits");
  if (batch < 1) return Fail(ADDERQ_INVALID_ARGUMENT, std::string(function) + ": batch must be >= 1");
  if (capacity / s->classes < size_t(batch))
    return Fail(ADDERQ_INVALID_ARGUMENT, std::string(function) + ": logits_capacity " + std::to_string(capacity) +
                                             " < " + std::to_string(batch) + " x " + std::to_string(s->classes));
  return Guard([&] {
    const std::vector<float> out = run();
    std::copy(out.begin(), out.end(), logits);
  });
}

}  // namespace

extern "C" {

const char* adderq_last_error(void) { return g_last_error.c_str(); }

const char* adderq_version(void) {
  static const std::string version = adderq::Version();
  return version.c_str();
}

adderq_status adderq_model_load(const char* path, adderq_model** out) {
  if (!path) return NullArgument("adderq_model_load", "path");
  if (!out) return NullArgument("adderq_model_load", "out");
  *out = nullptr;
  return Guard([&] { *out = Wrap(adderq::Model::Load(path)); });
}

adderq_status adderq_model_load_memory(const void* data, size_t size, adderq_model** out) {
  if (!data) return NullArgument("adderq_model_load_memory", "data");
  if (!out) return NullArgument("adderq_model_load_memory", "out");
  *out = nullptr;
  return Guard([&] { *out = Wrap(adderq::Model::FromMemory({static_cast<const uint8_t*>(data), size})); });
}

void adderq_model_free(adderq_model* model) { delete model; }

int adderq_model_num_classes(const adderq_model* model) { return model ? model->model.num_classes() : 0; }

const char* adderq_model_class_name(const adderq_model* model, int index) {
  if (!model || index < 0 || index >= model->model.num_classes()) return nullptr;
  return model->model.info().class_names[size_t(index)].c_str();
}

void adderq_model_input_shape(const adderq_model* model, int* channels, int* height, int* width) {
  const adderq::ModelInfo* info = model ? &model->model.info() : nullptr;
  if (channels) *channels = info ? info->input_channels : 0;
  if (height) *height = info ? info->input_height : 0;
  if (width) *width = info ? info->input_width : 0;
}

const char* adderq_model_architecture(const adderq_model* model) {
  return model ? model->model.info().architecture.c_str() : "";
}

const char* adderq_model_method(const adderq_model* model) { return model ? model->model.info().method.c_str() : ""; }

int adderq_model_bits(const adderq_model* model) { return model ? model->max_bits : 0; }

adderq_status adderq_session_create(const adderq_model* model, const adderq_session_options* options,
                                    adderq_session** out) {
  if (!model) return NullArgument("adderq_session_create", "model");
  if (!out) return NullArgument("adderq_session_create", "out");
  *out = nullptr;
  adderq::SessionOptions o;
  if (options) {
    // A C caller may store any int in the enum; reading it as the C++ enum type would be
    // undefined for values outside it, so read the int.
    int device = 0;
    static_assert(sizeof(device) == sizeof(options->device));
    std::memcpy(&device, &options->device, sizeof device);
    switch (device) {
      case ADDERQ_DEVICE_AUTO: o.device = adderq::Device::kAuto; break;
      case ADDERQ_DEVICE_CPU: o.device = adderq::Device::kCpu; break;
      case ADDERQ_DEVICE_CUDA: o.device = adderq::Device::kCuda; break;
      default: return Fail(ADDERQ_INVALID_ARGUMENT, "adderq_session_create: unknown device " + std::to_string(device));
    }
    o.threads = options->threads;
  }
  return Guard([&] {
    adderq::Session session(model->model, o);
    std::string backend = session.backend();
    *out = new adderq_session{std::move(session), std::move(backend), size_t(model->model.num_classes()),
                              model->model.input_size()};
  });
}

void adderq_session_free(adderq_session* session) { delete session; }

const char* adderq_session_backend(const adderq_session* session) { return session ? session->backend.c_str() : ""; }

adderq_status adderq_session_run(adderq_session* session, const float* images, int batch, float* logits,
                                 size_t logits_capacity) {
  if (!images) return NullArgument("adderq_session_run", "images");
  return RunInto(session, batch, logits, logits_capacity, "adderq_session_run",
                 [&] { return session->session.Run({images, size_t(batch) * session->input_floats}, batch); });
}

adderq_status adderq_session_run_pixels(adderq_session* session, const uint8_t* pixels, int batch, float* logits,
                                        size_t logits_capacity) {
  if (!pixels) return NullArgument("adderq_session_run_pixels", "pixels");
  return RunInto(session, batch, logits, logits_capacity, "adderq_session_run_pixels",
                 [&] { return session->session.RunPixels({pixels, size_t(batch) * session->input_floats}, batch); });
}

adderq_status adderq_image_load_fitted(const char* path, int width, int height, uint8_t* rgb_out) {
  if (!path) return NullArgument("adderq_image_load_fitted", "path");
  if (!rgb_out) return NullArgument("adderq_image_load_fitted", "rgb_out");
  return Guard([&] {
    const adderq::Image image = adderq::FitImage(adderq::LoadImage(path), width, height);
    std::copy(image.rgb.begin(), image.rgb.end(), rgb_out);
  });
}

adderq_status adderq_image_load_for_model(const adderq_model* model, const char* path, uint8_t* rgb_out) {
  if (!model) return NullArgument("adderq_image_load_for_model", "model");
  if (!path) return NullArgument("adderq_image_load_for_model", "path");
  if (!rgb_out) return NullArgument("adderq_image_load_for_model", "rgb_out");
  return Guard([&] {
    const adderq::Image image = adderq::FitImageToModel(model->model, adderq::LoadImage(path));
    std::copy(image.rgb.begin(), image.rgb.end(), rgb_out);
  });
}

adderq_status adderq_softmax(const float* logits, int n, float* probabilities) {
  if (!logits) return NullArgument("adderq_softmax", "logits");
  if (!probabilities) return NullArgument("adderq_softmax", "probabilities");
  if (n < 1) return Fail(ADDERQ_INVALID_ARGUMENT, "adderq_softmax: n must be >= 1");
  return Guard([&] {
    const std::vector<float> p = adderq::Softmax({logits, size_t(n)});
    std::copy(p.begin(), p.end(), probabilities);
  });
}

adderq_status adderq_top_k(const float* logits, int n, int k, int* classes, float* probabilities) {
  if (!logits) return NullArgument("adderq_top_k", "logits");
  if (!classes) return NullArgument("adderq_top_k", "classes");
  if (n < 1 || k < 1 || k > n) return Fail(ADDERQ_INVALID_ARGUMENT, "adderq_top_k: need 1 <= k <= n");
  return Guard([&] {
    const std::vector<float> p = adderq::Softmax({logits, size_t(n)});
    const std::vector<int> order = adderq::api::RankByLogit({logits, size_t(n)});
    for (int i = 0; i < k; ++i) {
      classes[i] = order[size_t(i)];
      if (probabilities) probabilities[i] = p[size_t(order[size_t(i)])];
    }
  });
}

}  // extern "C"
