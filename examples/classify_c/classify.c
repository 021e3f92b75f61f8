/* classify: prints the top-3 classes of an image (PNG or PPM) with an adderq model, through the C
 * API of an installed libadderq.
 *   classify MODEL.adq IMAGE.png
 * Exit status: 0 on success, 1 on a usage error, 2 when the model or image cannot be used. */
#include <stdio.h>
#include <stdlib.h>

#include <adderq/adderq.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: classify MODEL.adq IMAGE\n");
    return 1;
  }
  adderq_model* model = NULL;
  adderq_session* session = NULL;
  uint8_t* pixels = NULL;
  float* logits = NULL;
  int status = 2;

  if (adderq_model_load(argv[1], &model) != ADDERQ_OK) goto fail;
  int channels, height, width;
  adderq_model_input_shape(model, &channels, &height, &width);
  const int classes = adderq_model_num_classes(model);
  pixels = malloc((size_t)width * (size_t)height * 3);
  logits = malloc((size_t)classes * sizeof(float));
  if (!pixels || !logits) goto fail;
  if (adderq_image_load_fitted(argv[2], width, height, pixels) != ADDERQ_OK) goto fail;

  adderq_session_options options = {ADDERQ_DEVICE_AUTO, 0};
  if (adderq_session_create(model, &options, &session) != ADDERQ_OK) goto fail;
  if (adderq_session_run_pixels(session, pixels, 1, logits, (size_t)classes) != ADDERQ_OK) goto fail;

  int top[3];
  float probability[3];
  const int k = classes < 3 ? classes : 3;
  if (adderq_top_k(logits, classes, k, top, probability) != ADDERQ_OK) goto fail;
  printf("%s: %s (%s, %d-bit, adderq %s on %s)\n", argv[2], adderq_model_class_name(model, top[0]),
         adderq_model_architecture(model), adderq_model_bits(model), adderq_version(), adderq_session_backend(session));
  for (int i = 0; i < k; ++i) printf("  %d %-12s %.4f\n", top[i], adderq_model_class_name(model, top[i]), probability[i]);
  status = 0;

fail:
  if (status != 0) fprintf(stderr, "classify: %s\n", adderq_last_error());
  adderq_session_free(session);
  adderq_model_free(model);
  free(pixels);
  free(logits);
  return status;
}
