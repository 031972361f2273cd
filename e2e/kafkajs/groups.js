#!/usr/bin/env node
// kafkajs 2.2.4 (pinned in e2e/package-lock.json) consumer-group member for e2e/tests/test_groups.py.
//
// Usage: node groups.js --bootstrap HOST:PORT --group G --topic T --out FILE --id NAME
//
// Joins group G (kafkajs' own JoinGroup/SyncGroup/Heartbeat, its default round-robin assignor),
// reads T from the beginning when the group has no committed offset, and for every message
// appends one JSON line {member, partition, offset, value} to FILE and then commits offset+1
// synchronously (autoCommit off, commitOffsets awaited) before taking the next message, so that a
// member stopped between messages leaves no message to be read twice. Each completed join is
// appended to FILE as {member, event: "join", leader, assignment}. SIGTERM disconnects
// cleanly (LeaveGroup) and exits 0; any consumer crash exits 1.
'use strict';

const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

function parseArgs(argv) {
  const options = {};
  for (let i = 2; i + 1 < argv.length; i += 2) options[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const required of ['bootstrap', 'group', 'topic', 'out', 'id']) {
    if (!options[required]) throw new Error(`missing --${required}`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv);
  const write = (entry) => fs.appendFileSync(options.out, JSON.stringify({ member: options.id, ...entry }) + '\n');
  const kafka = new Kafka({
    clientId: `kafkajs-${options.id}`,
    brokers: [options.bootstrap],
    logLevel: logLevel.WARN,
    retry: { retries: 10, initialRetryTime: 200 },
  });
  const consumer = kafka.consumer({
    groupId: options.group,
    sessionTimeout: 6000,
    rebalanceTimeout: 10000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    write({ event: 'join', leader: e.payload.isLeader, assignment: e.payload.memberAssignment });
  });
  consumer.on(consumer.events.CRASH, (e) => {
    console.error(`consumer crashed: ${e.payload.error && e.payload.error.stack}`);
    process.exit(1);
  });
  let stopping = false;
  process.on('SIGTERM', async () => {
    if (stopping) return;
    stopping = true;
    try {
      await consumer.disconnect();
      process.exit(0);
    } catch (err) {
      console.error(err);
      process.exit(1);
    }
  });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      write({ partition, offset: Number(message.offset), value: message.value.toString() });
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    },
  });
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
