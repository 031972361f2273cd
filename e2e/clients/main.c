/* Dispatches to one mode of rdkafka_e2e_client; see rdkafka_e2e_client.h. */
#include <stdio.h>
#include <string.h>

#include "rdkafka_e2e_client.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: rdkafka_e2e_client roundtrip|produce-log|produce-at|offsets-for-times ...\n");
    return 2;
  }
  const char *mode = argv[1];
  client_options options = parse_options(argc, argv, 2);
  if (strcmp(mode, "roundtrip") == 0) return run_roundtrip(&options);
  if (strcmp(mode, "produce-log") == 0) return run_produce_log(&options);
  if (strcmp(mode, "produce-at") == 0) return run_produce_at(&options);
  if (strcmp(mode, "offsets-for-times") == 0) return run_offsets_for_times(&options);
  fprintf(stderr, "rdkafka_e2e_client: unknown mode %s\n", mode);
  return 2;
}
