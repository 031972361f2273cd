#!/usr/bin/env node
// kafkajs 2.2.4 (pinned in e2e/package-lock.json) as an unmodified admin client of Sluice.
//
// Usage: node admin.js --bootstrap HOST:PORT --prefix P --out FILE
//
// Each step below is one edge case of the admin APIs, checked on what kafkajs returns or
// throws (kafkajs negotiates the versions it knows: CreateTopics v3, DeleteTopics v1,
// CreatePartitions v1, DescribeConfigs v2, AlterConfigs v1, DeleteRecords v1):
//   createTopics   validateOnly creates nothing; a real create (with a config override) waits
//                  for leaders; a repeat resolves false (TOPIC_ALREADY_EXISTS); a bad name,
//                  a bad config value and a replication factor above the broker count are
//                  rejected with INVALID_TOPIC_EXCEPTION / INVALID_CONFIG /
//                  INVALID_REPLICATION_FACTOR and create nothing
//   createPartitions  validateOnly adds nothing; growing 2 -> 4 gives 4 partitions with
//                  leaders; shrinking is INVALID_PARTITIONS; an unknown topic is
//                  UNKNOWN_TOPIC_OR_PARTITION
//   describeConfigs  the override is TOPIC_CONFIG with its synonyms, the rest defaults; a
//                  configNames filter; an unknown topic; this broker's static configs
//   alterConfigs   replaces the override set (keys left out return to their defaults);
//                  validateOnly changes nothing; bad values and unknown keys are
//                  INVALID_CONFIG and change nothing; a BROKER resource is INVALID_REQUEST
//   deleteTopicRecords  to an offset, to the high watermark (-1), past it (OFFSET_OUT_OF_RANGE)
//   describeCluster, deleteTopics
// What the broker should now hold is written to FILE as JSON for the python side to compare
// with ZooKeeper. Exits non-zero on the first failed check.
'use strict';

const fs = require('fs');
const { Kafka, ConfigResourceTypes, ConfigSource, Partitioners, logLevel } = require('kafkajs');

const LEADER_WAIT_MS = 15000;

