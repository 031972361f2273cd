/*
 * sluice_loadgen: a Kafka load generator built on librdkafka's public API (deliberately not on
 * our own client, so the broker is measured against a client it did not grow up with).
 *
 *   sluice_loadgen create-topic --bootstrap HOST:PORT --topic T --partitions P
 *                               [--replication-factor R] [--min-insync-replicas M]
 *   sluice_loadgen produce      --bootstrap HOST:PORT --topic T --count N --size BYTES
 *                               [--acks -1|0|1] [--linger-ms 5] [--rate MSGS_PER_S]
 *   sluice_loadgen consume      --bootstrap HOST:PORT --topic T --count N
 *   common: [--label TEXT] [--timeout-s 300]
 *
 * Each run prints one JSON object on a line of its own (the machine-readable result; bench/run.sh
 * reads the lines that start with '{') and one human-readable line starting with '#'.
 * Exit status: 0 when every message was produced/consumed, 1 on any error or timeout.
 *
 * Units: MB is 10^6 bytes of record VALUE (payload) only, no keys, headers or protocol overhead;
 * latencies are milliseconds on CLOCK_MONOTONIC.
 *
 * Produce latency is the time from rd_kafka_producev() returning to the delivery report, i.e. what
 * an application sees: librdkafka's queueing and linger.ms included. Without --rate the producer
 * sends as fast as librdkafka accepts, so latency then mostly measures the depth of librdkafka's
 * queue (up to queue.buffering.max.messages = 100000 by default) divided by the throughput; use
 * --rate for latency below saturation.
 *
 * Consume uses the legacy (simple) consumer, one rd_kafka_consume_start_queue() per partition from
 * the beginning, into one queue: no group.id, so no group coordination is involved.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum { kErrorTextSize = 512, kConsumeBatch = 4096 };

typedef struct Options {
  const char* mode;
  const char* bootstrap;
  const char* topic;
  const char* label;
  long long count;
  long long size;
  long long partitions;
  long long replication_factor;
  const char* min_insync_replicas; /* NULL: the broker's default */
  const char* acks;
  const char* linger_ms;
  double rate; /* messages per second; 0 means as fast as possible */
  double timeout_s;
} Options;

/* ---- small helpers ------------------------------------------------------------------------- */

static int64_t NowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void SleepNs(int64_t ns) {
  if (ns <= 0) return;
  struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

/* User+system CPU seconds of this process (all of librdkafka's threads included). */
static double CpuSeconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Seconds this process's threads have spent runnable but waiting for a CPU (the second field of
 * /proc/self/task/TID/schedstat, in ns; needs schedstats, otherwise 0). On a shared machine this
 * tells a slow run from a starved one. Threads that already exited are not counted. */
static double RunqueueWaitSeconds(void) {
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return 0.0;
  double total = 0.0;
  for (struct dirent* entry = readdir(tasks); entry; entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%.20s/schedstat", entry->d_name);
    FILE* file = fopen(path, "r");
    if (!file) continue;
    unsigned long long on_cpu_ns = 0, waiting_ns = 0;
    if (fscanf(file, "%llu %llu", &on_cpu_ns, &waiting_ns) == 2) total += (double)waiting_ns / 1e9;
    fclose(file);
  }
  closedir(tasks);
  return total;
}

