/* Mode `produce-log`: produce to --partition continuously with acks=all until SIGTERM/SIGINT,
 * appending one line per acknowledged message to --out:
 *     <partition> <offset> <payload>
 * Each line is flushed as soon as its delivery report arrives, so the file holds exactly the
 * acknowledgements the client saw, even when the client is killed. Failed deliveries go to stderr
 * only. The crash-recovery test kills the broker under this load and checks every line.
 *
 * On SIGTERM: stop producing, wait up to 30 s for outstanding reports, print
 * "produced=N acked=A failed=F" on stdout, exit 0. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdkafka_e2e_client.h"

static volatile sig_atomic_t stop_requested = 0;

static void on_stop_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

typedef struct {
  FILE *out;
  int64_t acked;
  int64_t failed;
} produce_log_state;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
  (void)rk;
  produce_log_state *state = opaque;
  if (message->err) {
    if (state->failed++ < 20) {
      fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(message->err));
    }
    return;
  }
  ++state->acked;
  fprintf(state->out, "%" PRId32 " %" PRId64 " %.*s\n", message->partition, message->offset,
          (int)message->len, (const char *)message->payload);
  fflush(state->out);
}

int run_produce_log(const client_options *options) {
  if (options->out_path == NULL || options->partition < 0) {
    fprintf(stderr, "produce-log needs --out and --partition\n");
    return 2;
  }
  produce_log_state state = {.out = fopen(options->out_path, "a"), .acked = 0, .failed = 0};
  if (state.out == NULL) {
    perror(options->out_path);
    return 2;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);

  rd_kafka_conf_t *conf = base_conf(options);
  set_conf(conf, "acks", "all");
  set_conf(conf, "linger.ms", "5");
  /* Long enough to ride out a broker restart (which waits for the ZooKeeper session to expire). */
  set_conf(conf, "message.timeout.ms", "90000");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &state);
  rd_kafka_t *producer = new_handle(RD_KAFKA_PRODUCER, conf);

  int64_t produced = 0;
  while (!stop_requested) {
    /* Keep at most ~2000 messages outstanding so a dead broker does not grow the queue forever. */
    if (rd_kafka_outq_len(producer) > 2000) {
      rd_kafka_poll(producer, 20);
      continue;
    }
    size_t length;
    char *payload = make_payload(produced, options->payload_bytes, &length);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(options->topic), RD_KAFKA_V_PARTITION(options->partition),
        RD_KAFKA_V_VALUE(payload, length), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    free(payload);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer, 20);
      continue;
    }
    if (err) {
      fprintf(stderr, "produce failed: %s\n", rd_kafka_err2str(err));
      break;
    }
    ++produced;
    /* About 1000 messages per second: enough data, little CPU on a 2-core machine. */
    rd_kafka_poll(producer, produced % 10 == 0 ? 10 : 0);
  }
  rd_kafka_flush(producer, 30000);
  rd_kafka_destroy(producer);
  fclose(state.out);
  printf("produced=%" PRId64 " acked=%" PRId64 " failed=%" PRId64 "\n", produced, state.acked, state.failed);
  return 0;
}
