#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdkafka_e2e_client.h"

static void usage_and_exit(const char *problem) {
  fprintf(stderr,
          "rdkafka_e2e_client: %s\n"
          "usage: rdkafka_e2e_client MODE --bootstrap HOST:PORT --topic T [options]\n"
          "modes: roundtrip --codec C --count N [--payload-bytes B]\n"
          "       produce-log --partition P --out FILE [--payload-bytes B]   (until SIGTERM)\n"
          "       produce-at --partition P --count N --base-ts MS --step-ms MS\n"
          "       offsets-for-times --partition P --timestamps MS[,MS...]\n",
          problem);
  exit(2);
}

client_options parse_options(int argc, char **argv, int first) {
  client_options o = {.bootstrap = NULL, .topic = NULL, .codec = "none", .out_path = NULL,
                      .timestamps = NULL, .partition = -1, .count = -1, .base_timestamp_ms = -1,
                      .step_ms = -1, .payload_bytes = 200};
  for (int i = first; i < argc; i += 2) {
    if (i + 1 >= argc) usage_and_exit("an option is missing its value");
    const char *name = argv[i];
    const char *value = argv[i + 1];
    if (strcmp(name, "--bootstrap") == 0) o.bootstrap = value;
    else if (strcmp(name, "--topic") == 0) o.topic = value;
    else if (strcmp(name, "--codec") == 0) o.codec = value;
    else if (strcmp(name, "--out") == 0) o.out_path = value;
    else if (strcmp(name, "--timestamps") == 0) o.timestamps = value;
    else if (strcmp(name, "--partition") == 0) o.partition = (int32_t)strtol(value, NULL, 10);
    else if (strcmp(name, "--count") == 0) o.count = strtoll(value, NULL, 10);
    else if (strcmp(name, "--base-ts") == 0) o.base_timestamp_ms = strtoll(value, NULL, 10);
    else if (strcmp(name, "--step-ms") == 0) o.step_ms = strtoll(value, NULL, 10);
    else if (strcmp(name, "--payload-bytes") == 0) o.payload_bytes = strtoll(value, NULL, 10);
    else usage_and_exit("unknown option");
  }
  if (o.bootstrap == NULL || o.topic == NULL) usage_and_exit("--bootstrap and --topic are required");
  return o;
}

void set_conf(rd_kafka_conf_t *conf, const char *name, const char *value) {
  char error[512];
  if (rd_kafka_conf_set(conf, name, value, error, sizeof error) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "rdkafka_e2e_client: cannot set %s=%s: %s\n", name, value, error);
    exit(2);
  }
}

rd_kafka_conf_t *base_conf(const client_options *options) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set_conf(conf, "bootstrap.servers", options->bootstrap);
  set_conf(conf, "client.id", "sluice-e2e-rdkafka");
  set_conf(conf, "socket.timeout.ms", "10000");
  set_conf(conf, "topic.metadata.refresh.interval.ms", "1000");
  /* Reconnect quickly after a broker restart (the crash test counts on it). */
  set_conf(conf, "reconnect.backoff.ms", "50");
  set_conf(conf, "reconnect.backoff.max.ms", "500");
  return conf;
}

rd_kafka_t *new_handle(rd_kafka_type_t type, rd_kafka_conf_t *conf) {
  char error[512];
  rd_kafka_t *rk = rd_kafka_new(type, conf, error, sizeof error);
  if (rk == NULL) {
    fprintf(stderr, "rdkafka_e2e_client: rd_kafka_new failed: %s\n", error);
    exit(2);
  }
  return rk;
}

char *make_payload(int64_t index, int64_t length, size_t *out_length) {
  char prefix[32];
  int prefix_length = snprintf(prefix, sizeof prefix, "m%lld-", (long long)index);
  size_t total = length > prefix_length ? (size_t)length : (size_t)prefix_length;
  char *payload = malloc(total + 1);
  memcpy(payload, prefix, (size_t)prefix_length);
  /* Repetitive text (so every codec shrinks it) that still differs per message. */
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz";
  for (size_t i = (size_t)prefix_length; i < total; ++i) {
    payload[i] = alphabet[(i / 8 + (size_t)index) % 26];
  }
  payload[total] = '\0';
  *out_length = total;
  return payload;
}

int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