static int CompareInt64(const void* a, const void* b) {
  int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array, in milliseconds. */
static double PercentileMs(const int64_t* sorted, long long n, double percent) {
  if (n == 0) return 0.0;
  long long rank = (long long)((percent / 100.0) * (double)n + 0.999999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return (double)sorted[rank - 1] / 1e6;
}

static void Die(const char* what, const char* detail) {
  fprintf(stderr, "sluice_loadgen: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(1);
}

static void Set(rd_kafka_conf_t* conf, const char* key, const char* value) {
  char error[kErrorTextSize];
  if (rd_kafka_conf_set(conf, key, value, error, sizeof error) != RD_KAFKA_CONF_OK) {
    Die("bad librdkafka setting", error);
  }
}

static void OnClientError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  (void)rk;
  (void)opaque;
  fprintf(stderr, "sluice_loadgen: client error %s: %s\n", rd_kafka_err2name(err), reason);
}

static rd_kafka_conf_t* BaseConf(const Options* o) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Set(conf, "bootstrap.servers", o->bootstrap);
  Set(conf, "client.id", "sluice-loadgen");
  rd_kafka_conf_set_error_cb(conf, OnClientError);
  return conf;
}

static rd_kafka_t* NewClient(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char error[kErrorTextSize];
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof error);
  if (!rk) Die("rd_kafka_new failed", error);
  return rk;
}

/* Partition count of the topic, waiting until every partition has a leader and, when `expected`
 * is positive, until the metadata lists that many partitions (a broker that is still creating the
 * topic may list only some of them); -1 after the deadline. */
static int WaitForPartitions(rd_kafka_t* rk, const char* topic, int expected, int64_t deadline_ns) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic, NULL);
  int result = -1;
  while (result < 0 && NowNs() < deadline_ns) {
    const struct rd_kafka_metadata* md = NULL;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
          md->topics[0].partition_cnt > 0) {
        int led = 0;
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
          led += md->topics[0].partitions[i].leader >= 0;
        }
        if (led == md->topics[0].partition_cnt && (expected <= 0 || led == expected)) {
          result = led;
        }
      }
      rd_kafka_metadata_destroy(md);
    }
    if (result < 0) SleepNs(100 * 1000000LL);
  }
  rd_kafka_topic_destroy(rkt);
  return result;
}

/* ---- create-topic -------------------------------------------------------------------------- */

static int RunCreateTopic(const Options* o) {
  int64_t deadline = NowNs() + (int64_t)(o->timeout_s * 1e9);
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, BaseConf(o));
  char error[kErrorTextSize];
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(
      o->topic, (int)o->partitions, (int)o->replication_factor, error, sizeof error);
  if (!new_topic) Die("rd_kafka_NewTopic_new failed", error);
  if (o->min_insync_replicas &&
      rd_kafka_NewTopic_set_config(new_topic, "min.insync.replicas", o->min_insync_replicas)) {
    Die("cannot set min.insync.replicas", o->min_insync_replicas);
  }
  rd_kafka_queue_t* results = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &new_topic, 1, NULL, results);
  rd_kafka_event_t* event = rd_kafka_queue_poll(results, (int)(o->timeout_s * 1000));
  int ok = 0;
  if (!event) {
    fprintf(stderr, "sluice_loadgen: CreateTopics timed out\n");
  } else if (rd_kafka_event_error(event)) {
    fprintf(stderr, "sluice_loadgen: CreateTopics failed: %s\n",
            rd_kafka_event_error_string(event));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** topics =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    ok = n == 1 && rd_kafka_topic_result_error(topics[0]) == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!ok && n == 1) {
      fprintf(stderr, "sluice_loadgen: CreateTopics %s: %s\n",
              rd_kafka_err2name(rd_kafka_topic_result_error(topics[0])),
              rd_kafka_topic_result_error_string(topics[0]));
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(results);
  rd_kafka_NewTopic_destroy(new_topic);
  int partitions = ok ? WaitForPartitions(rk, o->topic, (int)o->partitions, deadline) : -1;
  rd_kafka_destroy(rk);
  if (partitions != o->partitions) {
    fprintf(stderr, "sluice_loadgen: topic %s has %d partitions with leaders, wanted %lld\n",
            o->topic, partitions, o->partitions);
    return 1;
  }
  printf("{\"mode\":\"create-topic\",\"topic\":\"%s\",\"partitions\":%d}\n", o->topic, partitions);
  printf("# created %s with %d partitions\n", o->topic, partitions);
  return 0;
}

/* ---- produce ------------------------------------------------------------------------------- */