function parseArgs(argv) {
  const options = {};
  for (let i = 2; i + 1 < argv.length; i += 2) options[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const required of ['bootstrap', 'prefix', 'out']) {
    if (!options[required]) throw new Error(`missing --${required}`);
  }
  return options;
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

function step(name) {
  console.log(`[admin.js] ${name}`);
}

// kafkajs wraps errors (KafkaJSNonRetriableError -> cause, aggregate -> errors[]): finds the
// first error in the chain with a protocol error type.
function errorTypes(error) {
  const types = [];
  const seen = new Set();
  const visit = (e) => {
    if (!e || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    if (e.type) types.push(e.type);
    visit(e.cause);
    visit(e.originalError);
    (e.errors || []).forEach(visit);
    (e.partitions || []).forEach((p) => visit(p.error));
  };
  visit(error);
  return types;
}

async function expectRejection(promise, type, what) {
  let result;
  try {
    result = await promise;
  } catch (error) {
    const types = errorTypes(error);
    check(types.includes(type), `${what}: expected ${type}, got ${types.join(',') || error}`);
    return error;
  }
  throw new Error(`check failed: ${what}: expected ${type}, but it resolved ${JSON.stringify(result)}`);
}

// configNames null: every key (kafkajs encodes an absent list as null; it cannot encode null).
async function topicConfig(admin, topic, configNames) {
  const resource = { type: ConfigResourceTypes.TOPIC, name: topic };
  if (configNames) resource.configNames = configNames;
  const { resources } = await admin.describeConfigs({ includeSynonyms: true, resources: [resource] });
  check(resources.length === 1, `describeConfigs answered ${resources.length} resources`);
  check(resources[0].errorCode === 0, `describeConfigs error ${resources[0].errorCode}`);
  const byName = {};
  for (const entry of resources[0].configEntries) byName[entry.configName] = entry;
  return byName;
}

async function main() {
  const options = parseArgs(process.argv);
  const version = require('kafkajs/package.json').version;
  check(version === '2.2.4', `kafkajs version ${version}, expected 2.2.4 (run npm ci in e2e/)`);

  const kafka = new Kafka({
    clientId: 'sluice-e2e-kafkajs-admin',
    brokers: [options.bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    requestTimeout: 20000,
    retry: { retries: 5, initialRetryTime: 200 },
  });
  const topic = `${options.prefix}-admin`;
  const recordsTopic = `${options.prefix}-records`;
  const doomedTopic = `${options.prefix}-doomed`;

  const admin = kafka.admin();
  await admin.connect();
  try {
    // ---- createTopics ----------------------------------------------------------------
    step('createTopics validateOnly creates nothing');
    // waitForLeaders: false, since there are no leaders to wait for (kafkajs would then ask for
    // the topic's metadata without auto-creation and fail on UNKNOWN_TOPIC_OR_PARTITION, as it
    // does against Kafka).
    const validated = await admin.createTopics({
      validateOnly: true,
      waitForLeaders: false,
      topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
    });
    check(validated === true, `validateOnly createTopics resolved ${validated}`);
    check(!(await admin.listTopics()).includes(topic), `validateOnly created ${topic}`);

    step('createTopics creates three topics and waits for their leaders');
    const created = await admin.createTopics({
      waitForLeaders: true,
      timeout: LEADER_WAIT_MS,
      topics: [
        { topic, numPartitions: 2, replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: '3600000' }] },
        { topic: recordsTopic, numPartitions: 1, replicationFactor: 1 },
        { topic: doomedTopic, numPartitions: 1, replicationFactor: 1 },
      ],
    });
    check(created === true, `createTopics resolved ${created}, expected true`);

    step('createTopics of an existing topic resolves false');
    const again = await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    check(again === false, `second createTopics resolved ${again}, expected false`);

    step('createTopics rejects a bad name, a bad config value and too many replicas');
    await expectRejection(admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] }),
      'INVALID_TOPIC_EXCEPTION', 'topic named "bad name!"');
    await expectRejection(admin.createTopics({
      topics: [{ topic: `${options.prefix}-badconfig`, numPartitions: 1,
        configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
    }), 'INVALID_CONFIG', 'retention.ms=soon');
    await expectRejection(admin.createTopics({
      topics: [{ topic: `${options.prefix}-replicas`, numPartitions: 1, replicationFactor: 3 }],
    }), 'INVALID_REPLICATION_FACTOR', 'replication factor 3 on one broker');
    const listed = await admin.listTopics();
    for (const t of ['bad name!', `${options.prefix}-badconfig`, `${options.prefix}-replicas`]) {
      check(!listed.includes(t), `rejected topic ${t} was created anyway`);
    }

    step('fetchTopicMetadata lists both partitions with leaders');
    let metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    let partitions = metadata.topics.find((t) => t.name === topic).partitions;
    check(partitions.length === 2, `${partitions.length} partitions, expected 2`);
    check(partitions.every((p) => p.leader >= 0), `a partition without leader: ${JSON.stringify(partitions)}`);

    // ---- createPartitions ------------------------------------------------------------
    step('createPartitions validateOnly adds nothing');
    await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic, count: 4 }] });
    metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    check(metadata.topics[0].partitions.length === 2, 'validateOnly createPartitions added partitions');

    step('createPartitions grows the topic to 4 partitions with leaders');
    await admin.createPartitions({ timeout: LEADER_WAIT_MS, topicPartitions: [{ topic, count: 4 }] });
    metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    partitions = metadata.topics[0].partitions;
    check(partitions.length === 4, `${partitions.length} partitions after createPartitions, expected 4`);
    check(partitions.every((p) => p.leader >= 0), `a new partition without leader: ${JSON.stringify(partitions)}`);

    step('createPartitions refuses to shrink and to grow an unknown topic');
    await expectRejection(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }),
      'INVALID_PARTITIONS', 'shrinking 4 -> 3');
    await expectRejection(
      admin.createPartitions({ topicPartitions: [{ topic: `${options.prefix}-missing`, count: 2 }] }),
      'UNKNOWN_TOPIC_OR_PARTITION', 'createPartitions of a missing topic');

    // ---- describeConfigs -------------------------------------------------------------
    step('describeConfigs shows the override with its synonyms and the defaults');
    let configs = await topicConfig(admin, topic, null);
    check(Object.keys(configs).length >= 20, `only ${Object.keys(configs).length} topic configs described`);
    const retention = configs['retention.ms'];
    check(retention && retention.configValue === '3600000', `retention.ms ${JSON.stringify(retention)}`);
    check(retention.configSource === ConfigSource.TOPIC_CONFIG && !retention.isDefault && !retention.readOnly,
      `retention.ms source ${JSON.stringify(retention)}`);
    const synonymSources = retention.configSynonyms.map((s) => `${s.configName}:${s.configSource}`);
    check(synonymSources[0] === `retention.ms:${ConfigSource.TOPIC_CONFIG}` &&
          synonymSources[synonymSources.length - 1].endsWith(`:${ConfigSource.DEFAULT_CONFIG}`),
    `retention.ms synonyms ${JSON.stringify(retention.configSynonyms)}`);
    const cleanup = configs['cleanup.policy'];
    check(cleanup && cleanup.configValue === 'delete' && cleanup.configSource === ConfigSource.DEFAULT_CONFIG &&
          cleanup.isDefault, `cleanup.policy ${JSON.stringify(cleanup)}`);

    step('describeConfigs with configNames answers only those keys');
    configs = await topicConfig(admin, topic, ['segment.bytes', 'no.such.key']);
    check(Object.keys(configs).join() === 'segment.bytes', `filtered configs ${Object.keys(configs)}`);

    step('describeConfigs of a missing topic is UNKNOWN_TOPIC_OR_PARTITION');
    await expectRejection(topicConfig(admin, `${options.prefix}-missing`, null),
      'UNKNOWN_TOPIC_OR_PARTITION', 'describeConfigs of a missing topic');

    step("describeConfigs of this broker lists its static configs, read-only");
    const cluster = await admin.describeCluster();
    const brokerId = cluster.brokers[0].nodeId;
    const { resources: brokerResources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(brokerId) }],
    });
    const brokerConfigs = {};
    for (const e of brokerResources[0].configEntries) brokerConfigs[e.configName] = e;
    const brokerIdEntry = brokerConfigs['broker.id'];
    check(brokerIdEntry && brokerIdEntry.configValue === String(brokerId) && brokerIdEntry.readOnly &&
          brokerIdEntry.configSource === ConfigSource.STATIC_BROKER_CONFIG,
    `broker.id entry ${JSON.stringify(brokerIdEntry)}`);
    const retentionHours = brokerConfigs['log.retention.ms'];
    check(retentionHours && retentionHours.configValue === '604800000',
      `log.retention.ms entry ${JSON.stringify(retentionHours)}`);

    // ---- alterConfigs ----------------------------------------------------------------
    step('alterConfigs replaces the override set');
    const altered = await admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [
        { name: 'retention.ms', value: '7200000' }, { name: 'cleanup.policy', value: 'compact' }] }],
    });
    check(altered.resources[0].errorCode === 0, `alterConfigs ${JSON.stringify(altered)}`);
    configs = await topicConfig(admin, topic, null);
    check(configs['retention.ms'].configValue === '7200000', `retention.ms ${configs['retention.ms'].configValue}`);
    check(configs['cleanup.policy'].configValue === 'compact' &&
          configs['cleanup.policy'].configSource === ConfigSource.TOPIC_CONFIG,
    `cleanup.policy ${JSON.stringify(configs['cleanup.policy'])}`);

    step('alterConfigs validateOnly changes nothing');
    await admin.alterConfigs({
      validateOnly: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic,
        configEntries: [{ name: 'retention.ms', value: '60000' }] }],
    });
    configs = await topicConfig(admin, topic, ['retention.ms']);
    check(configs['retention.ms'].configValue === '7200000', 'validateOnly alterConfigs changed retention.ms');

    step('alterConfigs without retention.ms returns it to the default');
    await admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [
        { name: 'cleanup.policy', value: 'compact,delete' }, { name: 'segment.bytes', value: '1048576' }] }],
    });
    configs = await topicConfig(admin, topic, null);
    check(configs['retention.ms'].configValue === '604800000' &&
          configs['retention.ms'].configSource !== ConfigSource.TOPIC_CONFIG,
    `retention.ms after its override was dropped: ${JSON.stringify(configs['retention.ms'])}`);
    check(configs['cleanup.policy'].configValue === 'compact,delete', `cleanup.policy ${configs['cleanup.policy'].configValue}`);

    step('alterConfigs rejects bad values, unknown keys and broker resources, changing nothing');
    await expectRejection(admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic,
        configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
    }), 'INVALID_CONFIG', 'alterConfigs retention.ms=soon');
    await expectRejection(admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic,
        configEntries: [{ name: 'no.such.key', value: '1' }] }],
    }), 'INVALID_CONFIG', 'alterConfigs of an unknown key');
    await expectRejection(admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(brokerId),
        configEntries: [{ name: 'log.cleaner.threads', value: '2' }] }],
    }), 'INVALID_REQUEST', 'alterConfigs of a broker resource');
    configs = await topicConfig(admin, topic, null);
    check(configs['segment.bytes'].configValue === '1048576', 'a rejected alterConfigs changed segment.bytes');

    // ---- deleteTopicRecords ----------------------------------------------------------
    step('deleteTopicRecords moves the low watermark');
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const messages = [];
      for (let i = 0; i < 10; i++) messages.push({ key: `k${i}`, value: `v${i}`, partition: 0 });
      await producer.send({ topic: recordsTopic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
    const lowHigh = async () => {
      const [p0] = await admin.fetchTopicOffsets(recordsTopic);
      return [Number(p0.low), Number(p0.high)];
    };
    check((await lowHigh()).join() === '0,10', `offsets before deleteTopicRecords ${await lowHigh()}`);
    await admin.deleteTopicRecords({ topic: recordsTopic, partitions: [{ partition: 0, offset: '4' }] });
    check((await lowHigh()).join() === '4,10', `offsets after deleting below 4: ${await lowHigh()}`);
    await admin.deleteTopicRecords({ topic: recordsTopic, partitions: [{ partition: 0, offset: '-1' }] });
    check((await lowHigh()).join() === '10,10', `offsets after deleting to the high watermark: ${await lowHigh()}`);
    await expectRejection(
      admin.deleteTopicRecords({ topic: recordsTopic, partitions: [{ partition: 0, offset: '20' }] }),
      'OFFSET_OUT_OF_RANGE', 'deleteTopicRecords past the high watermark');

    // ---- describeCluster, deleteTopics -----------------------------------------------
    step('describeCluster names this broker as the controller');
    check(cluster.brokers.length === 1 && cluster.controller === brokerId && cluster.clusterId,
      `describeCluster ${JSON.stringify(cluster)}`);

    step('deleteTopics removes a topic');
    await admin.deleteTopics({ topics: [doomedTopic], timeout: LEADER_WAIT_MS });
    check(!(await admin.listTopics()).includes(doomedTopic), `${doomedTopic} still listed after deleteTopics`);

    fs.writeFileSync(options.out, JSON.stringify({
      topic,
      recordsTopic,
      doomedTopic,
      brokerId,
      clusterId: cluster.clusterId,
      // The override set alterConfigs left on `topic`, as ZooKeeper must hold it.
      topicOverrides: { 'cleanup.policy': 'compact,delete', 'segment.bytes': '1048576' },
      partitions: 4,
      recordsLogStartOffset: 10,
    }));
    console.log(`kafkajs ${version}: admin checks passed`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error) => {
  console.error(`kafkajs admin e2e failed: ${error.stack || error}`);
  if (error.cause) console.error(`cause: ${error.cause.stack || error.cause}`);
  process.exit(1);
});
