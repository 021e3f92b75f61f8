/* libadderq: the C API for running compiled AdderNet artifacts (.adq).
 *
 *   adderq_model* model;  adderq_session* session;
 *   if (adderq_model_load("resnet20_w4.adq", &model) != ADDERQ_OK) { puts(adderq_last_error()); ... }
 *   adderq_session_create(model, NULL, &session);              // NULL options: auto device, all cores
 *   uint8_t pixels[32 * 32 * 3];  float logits[10];
 *   adderq_image_load_for_model(model, "cat.png", pixels);    // PNG, JPEG or PPM, fitted to the model
 *   adderq_session_run_pixels(session, pixels, 1, logits, 10);
 *   adderq_session_free(session);  adderq_model_free(model);
 *
 * Every function that can fail returns an adderq_status; on failure, adderq_last_error() gives a
 * one-line message (kept per thread until that thread's next failing call). No C++ exception ever
 * crosses this boundary.
 *
 * Thread safety: a model is immutable after loading and may be shared by any number of threads; a
 * session must be used by one thread at a time (give each thread its own session). A model may be
 * freed while sessions made from it are alive: they keep what they need.
 */
#ifndef ADDERQ_ADDERQ_H_
#define ADDERQ_ADDERQ_H_

#include <stddef.h>
#include <stdint.h>

#include "adderq/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum adderq_status {
  ADDERQ_OK = 0,
  ADDERQ_INVALID_ARGUMENT = 1, /* a caller's argument is wrong (null pointer, size, index) */
  ADDERQ_BAD_INPUT = 2,        /* a file is missing, truncated, corrupt or of the wrong shape */
  ADDERQ_UNSUPPORTED = 3,      /* well formed, but not something this version handles */
  ADDERQ_RUNTIME_ERROR = 4,    /* failure while running (device, I/O, out of memory) */
} adderq_status;

typedef enum adderq_device {
  ADDERQ_DEVICE_AUTO = 0, /* CUDA where a driver and GPU are usable, else the CPU */
  ADDERQ_DEVICE_CPU = 1,
  ADDERQ_DEVICE_CUDA = 2,
} adderq_device;

typedef struct adderq_session_options {
  adderq_device device;
  int threads; /* CPU worker threads; 0 = all cores */
} adderq_session_options;

typedef struct adderq_model adderq_model;
typedef struct adderq_session adderq_session;

/* The message of this thread's last failure ("" if none). Valid until its next failing call. */
ADDERQ_API const char* adderq_last_error(void);
ADDERQ_API const char* adderq_version(void);

/* Loading verifies the artifact (FlatBuffers verifier, schema version, checksum, shapes). */
ADDERQ_API adderq_status adderq_model_load(const char* path, adderq_model** out);
ADDERQ_API adderq_status adderq_model_load_memory(const void* data, size_t size, adderq_model** out);
ADDERQ_API void adderq_model_free(adderq_model* model); /* NULL is fine */

ADDERQ_API int adderq_model_num_classes(const adderq_model* model);
/* NULL when index is out of range. The string lives as long as the model. */
ADDERQ_API const char* adderq_model_class_name(const adderq_model* model, int index);
ADDERQ_API void adderq_model_input_shape(const adderq_model* model, int* channels, int* height, int* width);
ADDERQ_API const char* adderq_model_architecture(const adderq_model* model);
ADDERQ_API const char* adderq_model_method(const adderq_model* model);
/* Bits of the adder layers: the largest over layers; 0 for a full-precision model. */
ADDERQ_API int adderq_model_bits(const adderq_model* model);

/* options may be NULL (auto device, all cores). */
ADDERQ_API adderq_status adderq_session_create(const adderq_model* model, const adderq_session_options* options,
                                               adderq_session** out);
ADDERQ_API void adderq_session_free(adderq_session* session); /* NULL is fine */
/* "cpu (avx2, 2 threads)" etc. Lives as long as the session. */
ADDERQ_API const char* adderq_session_backend(const adderq_session* session);

/* images: batch x C x H x W normalised floats; logits: room for batch x classes floats
 * (logits_capacity counts floats). */
ADDERQ_API adderq_status adderq_session_run(adderq_session* session, const float* images, int batch, float* logits,
                                            size_t logits_capacity);
/* pixels: batch x H x W x 3 bytes of RGB at the model's input size; normalised with the model's
 * mean and std. */
ADDERQ_API adderq_status adderq_session_run_pixels(adderq_session* session, const uint8_t* pixels, int batch,
                                                   float* logits, size_t logits_capacity);

/* Decodes a PNG or PPM/PGM file and fits it to width x height (centre crop to the aspect ratio,
 * antialiased bilinear resample; unchanged if already that size) into width x height x 3 bytes. */
ADDERQ_API adderq_status adderq_image_load_fitted(const char* path, int width, int height, uint8_t* rgb_out);
/* Decodes an image file (PNG, JPEG, PPM/PGM) and fits it to the model's input as its artifact says
 * (adderq_FitImageToModel: the crop above for CIFAR models; shorter side resized, centre cropped for
 * ImageNet-style ones) into input_height x input_width x 3 bytes. */
ADDERQ_API adderq_status adderq_image_load_for_model(const adderq_model* model, const char* path, uint8_t* rgb_out);

/* Softmax of one image's logits into probabilities (n floats each). */
ADDERQ_API adderq_status adderq_softmax(const float* logits, int n, float* probabilities);
/* The k most probable classes of one image's n logits, best first (ties: lower index first);
 * probabilities may be NULL. */
ADDERQ_API adderq_status adderq_top_k(const float* logits, int n, int k, int* classes, float* probabilities);

#ifdef __cplusplus
}
#endif

#endif /* ADDERQ_ADDERQ_H_ */
