/* rdkafka_e2e_client: librdkafka's C API as an unmodified Kafka client for Sluice's e2e tests.
 *
 * One program, several modes (see main.c). Each mode prints machine-readable lines on stdout,
 * diagnostics on stderr, and exits 0 only when everything it checked held. */
#ifndef SLUICE_E2E_RDKAFKA_E2E_CLIENT_H
#define SLUICE_E2E_RDKAFKA_E2E_CLIENT_H

#include <librdkafka/rdkafka.h>
#include <stdint.h>

/* Command-line options shared by all modes ("--name value"). Unset numbers are -1. */
typedef struct {
  const char *bootstrap;
  const char *topic;
  const char *codec;       /* compression.codec for producers */
  const char *out_path;    /* produce-log: where acknowledged messages are appended */
  const char *timestamps;  /* offsets-for-times: comma-separated list of ms timestamps */
  int32_t partition;       /* -1 = let the partitioner choose */
  int64_t count;
  int64_t base_timestamp_ms;
  int64_t step_ms;
  int64_t payload_bytes;
} client_options;

/* Parses argv[first..argc); exits with a usage message on an unknown or incomplete option. */
client_options parse_options(int argc, char **argv, int first);

/* Sets a configuration property; exits naming the property when librdkafka rejects it. */
void set_conf(rd_kafka_conf_t *conf, const char *name, const char *value);

/* A configuration with bootstrap.servers and the settings every mode wants (bounded timeouts). */
rd_kafka_conf_t *base_conf(const client_options *options);

/* Creates a handle of `type` from conf (taking ownership); exits on failure. */
rd_kafka_t *new_handle(rd_kafka_type_t type, rd_kafka_conf_t *conf);

/* The deterministic payload of message `index`: "m<index>-" followed by a compressible pattern,
 * `length` bytes in total (at least the prefix). Caller frees. */
char *make_payload(int64_t index, int64_t length, size_t *out_length);

/* Monotonic milliseconds. */
int64_t now_ms(void);

int run_roundtrip(const client_options *options);
int run_produce_log(const client_options *options);
int run_produce_at(const client_options *options);
int run_offsets_for_times(const client_options *options);

#endif
