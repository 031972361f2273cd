/* Mode `roundtrip`: produce --count keyed messages with compression.codec=--codec and acks=all,
 * record the (partition, offset) of every delivery report, then read every partition back from
 * the beginning with the legacy simple consumer (rd_kafka_consume_start/_batch, no groups) and
 * check each acknowledged offset holds exactly the key and payload that were sent there.
 *
 * Output: one line "codec=C produced=N acked=N verified=N partitions=P".
 * Exit 0 only if all N were acknowledged and verified. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdkafka_e2e_client.h"

enum { MAX_PARTITIONS = 64, KEY_SPACE = 61 };

typedef struct {
  int64_t offset;
  int32_t partition;
  int delivered;  /* 1 acknowledged, -1 failed, 0 no report yet */
  int verified;
} delivery;

typedef struct {
  delivery *deliveries;
  int64_t failures;
} roundtrip_state;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
  (void)rk;
  roundtrip_state *state = opaque;
  int64_t index = (int64_t)(intptr_t)message->_private;
  delivery *d = &state->deliveries[index];
  if (message->err) {
    d->delivered = -1;
    if (state->failures++ < 5) {
      fprintf(stderr, "delivery of message %" PRId64 " failed: %s\n", index, rd_kafka_err2str(message->err));
    }
    return;
  }
  d->delivered = 1;
  d->partition = message->partition;
  d->offset = message->offset;
}

static void key_of(int64_t index, char *key, size_t size) {
  snprintf(key, size, "key-%" PRId64, index % KEY_SPACE);
}

static int64_t payload_length_of(const client_options *options, int64_t index) {
  /* At least 200 bytes: every batch, even a lone record, must shrink under every codec, or
   * librdkafka rightly sends it uncompressed and the stored-codec check would be moot. */
  return 200 + (index * 37) % (options->payload_bytes > 0 ? options->payload_bytes : 1);
}

static int produce_all(const client_options *options, roundtrip_state *state) {
  rd_kafka_conf_t *conf = base_conf(options);
  set_conf(conf, "compression.codec", options->codec);
  set_conf(conf, "acks", "all");
  set_conf(conf, "linger.ms", "20");
  set_conf(conf, "batch.num.messages", "500");
  set_conf(conf, "message.timeout.ms", "60000");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, state);
  rd_kafka_t *producer = new_handle(RD_KAFKA_PRODUCER, conf);

  for (int64_t i = 0; i < options->count; ++i) {
    char key[32];
    key_of(i, key, sizeof key);
    size_t length;
    char *payload = make_payload(i, payload_length_of(options, i), &length);
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(options->topic),
                                    RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE(payload, length),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_OPAQUE((void *)(intptr_t)i), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer, 50);
    }
    free(payload);
    if (err) {
      fprintf(stderr, "produce of message %" PRId64 " failed: %s\n", i, rd_kafka_err2str(err));
      rd_kafka_destroy(producer);
      return -1;
    }
    rd_kafka_poll(producer, 0);
  }
  rd_kafka_resp_err_t flushed = rd_kafka_flush(producer, 90000);
  rd_kafka_destroy(producer);
  if (flushed) {
    fprintf(stderr, "flush: %s\n", rd_kafka_err2str(flushed));
    return -1;
  }
  return 0;
}

/* Reads partition from the beginning until its highest acknowledged offset (or EOF/timeout),
 * checking each message at an acknowledged offset. Returns the number verified, or -1 on a
 * mismatch. */
