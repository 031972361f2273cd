/* sluice_noloss_producer: the producing half of the no-loss checker (the verifier is
 * e2e/harness/noloss.py).
 *
 * Produces the values "<run>-<n>" (n = 0, 1, 2, ...) to one partition at a steady rate with
 * librdkafka, by default acks=all and enable.idempotence=true (retries unbounded, so only
 * message.timeout.ms bounds a message's life), and appends one line per delivery report to
 * --out, flushed at once so the file holds exactly what the client was told even if it is killed:
 *     ack <value> <offset> <wall-clock ms>
 *     fail <value> <error name>
 *     fatal <reason>                       (idempotent producer's fatal error; production stops)
 * Stops after --duration-ms or --count messages, or on SIGTERM/SIGINT; then waits for the
 * outstanding reports (up to message.timeout.ms), purges what is left (reported as fail), prints
 *     produced=N acked=A failed=F fatal=0|1
 * on stdout and exits 0 (3 after a fatal error, 2 on bad usage).
 *
 * Usage: sluice_noloss_producer --bootstrap H:P[,H:P] --topic T --out FILE [--partition 0]
 *        [--run ID] [--rate MSGS_PER_S] [--duration-ms MS] [--count N] [--acks all|1|0]
 *        [--idempotence true|false] [--message-timeout-ms MS] [--request-timeout-ms MS]
 *        [--payload-bytes B] */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rdkafka_e2e_client.h"

static volatile sig_atomic_t stop_requested = 0;

static void on_stop_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

typedef struct {
  const char* bootstrap;
  const char* topic;
  const char* out_path;
  const char* run;
  const char* acks;
  const char* idempotence;
  int32_t partition;
  int64_t rate;
  int64_t duration_ms;
  int64_t count;
  int64_t message_timeout_ms;
  int64_t request_timeout_ms;
  int64_t payload_bytes;
} noloss_options;

typedef struct {
  FILE* out;
  int64_t acked;
  int64_t failed;
  int fatal;
} noloss_state;

static void usage_and_exit(const char* problem, const char* value) {
  fprintf(stderr,
          "sluice_noloss_producer: %s%s%s\n"
          "usage: sluice_noloss_producer --bootstrap H:P --topic T --out FILE [--partition P] "
          "[--run ID]\n"
          "       [--rate MSGS_PER_S] [--duration-ms MS] [--count N] [--acks all|1|0]\n"
          "       [--idempotence true|false] [--message-timeout-ms MS] [--request-timeout-ms MS]\n"
          "       [--payload-bytes B]\n",
          problem, value ? ": " : "", value ? value : "");
  exit(2);
}

static int64_t parse_number(const char* name, const char* value) {
  char* end = NULL;
  long long parsed = strtoll(value, &end, 10);
  if (end == value || *end != '\0') usage_and_exit("not a number", name);
  return parsed;
}

static noloss_options parse_noloss_options(int argc, char** argv) {
  noloss_options o = {.bootstrap = NULL,
                      .topic = NULL,
                      .out_path = NULL,
                      .run = "run",
                      .acks = "all",
                      .idempotence = "true",
                      .partition = 0,
                      .rate = 200,
                      .duration_ms = -1,
                      .count = -1,
                      .message_timeout_ms = 60000,
                      .request_timeout_ms = 10000,
                      .payload_bytes = 0};
  for (int i = 1; i < argc; i += 2) {
    const char* name = argv[i];
    if (i + 1 >= argc) usage_and_exit("option without a value", name);
    const char* value = argv[i + 1];
    if (strcmp(name, "--bootstrap") == 0)
      o.bootstrap = value;
    else if (strcmp(name, "--topic") == 0)
      o.topic = value;
    else if (strcmp(name, "--out") == 0)
      o.out_path = value;
    else if (strcmp(name, "--run") == 0)
      o.run = value;
    else if (strcmp(name, "--acks") == 0)
      o.acks = value;
    else if (strcmp(name, "--idempotence") == 0)
      o.idempotence = value;
    else if (strcmp(name, "--partition") == 0)
      o.partition = (int32_t)parse_number(name, value);
    else if (strcmp(name, "--rate") == 0)
      o.rate = parse_number(name, value);
    else if (strcmp(name, "--duration-ms") == 0)
      o.duration_ms = parse_number(name, value);
    else if (strcmp(name, "--count") == 0)
      o.count = parse_number(name, value);
    else if (strcmp(name, "--message-timeout-ms") == 0)
      o.message_timeout_ms = parse_number(name, value);
    else if (strcmp(name, "--request-timeout-ms") == 0)
      o.request_timeout_ms = parse_number(name, value);
    else if (strcmp(name, "--payload-bytes") == 0)
      o.payload_bytes = parse_number(name, value);
    else
      usage_and_exit("unknown option", name);
  }
  if (o.bootstrap == NULL || o.topic == NULL || o.out_path == NULL) {
    usage_and_exit("--bootstrap, --topic and --out are required", NULL);
  }
  if (o.rate <= 0) usage_and_exit("--rate must be positive", NULL);
  if (o.partition < 0) usage_and_exit("--partition must be >= 0", NULL);
  if (strpbrk(o.run, " .\n") != NULL)
    usage_and_exit("--run may not contain a space, '.' or newline", o.run);
  return o;
}

