#!/usr/bin/env node
// kafkajs 2.2.4's idempotent producer (idempotent: true, acks -1, maxInFlightRequests 1) writing
// the values "<run>-<n>" to one partition, in sends of --batch values, until --count values were
// sent or SIGTERM. One line per value in the no-loss checker's format (harness/noloss.py):
//     ack <value> <offset> <wall-clock ms>      (offset = the send's base offset + index)
//     fail <value> <error name>
// so the same verifier proves exactly-once across broker failures.
//
// Usage: node idempotent_producer.js --bootstrap H:P[,H:P] --topic T --partition P --run ID
//        --count N --out FILE [--batch 10]
'use strict';

const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

function parseArgs(argv) {
  const options = { batch: '10' };
  for (let i = 2; i + 1 < argv.length; i += 2) options[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const required of ['bootstrap', 'topic', 'partition', 'run', 'count', 'out']) {
    if (options[required] === undefined) throw new Error(`missing --${required}`);
  }
  options.partition = Number(options.partition);
  options.count = Number(options.count);
  options.batch = Number(options.batch);
  return options;
}

let stopRequested = false;
process.on('SIGTERM', () => { stopRequested = true; });
process.on('SIGINT', () => { stopRequested = true; });

async function main() {
  const options = parseArgs(process.argv);
  const out = fs.openSync(options.out, 'a');
  const kafka = new Kafka({
    clientId: 'sluice-e2e-kafkajs-idempotent',
    brokers: options.bootstrap.split(','),
    logLevel: logLevel.WARN,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  let sent = 0;
  let acked = 0;
  let failed = 0;
  while (!stopRequested && sent < options.count) {
    const values = [];
    for (let i = 0; i < options.batch && sent + i < options.count; ++i) values.push(`${options.run}-${sent + i}`);
    sent += values.length;
    try {
      const [result] = await producer.send({
        topic: options.topic,
        acks: -1,
        timeout: 10000,
        messages: values.map((value) => ({ value, partition: options.partition })),
      });
      const base = Number(result.baseOffset);
      const now = Date.now();
      fs.writeSync(out, values.map((value, i) => `ack ${value} ${base + i} ${now}\n`).join(''));
      acked += values.length;
    } catch (error) {
      const name = (error && (error.type || error.name)) || 'Error';
      fs.writeSync(out, values.map((value) => `fail ${value} ${String(name).replace(/\s/g, '_')}\n`).join(''));
      failed += values.length;
      process.stderr.write(`send failed: ${error && error.message}\n`);
    }
  }
  await producer.disconnect();
  fs.closeSync(out);
  process.stdout.write(`produced=${sent} acked=${acked} failed=${failed}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack}\n`);
  process.exit(1);
});