typedef struct DeliveryLog {
  int64_t* latencies_ns; /* one per delivered message, in delivery order */
  long long delivered;   /* successful delivery reports */
  long long failed;      /* delivery reports with an error */
  int64_t last_report_ns;
} DeliveryLog;

/* Runs on the thread that calls rd_kafka_poll()/rd_kafka_flush(), i.e. ours: no locking needed.
 * The message opaque carries the monotonic time at which producev() returned. */
static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque) {
  (void)rk;
  DeliveryLog* log = opaque;
  int64_t now = NowNs();
  log->last_report_ns = now;
  if (msg->err) {
    if (log->failed++ < 5) {
      fprintf(stderr, "sluice_loadgen: delivery failed: %s\n", rd_kafka_err2str(msg->err));
    }
    return;
  }
  log->latencies_ns[log->delivered++] = now - (int64_t)(intptr_t)msg->_private;
}

static int RunProduce(const Options* o) {
  DeliveryLog log = {.latencies_ns = malloc(sizeof(int64_t) * (size_t)o->count)};
  char* payload = malloc((size_t)o->size);
  if (!log.latencies_ns || !payload) Die("out of memory", NULL);
  for (long long i = 0; i < o->size; i++) payload[i] = (char)('a' + i % 26);

  rd_kafka_conf_t* conf = BaseConf(o);
  Set(conf, "acks", o->acks);
  Set(conf, "linger.ms", o->linger_ms);
  Set(conf, "compression.type", "none");
  Set(conf, "enable.idempotence", "false");
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  rd_kafka_conf_set_opaque(conf, &log);
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, conf);
  int64_t deadline = NowNs() + (int64_t)(o->timeout_s * 1e9);

  /* Connect and learn the leaders before the clock starts: setup is not throughput. */
  int partitions = WaitForPartitions(rk, o->topic, 0, deadline);
  if (partitions < 0) Die("topic has no leaders", o->topic);

  double cpu_start = CpuSeconds();
  double wait_start = RunqueueWaitSeconds();
  int64_t start = NowNs();
  int timed_out = 0;
  long long sent = 0;
  while (sent < o->count && !timed_out) {
    if (o->rate > 0) { /* open-loop pacing: message i is due at start + i / rate */
      int64_t due = start + (int64_t)((double)sent * 1e9 / o->rate);
      for (int64_t now = NowNs(); now < due; now = NowNs()) {
        rd_kafka_poll(rk, 0);
        SleepNs(due - now < 1000000 ? due - now : 1000000);
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_VALUE(payload, (size_t)o->size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void*)(intptr_t)NowNs()),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) { /* back-pressure: serve reports, then retry */
      rd_kafka_poll(rk, 1);
      timed_out = NowNs() > deadline;
      continue;
    }
    if (err) Die("produce failed", rd_kafka_err2str(err));
    sent++;
    if ((sent & 1023) == 0) {
      rd_kafka_poll(rk, 0);
      timed_out = NowNs() > deadline;
    }
  }
  while (log.delivered + log.failed < sent && NowNs() < deadline) rd_kafka_flush(rk, 100);
  int64_t end = log.last_report_ns ? log.last_report_ns : NowNs();
  double cpu_s = CpuSeconds() - cpu_start;
  double wait_s = RunqueueWaitSeconds() - wait_start;
  long long outstanding = rd_kafka_outq_len(rk);
  rd_kafka_destroy(rk);

  double elapsed_s = (double)(end - start) / 1e9;
  double msgs_per_s = (double)log.delivered / elapsed_s;
  double mb_per_s = msgs_per_s * (double)o->size / 1e6;
  qsort(log.latencies_ns, (size_t)log.delivered, sizeof(int64_t), CompareInt64);
  double p50 = PercentileMs(log.latencies_ns, log.delivered, 50);
  double p95 = PercentileMs(log.latencies_ns, log.delivered, 95);
  double p99 = PercentileMs(log.latencies_ns, log.delivered, 99);
  double p999 = PercentileMs(log.latencies_ns, log.delivered, 99.9);
  double max = PercentileMs(log.latencies_ns, log.delivered, 100);
  printf(
      "{\"mode\":\"produce\",\"label\":\"%s\",\"topic\":\"%s\",\"partitions\":%d,"
      "\"count\":%lld,\"size\":%lld,\"acks\":%s,\"linger_ms\":%s,\"rate\":%.0f,"
      "\"delivered\":%lld,\"failed\":%lld,\"elapsed_s\":%.4f,\"msgs_per_s\":%.1f,"
      "\"mb_per_s\":%.3f,\"lat_ms\":{\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"p999\":%.3f,"
      "\"max\":%.3f},\"client_cpu_s\":%.3f,\"client_cpu_wait_s\":%.3f}\n",
      o->label, o->topic, partitions, o->count, o->size, o->acks, o->linger_ms, o->rate,
      log.delivered, log.failed, elapsed_s, msgs_per_s, mb_per_s, p50, p95, p99, p999, max, cpu_s,
      wait_s);
  printf(
      "# produce %s: %lld x %lld B to %d partition(s) in %.2f s: %.0f msg/s, %.1f MB/s; "
      "latency ms p50 %.2f p95 %.2f p99 %.2f p99.9 %.2f max %.2f\n",
      o->topic, log.delivered, o->size, partitions, elapsed_s, msgs_per_s, mb_per_s, p50, p95, p99,
      p999, max);
  free(log.latencies_ns);
  free(payload);
  if (timed_out || log.delivered != o->count || outstanding != 0) {
    fprintf(stderr, "sluice_loadgen: incomplete: %lld of %lld delivered, %lld failed%s\n",
            log.delivered, o->count, log.failed, timed_out ? ", timed out" : "");
    return 1;
  }
  return 0;
}