static int64_t verify_partition(const client_options *options, roundtrip_state *state,
                                rd_kafka_t *consumer, rd_kafka_topic_t *topic, int32_t partition) {
  int64_t highest = -1;
  for (int64_t i = 0; i < options->count; ++i) {
    const delivery *d = &state->deliveries[i];
    if (d->delivered == 1 && d->partition == partition && d->offset > highest) highest = d->offset;
  }
  if (highest < 0) return 0;

  /* offset -> message index for this partition (offsets are dense from 0 on a fresh topic). */
  int64_t *index_at = malloc(sizeof(int64_t) * (size_t)(highest + 1));
  for (int64_t o = 0; o <= highest; ++o) index_at[o] = -1;
  for (int64_t i = 0; i < options->count; ++i) {
    const delivery *d = &state->deliveries[i];
    if (d->delivered == 1 && d->partition == partition) index_at[d->offset] = i;
  }

  if (rd_kafka_consume_start(topic, partition, RD_KAFKA_OFFSET_BEGINNING) == -1) {
    fprintf(stderr, "consume_start(%d): %s\n", partition, rd_kafka_err2str(rd_kafka_last_error()));
    free(index_at);
    return -1;
  }
  int64_t verified = 0, next_expected = -1;
  int failed = 0, done = 0;
  int64_t deadline = now_ms() + 60000;
  rd_kafka_message_t *batch[1000];
  while (!done && !failed && now_ms() < deadline) {
    ssize_t n = rd_kafka_consume_batch(topic, partition, 1000, batch, 1000);
    for (ssize_t m = 0; m < n; ++m) {
      rd_kafka_message_t *message = batch[m];
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (next_expected > highest) done = 1;
      } else if (message->err) {
        fprintf(stderr, "consume(%d): %s\n", partition, rd_kafka_message_errstr(message));
        failed = 1;
      } else if (message->offset <= highest) {
        if (next_expected >= 0 && message->offset != next_expected) {
          fprintf(stderr, "partition %d: offset %" PRId64 " after %" PRId64 " (gap or reorder)\n",
                  partition, message->offset, next_expected - 1);
          failed = 1;
        }
        next_expected = message->offset + 1;
        int64_t i = index_at[message->offset];
        if (i >= 0 && !state->deliveries[i].verified) {
          char key[32];
          key_of(i, key, sizeof key);
          size_t length;
          char *payload = make_payload(i, payload_length_of(options, i), &length);
          int key_ok = message->key_len == strlen(key) && memcmp(message->key, key, message->key_len) == 0;
          int value_ok = message->len == length && memcmp(message->payload, payload, length) == 0;
          free(payload);
          if (!key_ok || !value_ok) {
            fprintf(stderr, "partition %d offset %" PRId64 ": %s of message %" PRId64 " differs\n",
                    partition, message->offset, key_ok ? "payload" : "key", i);
            failed = 1;
          } else {
            state->deliveries[i].verified = 1;
            ++verified;
          }
        }
        if (next_expected > highest) done = 1;
      }
      rd_kafka_message_destroy(message);
    }
  }
  rd_kafka_consume_stop(topic, partition);
  (void)consumer;
  free(index_at);
  if (!done && !failed) {
    fprintf(stderr, "partition %d: timed out before offset %" PRId64 " (reached %" PRId64 ")\n",
            partition, highest, next_expected);
  }
  return failed ? -1 : verified;
}

int run_roundtrip(const client_options *options) {
  if (options->count <= 0) {
    fprintf(stderr, "roundtrip needs --count\n");
    return 2;
  }
  roundtrip_state state = {.deliveries = calloc((size_t)options->count, sizeof(delivery)), .failures = 0};
  if (produce_all(options, &state) != 0) return 1;

  int64_t acked = 0;
  int seen[MAX_PARTITIONS] = {0};
  for (int64_t i = 0; i < options->count; ++i) {
    if (state.deliveries[i].delivered == 1) {
      ++acked;
      if (state.deliveries[i].partition >= 0 && state.deliveries[i].partition < MAX_PARTITIONS) {
        seen[state.deliveries[i].partition] = 1;
      }
    }
  }

  rd_kafka_conf_t *conf = base_conf(options);
  set_conf(conf, "enable.partition.eof", "true");
  set_conf(conf, "fetch.wait.max.ms", "100");
  rd_kafka_t *consumer = new_handle(RD_KAFKA_CONSUMER, conf);
  rd_kafka_topic_conf_t *topic_conf = rd_kafka_topic_conf_new();
  rd_kafka_topic_t *topic = rd_kafka_topic_new(consumer, options->topic, topic_conf);

  int64_t verified = 0;
  int partitions = 0, failed = 0;
  for (int32_t p = 0; p < MAX_PARTITIONS; ++p) {
    if (!seen[p]) continue;
    ++partitions;
    int64_t v = verify_partition(options, &state, consumer, topic, p);
    if (v < 0) failed = 1;
    else verified += v;
  }
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(consumer);

  printf("codec=%s produced=%" PRId64 " acked=%" PRId64 " verified=%" PRId64 " partitions=%d\n",
         options->codec, options->count, acked, verified, partitions);
  free(state.deliveries);
  return (!failed && acked == options->count && verified == acked) ? 0 : 1;
}
