// The C boundary: librdkafka's public API and its mock cluster (librdkafka >= 2.0).
#ifndef CARDGENIUS_CRDKAFKA_SHIM_H
#define CARDGENIUS_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