/* ---- consume ------------------------------------------------------------------------------- */

static int RunConsume(const Options* o) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, BaseConf(o));
  int64_t deadline = NowNs() + (int64_t)(o->timeout_s * 1e9);
  int partitions = WaitForPartitions(rk, o->topic, 0, deadline);
  if (partitions < 0) Die("topic has no leaders", o->topic);

  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, o->topic, NULL);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  double cpu_start = CpuSeconds();
  double wait_start = RunqueueWaitSeconds();
  int64_t start = NowNs();
  for (int p = 0; p < partitions; p++) {
    if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, queue) == -1) {
      Die("consume_start failed", rd_kafka_err2str(rd_kafka_last_error()));
    }
  }
  static rd_kafka_message_t* batch[kConsumeBatch];
  long long received = 0, bytes = 0, errors = 0;
  while (received < o->count && NowNs() < deadline) {
    ssize_t n = rd_kafka_consume_batch_queue(queue, 200, batch, kConsumeBatch);
    for (ssize_t i = 0; i < n; i++) {
      if (batch[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        received++;
        bytes += (long long)batch[i]->len;
      } else if (batch[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && errors++ < 5) {
        fprintf(stderr, "sluice_loadgen: consume error: %s\n", rd_kafka_message_errstr(batch[i]));
      }
      rd_kafka_message_destroy(batch[i]);
    }
  }
  int64_t end = NowNs();
  double cpu_s = CpuSeconds() - cpu_start;
  double wait_s = RunqueueWaitSeconds() - wait_start;
  for (int p = 0; p < partitions; p++) rd_kafka_consume_stop(rkt, p);
  rd_kafka_queue_destroy(queue);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);

  double elapsed_s = (double)(end - start) / 1e9;
  double msgs_per_s = (double)received / elapsed_s;
  double mb_per_s = (double)bytes / elapsed_s / 1e6;
  printf(
      "{\"mode\":\"consume\",\"label\":\"%s\",\"topic\":\"%s\",\"partitions\":%d,"
      "\"count\":%lld,\"received\":%lld,\"bytes\":%lld,\"errors\":%lld,\"elapsed_s\":%.4f,"
      "\"msgs_per_s\":%.1f,\"mb_per_s\":%.3f,\"client_cpu_s\":%.3f,"
      "\"client_cpu_wait_s\":%.3f}\n",
      o->label, o->topic, partitions, o->count, received, bytes, errors, elapsed_s, msgs_per_s,
      mb_per_s, cpu_s, wait_s);
  printf(
      "# consume %s: %lld messages (%lld B) from %d partition(s) in %.2f s: %.0f msg/s, "
      "%.1f MB/s\n",
      o->topic, received, bytes, partitions, elapsed_s, msgs_per_s, mb_per_s);
  if (received < o->count) {
    fprintf(stderr, "sluice_loadgen: incomplete: %lld of %lld received\n", received, o->count);
    return 1;
  }
  return 0;
}

