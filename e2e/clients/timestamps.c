/* Modes about record timestamps.
 *
 * `produce-at`: produce --count messages to --partition with explicit CreateTime timestamps
 * base-ts + i * step-ms (batched together by linger.ms), acks=all; prints "<offset> <timestamp>"
 * per acknowledged message in offset order. Exit 0 only if all were acknowledged.
 *
 * `offsets-for-times`: prints "watermarks <low> <high>" (rd_kafka_query_watermark_offsets), then
 * for each of --timestamps "<timestamp> <offset>" from rd_kafka_offsets_for_times (ListOffsets
 * by timestamp; -1 when no message has a timestamp >= the one asked). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdkafka_e2e_client.h"

typedef struct {
  int64_t *offsets;      /* by message index */
  int64_t *timestamps;   /* by message index */
  int64_t failed;
} produce_at_state;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
  (void)rk;
  produce_at_state *state = opaque;
  int64_t index = (int64_t)(intptr_t)message->_private;
  if (message->err) {
    fprintf(stderr, "delivery of %" PRId64 " failed: %s\n", index, rd_kafka_err2str(message->err));
    ++state->failed;
    return;
  }
  state->offsets[index] = message->offset;
}

int run_produce_at(const client_options *options) {
  if (options->partition < 0 || options->count <= 0 || options->base_timestamp_ms < 0 || options->step_ms < 0) {
    fprintf(stderr, "produce-at needs --partition --count --base-ts --step-ms\n");
    return 2;
  }
  produce_at_state state = {.offsets = calloc((size_t)options->count, sizeof(int64_t)),
                            .timestamps = calloc((size_t)options->count, sizeof(int64_t)), .failed = 0};
  for (int64_t i = 0; i < options->count; ++i) state.offsets[i] = -1;

  rd_kafka_conf_t *conf = base_conf(options);
  set_conf(conf, "acks", "all");
  set_conf(conf, "linger.ms", "200");  /* several records per batch: lookups must look inside batches */
  set_conf(conf, "batch.num.messages", "25");
  set_conf(conf, "max.in.flight", "1");  /* keep offsets in timestamp order */
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &state);
  rd_kafka_t *producer = new_handle(RD_KAFKA_PRODUCER, conf);

  for (int64_t i = 0; i < options->count; ++i) {
    int64_t timestamp = options->base_timestamp_ms + i * options->step_ms;
    state.timestamps[i] = timestamp;
    size_t length;
    char *payload = make_payload(i, 40, &length);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(options->topic), RD_KAFKA_V_PARTITION(options->partition),
        RD_KAFKA_V_VALUE(payload, length), RD_KAFKA_V_TIMESTAMP(timestamp),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void *)(intptr_t)i), RD_KAFKA_V_END);
    free(payload);
    if (err) {
      fprintf(stderr, "produce failed: %s\n", rd_kafka_err2str(err));
      return 1;
    }
    rd_kafka_poll(producer, 0);
  }
  rd_kafka_resp_err_t flushed = rd_kafka_flush(producer, 60000);
  rd_kafka_destroy(producer);
  int ok = flushed == RD_KAFKA_RESP_ERR_NO_ERROR && state.failed == 0;
  for (int64_t i = 0; i < options->count; ++i) {
    if (state.offsets[i] < 0) ok = 0;
    printf("%" PRId64 " %" PRId64 "\n", state.offsets[i], state.timestamps[i]);
  }
  free(state.offsets);
  free(state.timestamps);
  return ok ? 0 : 1;
}

int run_offsets_for_times(const client_options *options) {
  if (options->partition < 0 || options->timestamps == NULL) {
    fprintf(stderr, "offsets-for-times needs --partition and --timestamps\n");
    return 2;
  }
  rd_kafka_conf_t *conf = base_conf(options);
  rd_kafka_t *consumer = new_handle(RD_KAFKA_CONSUMER, conf);

  int64_t low = -1, high = -1;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(consumer, options->topic, options->partition,
                                                             &low, &high, 15000);
  if (err) {
    fprintf(stderr, "query_watermark_offsets: %s\n", rd_kafka_err2str(err));
    rd_kafka_destroy(consumer);
    return 1;
  }
  printf("watermarks %" PRId64 " %" PRId64 "\n", low, high);

  int ok = 1;
  char *list = strdup(options->timestamps);
  for (char *token = strtok(list, ","); token != NULL; token = strtok(NULL, ",")) {
    int64_t timestamp = strtoll(token, NULL, 10);
    rd_kafka_topic_partition_list_t *query = rd_kafka_topic_partition_list_new(1);
    /* offsets_for_times takes the timestamp in the offset field and returns the offset there. */
    rd_kafka_topic_partition_list_add(query, options->topic, options->partition)->offset = timestamp;
    err = rd_kafka_offsets_for_times(consumer, query, 15000);
    rd_kafka_topic_partition_t *answer = &query->elems[0];
    if (err || answer->err) {
      fprintf(stderr, "offsets_for_times(%" PRId64 "): %s\n", timestamp,
              rd_kafka_err2str(err ? err : answer->err));
      ok = 0;
    } else {
      printf("%" PRId64 " %" PRId64 "\n", timestamp, answer->offset);
    }
    rd_kafka_topic_partition_list_destroy(query);
  }
  free(list);
  rd_kafka_destroy(consumer);
  return ok ? 0 : 1;
}
