#include "broker/config/kafka_broker_keys.h"

#include <set>

namespace sluice::config {

namespace {

// Transcribed from the key names in Kafka 2.8's KafkaConfig (the facts, not the code).
const std::set<std::string>& IgnoredKeys() {
  // clang-format off
  static const auto* keys = new std::set<std::string>{
      // ZooKeeper client details
      "zookeeper.sync.time.ms", "zookeeper.set.acl", "zookeeper.max.in.flight.requests",
      "zookeeper.ssl.client.enable", "zookeeper.clientCnxnSocket",
      "zookeeper.ssl.keystore.location", "zookeeper.ssl.keystore.password",
      "zookeeper.ssl.keystore.type", "zookeeper.ssl.truststore.location",
      "zookeeper.ssl.truststore.password", "zookeeper.ssl.truststore.type",
      "zookeeper.ssl.protocol", "zookeeper.ssl.enabled.protocols", "zookeeper.ssl.cipher.suites",
      "zookeeper.ssl.endpoint.identification.algorithm", "zookeeper.ssl.crl.enable",
      "zookeeper.ssl.ocsp.enable",
      // general
      "background.threads", "num.replica.alter.log.dirs.threads", "queued.max.requests",
      "queued.max.request.bytes", "request.timeout.ms", "socket.connection.setup.timeout.ms",
      "socket.connection.setup.timeout.max.ms", "authorizer.class.name",
      "control.plane.listener.name", "max.connections.per.ip",
      "max.connections.per.ip.overrides", "max.connections", "max.connection.creation.rate",
      "connections.max.idle.ms", "connection.failed.authentication.delay.ms",
      // KRaft (early access in 2.8)
      "process.roles", "initial.broker.registration.timeout.ms", "broker.heartbeat.interval.ms",
      "broker.session.timeout.ms", "node.id", "metadata.log.dir", "controller.listener.names",
      "sasl.mechanism.controller.protocol", "controller.quorum.voters",
      "controller.quorum.election.timeout.ms", "controller.quorum.fetch.timeout.ms",
      "controller.quorum.election.backoff.max.ms", "controller.quorum.append.linger.ms",
      "controller.quorum.request.timeout.ms", "controller.quorum.retry.backoff.ms",
      "metadata.log.segment.bytes", "metadata.log.segment.ms",
      // log cleaner and log details
      "log.cleaner.threads", "log.cleaner.io.max.bytes.per.second", "log.cleaner.io.buffer.size",
      "log.cleaner.io.buffer.load.factor",
      "log.flush.start.offset.checkpoint.interval.ms",
      "create.topic.policy.class.name", "alter.config.policy.class.name",
      // replication
      "replica.socket.receive.buffer.bytes", "fetch.purgatory.purge.interval.requests",
      "producer.purgatory.purge.interval.requests",
      "delete.records.purgatory.purge.interval.requests",
      "inter.broker.protocol.version", "replica.selector.class",
      // groups, offsets, transactions
      "group.max.size", "offset.metadata.max.bytes", "offsets.load.buffer.size",
      "offsets.topic.compression.codec", "offsets.retention.check.interval.ms",
      "offsets.commit.required.acks",
      "transactional.id.expiration.ms", "transaction.max.timeout.ms",
      "transaction.state.log.min.isr", "transaction.state.log.load.buffer.size",
      "transaction.state.log.num.partitions", "transaction.state.log.segment.bytes",
      "transaction.state.log.replication.factor",
      "transaction.abort.timed.out.transaction.cleanup.interval.ms",
      "transaction.remove.expired.transaction.cleanup.interval.ms",
      // fetch sessions and quotas
      "max.incremental.fetch.session.cache.slots", "fetch.max.bytes", "quota.window.num",
      "replication.quota.window.num", "alter.log.dirs.replication.quota.window.num",
      "controller.quota.window.num", "quota.window.size.seconds",
      "replication.quota.window.size.seconds",
      "alter.log.dirs.replication.quota.window.size.seconds",
      "controller.quota.window.size.seconds", "client.quota.callback.class",
      // metrics
      "metrics.sample.window.ms", "metrics.num.samples", "metric.reporters",
      "metrics.recording.level", "kafka.metrics.reporters", "kafka.metrics.polling.interval.secs",
      // security (TLS and SASL arrive in a later issue)
      "principal.builder.class", "connections.max.reauth.ms", "security.providers",
      "ssl.protocol", "ssl.provider", "ssl.cipher.suites", "ssl.enabled.protocols",
      "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password",
      "ssl.keystore.key", "ssl.keystore.certificate.chain", "ssl.truststore.type",
      "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.certificates",
      "ssl.keymanager.algorithm", "ssl.trustmanager.algorithm",
      "ssl.endpoint.identification.algorithm", "ssl.secure.random.implementation",
      "ssl.client.auth", "ssl.principal.mapping.rules", "ssl.engine.factory.class",
      "sasl.mechanism.inter.broker.protocol", "sasl.jaas.config", "sasl.enabled.mechanisms",
      "sasl.server.callback.handler.class", "sasl.client.callback.handler.class",
      "sasl.login.class", "sasl.login.callback.handler.class", "sasl.kerberos.service.name",
      "sasl.kerberos.kinit.cmd", "sasl.kerberos.ticket.renew.window.factor",
      "sasl.kerberos.ticket.renew.jitter", "sasl.kerberos.min.time.before.relogin",
      "sasl.kerberos.principal.to.local.rules", "sasl.login.refresh.window.factor",
      "sasl.login.refresh.window.jitter", "sasl.login.refresh.min.period.seconds",
      "sasl.login.refresh.buffer.seconds", "delegation.token.master.key",
      "delegation.token.secret.key", "delegation.token.max.lifetime.ms",
      "delegation.token.expiry.time.ms", "delegation.token.expiry.check.interval.ms",
      "password.encoder.secret", "password.encoder.old.secret",
      "password.encoder.keyfactory.algorithm", "password.encoder.cipher.algorithm",
      "password.encoder.key.length", "password.encoder.iterations",
  };
  // clang-format on
  return *keys;
}

}  // namespace

bool IsIgnoredKafkaBrokerKey(const std::string& key) {
  if (key.rfind("listener.name.", 0) == 0) return true;  // per-listener security settings
  return IgnoredKeys().count(key) != 0;
}

}  // namespace sluice::config