/* ---- command line -------------------------------------------------------------------------- */

static void Usage(void) {
  fprintf(stderr,
          "usage: sluice_loadgen create-topic|produce|consume --bootstrap HOST:PORT --topic T\n"
          "         [--partitions P] [--replication-factor R] [--min-insync-replicas M]\n"
          "         [--count N] [--size BYTES] [--acks -1|0|1] [--linger-ms MS]\n"
          "         [--rate MSGS_PER_S] [--label TEXT] [--timeout-s S]\n");
  exit(2);
}

static long long ParsePositive(const char* flag, const char* text) {
  char* end = NULL;
  long long value = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value <= 0) {
    fprintf(stderr, "sluice_loadgen: %s wants a positive integer, got '%s'\n", flag, text);
    exit(2);
  }
  return value;
}

static Options ParseOptions(int argc, char** argv) {
  Options o = {.label = "",
               .count = 0,
               .size = 100,
               .partitions = 1,
               .replication_factor = 1,
               .min_insync_replicas = NULL,
               .acks = "-1",
               .linger_ms = "5",
               .rate = 0,
               .timeout_s = 300};
  if (argc < 2) Usage();
  o.mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char* flag = argv[i];
    if (i + 1 >= argc) Usage();
    const char* value = argv[++i];
    if (!strcmp(flag, "--bootstrap"))
      o.bootstrap = value;
    else if (!strcmp(flag, "--topic"))
      o.topic = value;
    else if (!strcmp(flag, "--label"))
      o.label = value;
    else if (!strcmp(flag, "--count"))
      o.count = ParsePositive(flag, value);
    else if (!strcmp(flag, "--size"))
      o.size = ParsePositive(flag, value);
    else if (!strcmp(flag, "--partitions"))
      o.partitions = ParsePositive(flag, value);
    else if (!strcmp(flag, "--replication-factor"))
      o.replication_factor = ParsePositive(flag, value);
    else if (!strcmp(flag, "--min-insync-replicas"))
      o.min_insync_replicas = value;
    else if (!strcmp(flag, "--acks"))
      o.acks = value;
    else if (!strcmp(flag, "--linger-ms"))
      o.linger_ms = value;
    else if (!strcmp(flag, "--rate"))
      o.rate = (double)ParsePositive(flag, value);
    else if (!strcmp(flag, "--timeout-s"))
      o.timeout_s = (double)ParsePositive(flag, value);
    else
      Usage();
  }
  if (!o.bootstrap || !o.topic) Usage();
  if (strcmp(o.mode, "create-topic") && o.count <= 0) {
    fprintf(stderr, "sluice_loadgen: %s needs --count\n", o.mode);
    exit(2);
  }
  return o;
}

int main(int argc, char** argv) {
  Options o = ParseOptions(argc, argv);
  if (!strcmp(o.mode, "create-topic")) return RunCreateTopic(&o);
  if (!strcmp(o.mode, "produce")) return RunProduce(&o);
  if (!strcmp(o.mode, "consume")) return RunConsume(&o);
  Usage();
  return 2;
}