static int64_t wall_clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The value without the padding: "<run>-<n>" ends at the first '.' (padding is dots). */
static int value_length(const rd_kafka_message_t* message) {
  const char* payload = message->payload;
  int length = 0;
  while ((size_t)length < message->len && payload[length] != '.') ++length;
  return length;
}

static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
  (void)rk;
  noloss_state* state = opaque;
  int length = value_length(message);
  if (message->err) {
    ++state->failed;
    fprintf(state->out, "fail %.*s %s\n", length, (const char*)message->payload,
            rd_kafka_err2name(message->err));
  } else {
    ++state->acked;
    fprintf(state->out, "ack %.*s %" PRId64 " %" PRId64 "\n", length, (const char*)message->payload,
            message->offset, wall_clock_ms());
  }
  fflush(state->out);
}

static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  noloss_state* state = opaque;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_resp_err_t original = rd_kafka_fatal_error(rk, fatal, sizeof fatal);
    fprintf(state->out, "fatal %s %s\n", rd_kafka_err2name(original), fatal);
    fflush(state->out);
    state->fatal = 1;
    stop_requested = 1;
  }
  fprintf(stderr, "librdkafka error %s: %s\n", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

int main(int argc, char** argv) {
  noloss_options options = parse_noloss_options(argc, argv);
  noloss_state state = {.out = fopen(options.out_path, "a"), .acked = 0, .failed = 0, .fatal = 0};
  if (state.out == NULL) {
    perror(options.out_path);
    return 2;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char number[32];
  set_conf(conf, "bootstrap.servers", options.bootstrap);
  set_conf(conf, "client.id", "sluice-noloss");
  set_conf(conf, "acks", options.acks);
  set_conf(conf, "enable.idempotence", options.idempotence);
  set_conf(conf, "compression.codec", "none");
  set_conf(conf, "linger.ms", "5");
  set_conf(conf, "retry.backoff.ms", "100");
  set_conf(conf, "reconnect.backoff.ms", "50");
  set_conf(conf, "reconnect.backoff.max.ms", "1000");
  set_conf(conf, "topic.metadata.refresh.interval.ms", "1000");
  snprintf(number, sizeof number, "%" PRId64, options.message_timeout_ms);
  set_conf(conf, "message.timeout.ms", number);
  snprintf(number, sizeof number, "%" PRId64, options.request_timeout_ms);
  set_conf(conf, "request.timeout.ms", number);
  set_conf(conf, "socket.timeout.ms", number);
  // librdkafka's own debug contexts (e.g. "eos,topic,broker") when a fault test needs them.
  const char* debug = getenv("SLUICE_NOLOSS_DEBUG");
  if (debug != NULL && debug[0] != '\0') set_conf(conf, "debug", debug);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_error_cb(conf, on_error);
  rd_kafka_conf_set_opaque(conf, &state);
  rd_kafka_t* producer = new_handle(RD_KAFKA_PRODUCER, conf);

  int64_t started = now_ms();
  int64_t produced = 0;
  char value[256];
  while (!stop_requested) {
    int64_t now = now_ms();
    if (options.duration_ms >= 0 && now - started >= options.duration_ms) break;
    if (options.count >= 0 && produced >= options.count) break;
    int64_t due = started + produced * 1000 / options.rate;
    if (now < due || rd_kafka_outq_len(producer) > 5000) {
      int64_t wait = due - now;
      rd_kafka_poll(producer, wait > 10 || wait <= 0 ? 10 : (int)wait);
      continue;
    }
    int length = snprintf(value, sizeof value, "%s-%" PRId64, options.run, produced);
    int64_t padded = options.payload_bytes > length ? options.payload_bytes : length;
    if (padded >= (int64_t)sizeof value) padded = sizeof value - 1;
    memset(value + length, '.', (size_t)(padded - length));
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(options.topic), RD_KAFKA_V_PARTITION(options.partition),
        RD_KAFKA_V_VALUE(value, (size_t)padded), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer, 10);
      continue;
    }
    if (err) {
      fprintf(state.out, "fail %.*s %s\n", length, value, rd_kafka_err2name(err));
      fflush(state.out);
      ++state.failed;
    }
    ++produced;
    rd_kafka_poll(producer, 0);
  }
  if (!state.fatal) rd_kafka_flush(producer, (int)options.message_timeout_ms + 5000);
  /* Whatever is still queued or in flight gets a delivery report with a purge error. */
  rd_kafka_purge(producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(producer, 100);
  rd_kafka_flush(producer, 5000);
  rd_kafka_destroy(producer);
  fclose(state.out);
  printf("produced=%" PRId64 " acked=%" PRId64 " failed=%" PRId64 " fatal=%d\n", produced,
         state.acked, state.failed, state.fatal);
  return state.fatal ? 3 : 0;
}
