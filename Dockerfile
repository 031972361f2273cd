# Sluice images, built from source. Targets:
#   docker build --target broker   -t sluice/broker:0.1.0 .     sluice-broker, sluice, bin/kafka-*.sh
#   docker build --target operator -t sluice/operator:0.1.0 .   sluice-operator
# Works with the legacy builder and with BuildKit (no BuildKit-only syntax). The builder stages are
# shared, so building the second target only compiles what the first did not. The broker's
# compile does not see controller/ at all (SLUICE_BUILD_OPERATOR=OFF), so operator work does not
# rebuild the broker image.
ARG DEBIAN_IMAGE=debian:bookworm-slim

############################# builder: Sluice from source #############################
FROM ${DEBIAN_IMAGE} AS builder
# gtest/gmock: the unit tests beside the code are defined (never built here) when configuring.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config python3 binutils \
      libpoco-dev libzookeeper-mt-dev libyaml-cpp-dev libboost-dev libcpprest-dev libssl-dev \
      zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev \
      libgtest-dev libgmock-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the broker and the CLI are built from (tests/support: broker/metadata's tests name it):
# edits to the operator, the e2e suites or the benchmarks do not invalidate this stage's cache.
COPY CMakeLists.txt ./
COPY libs libs
COPY broker broker
COPY tests/support tests/support
ARG BUILD_JOBS=2
# Warnings stay warnings here: the project's -Werror gate is its own CI build, and an image build
# should not fail on a new compiler diagnostic at -O3.
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_WERROR=OFF \
      -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_OPERATOR=OFF \
 && ninja -C /build -j"${BUILD_JOBS}" sluice-broker sluice \
 && mkdir -p /out/bin \
 && strip -o /out/bin/sluice-broker /build/bin/sluice-broker \
 && strip -o /out/bin/sluice /build/bin/sluice

############################# runtime-base: what both images share #############################
FROM ${DEBIAN_IMAGE} AS runtime-base
ARG VERSION=0.1.0
LABEL org.opencontainers.image.vendor="Sluice" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/sluice-dev/sluice"
# The user every Sluice container runs as; Kubernetes manifests use the same ids (runAsUser,
# fsGroup 10001).
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /var/lib/sluice --no-create-home \
      --shell /usr/sbin/nologin sluice
ENV PATH=/opt/sluice/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

############################# broker #############################
FROM runtime-base AS broker
LABEL org.opencontainers.image.title="sluice-broker" \
      org.opencontainers.image.description="Sluice, a Kafka-compatible broker: sluice-broker, the sluice CLI and Kafka's bin/kafka-*.sh commands (ZooKeeper not included)"
# The runtime libraries of sluice-broker and sluice (the RUN below checks ldd finds them all), and
# procps: bin/kafka-server-stop.sh finds the broker with pgrep.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpocofoundation80 libpoconet80 libpocoutil80 libpocojson80 \
      libzookeeper-mt2 libsnappy1v5 liblz4-1 libzstd1 zlib1g \
      procps \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
COPY --from=builder /out/bin/sluice-broker /out/bin/sluice /opt/sluice/bin/
COPY bin/kafka-*.sh bin/sluice-env.sh /opt/sluice/bin/
COPY docker/sluice-docker-entrypoint /opt/sluice/bin/
# The default configuration: the repository's server.properties with the image's data directory,
# a ZooKeeper reachable as "zookeeper" and the admin port on. A mounted file replaces it.
COPY config/server.properties /etc/sluice/server.properties
RUN sed -i -e 's|^log\.dirs=.*|log.dirs=/var/lib/sluice/data|' \
           -e 's|^zookeeper\.connect=.*|zookeeper.connect=zookeeper:2181|' \
           -e 's|^#sluice\.admin\.listener=.*|sluice.admin.listener=0.0.0.0:9644|' \
           /etc/sluice/server.properties \
 && grep -qx 'log.dirs=/var/lib/sluice/data' /etc/sluice/server.properties \
 && grep -qx 'zookeeper.connect=zookeeper:2181' /etc/sluice/server.properties \
 && grep -qx 'sluice.admin.listener=0.0.0.0:9644' /etc/sluice/server.properties \
 && if ldd /opt/sluice/bin/sluice-broker /opt/sluice/bin/sluice | grep 'not found'; then exit 1; fi \
 && mkdir -p /var/lib/sluice/data /var/log/sluice \
 && chown -R sluice:sluice /var/lib/sluice /var/log/sluice
# LOG_DIR is where bin/kafka-*.sh and sluice-broker put application logs when not told otherwise.
ENV LOG_DIR=/var/log/sluice
USER 10001:10001
WORKDIR /var/lib/sluice
# Data (log.dirs) and application logs are separate volumes: they have different sizes, lifetimes
# and backup needs.
VOLUME ["/var/lib/sluice/data", "/var/log/sluice"]
EXPOSE 9092 9644
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/sluice/bin/sluice-docker-entrypoint"]

############################# operator-builder: the operator on top of the broker build #############################
# After the broker stage, so the legacy builder (which runs every stage before --target) builds the
# broker image without the operator.
FROM builder AS operator-builder
ARG BUILD_JOBS=2
COPY controller controller
RUN cmake -DSLUICE_BUILD_OPERATOR=ON /build \
 && ninja -C /build -j"${BUILD_JOBS}" sluice-operator \
 && strip -o /out/bin/sluice-operator /build/bin/sluice-operator

############################# operator #############################
FROM runtime-base AS operator
LABEL org.opencontainers.image.title="sluice-operator" \
      org.opencontainers.image.description="The Kubernetes operator for Sluice clusters (KafkaCluster, sluice.dev/v1alpha1)"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcpprest2.10 libyaml-cpp0.7 libssl3 ca-certificates \
      libpocofoundation80 libpoconet80 libpocoutil80 libpocojson80 \
      libzookeeper-mt2 libsnappy1v5 liblz4-1 libzstd1 zlib1g \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
COPY --from=operator-builder /out/bin/sluice-operator /opt/sluice/bin/
RUN if ldd /opt/sluice/bin/sluice-operator | grep 'not found'; then exit 1; fi
USER 10001:10001
WORKDIR /var/lib/sluice
EXPOSE 8080
ENTRYPOINT ["/opt/sluice/bin/sluice-operator"]
