#!/usr/bin/env node
// kafkajs 2.2.4 (pinned in e2e/package-lock.json) as an unmodified client of Sluice.
//
// Usage: node produce_consume.js --bootstrap HOST:PORT --topic T --count N --out FILE
//
// 1. admin.createTopics creates T with 3 partitions (resolves true), a second createTopics of the
//    same topic resolves false (TOPIC_ALREADY_EXISTS);
// 2. admin.fetchTopicMetadata lists 3 partitions, each with a leader;
// 3. a producer sends N keyed messages with one header, gzip-compressed (CompressionTypes.GZIP),
//    acks=-1, message i to partition i % 3, in sends of 100;
// 4. admin.fetchTopicOffsets reports low 0 and high = messages sent to each partition;
// 5. every message is written to FILE as one JSON line {partition, offset, key, value, header},
//    with the offset derived from the acknowledged base offsets, for the caller to read back.
// Exits non-zero on any error or mismatch. (The consumer side is read back by the python test
// with kcat; kafkajs' consumer needs consumer groups, which the group coordinator provides.)
'use strict';

const fs = require('fs');
const { Kafka, CompressionTypes, Partitioners, logLevel } = require('kafkajs');

const PARTITIONS = 3;
const SEND_SIZE = 100;

function parseArgs(argv) {
  const options = {};
  for (let i = 2; i + 1 < argv.length; i += 2) options[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const required of ['bootstrap', 'topic', 'count', 'out']) {
    if (!options[required]) throw new Error(`missing --${required}`);
  }
  options.count = Number(options.count);
  return options;
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

function messageAt(i) {
  return {
    key: `key-${i}`,
    // Repetitive content so gzip has something to compress; differs per message.
    value: `value-${i}-` + 'kafkajs-gzip-'.repeat(1 + (i % 20)),
    partition: i % PARTITIONS,
    headers: { source: `kafkajs-${i % 7}` },
  };
}

async function main() {
  const options = parseArgs(process.argv);
  const version = require('kafkajs/package.json').version;
  check(version === '2.2.4', `kafkajs version ${version}, expected 2.2.4 (run npm ci in e2e/)`);

  const kafka = new Kafka({
    clientId: 'sluice-e2e-kafkajs',
    brokers: [options.bootstrap],
    logLevel: logLevel.WARN,
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 8, initialRetryTime: 200 },
  });

  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic: options.topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 15000,
    });
    check(created === true, `createTopics resolved ${created}, expected true`);
    const createdAgain = await admin.createTopics({
      topics: [{ topic: options.topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    });
    check(createdAgain === false, `second createTopics resolved ${createdAgain}, expected false (already exists)`);

    const metadata = await admin.fetchTopicMetadata({ topics: [options.topic] });
    const topicMetadata = metadata.topics.find((t) => t.name === options.topic);
    check(topicMetadata, `fetchTopicMetadata lacks ${options.topic}: ${JSON.stringify(metadata)}`);
    check(topicMetadata.partitions.length === PARTITIONS,
      `${topicMetadata.partitions.length} partitions in metadata, expected ${PARTITIONS}`);
    for (const p of topicMetadata.partitions) {
      check(p.partitionErrorCode === 0 && p.leader >= 0, `partition ${p.partitionId}: ${JSON.stringify(p)}`);
    }

    const producer = kafka.producer({
      allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const produced = [];
    try {
      for (let start = 0; start < options.count; start += SEND_SIZE) {
        const batch = [];
        for (let i = start; i < Math.min(start + SEND_SIZE, options.count); i++) batch.push(messageAt(i));
        const results = await producer.send({
          topic: options.topic, acks: -1, compression: CompressionTypes.GZIP, messages: batch,
        });
        // One result per partition; within a partition the messages keep the order they were given.
        for (const result of results) {
          check(result.errorCode === 0, `produce error ${JSON.stringify(result)}`);
          const inPartition = batch.filter((m) => m.partition === result.partition);
          inPartition.forEach((m, index) => {
            produced.push({
              partition: m.partition, offset: Number(result.baseOffset) + index,
              key: m.key, value: m.value, header: m.headers.source,
            });
          });
        }
      }
    } finally {
      await producer.disconnect();
    }
    check(produced.length === options.count, `${produced.length} acknowledged, expected ${options.count}`);

    const offsets = await admin.fetchTopicOffsets(options.topic);
    check(offsets.length === PARTITIONS, `fetchTopicOffsets: ${JSON.stringify(offsets)}`);
    for (const o of offsets) {
      const expected = produced.filter((m) => m.partition === o.partition).length;
      check(Number(o.low) === 0, `partition ${o.partition} low ${o.low}, expected 0`);
      check(Number(o.high) === expected && Number(o.offset) === expected,
        `partition ${o.partition} high ${o.high} offset ${o.offset}, expected ${expected}`);
    }

    fs.writeFileSync(options.out, produced.map((m) => JSON.stringify(m)).join('\n') + '\n');
    console.log(`kafkajs ${version}: produced ${produced.length} gzip messages to ${options.topic}`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error) => {
  console.error(`kafkajs e2e failed: ${error.stack || error}`);
  process.exit(1);
});
