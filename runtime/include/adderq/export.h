/* Symbol visibility for libadderq: the shared library exports only what is marked ADDERQ_API. */
#ifndef ADDERQ_EXPORT_H_
#define ADDERQ_EXPORT_H_

#if defined(__GNUC__) || defined(__clang__)
#define ADDERQ_API __attribute__((visibility("default")))
#else
#define ADDERQ_API
#endif

#endif /* ADDERQ_EXPORT_H_ */
