# syntax=docker/dockerfile:1
# The `cardgenius` image: one binary for every role (consume, produce, simulate-api, plan,
# status, replay, ...). ENTRYPOINT is `cardgenius`, so the container's command is the
# subcommand:
#
#   docker build -t cardgenius:local .
#   docker run --rm cardgenius:local plan --users 50000
#   docker run --rm -e CARDGENIUS_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 cardgenius:local consume
#
# Swift packages: on the project's development machines SwiftPM reads every
# https://github.com/... dependency from a local mirror; inside `docker build` they are
# cloned from GitHub, as Package.swift names them, so the build needs network access to
# github.com. Package.resolved is not used (it is not committed: the mirror's commit ids are
# not GitHub's), so the image gets the newest versions Package.swift allows.

#
# librdkafka: by default the image runs Debian's librdkafka1 2.0.2. For
# `kafka.group_protocol: consumer` (KIP-848, Kafka >= 4.0) it needs librdkafka >= 2.12:
#
#   docker build --build-arg LIBRDKAFKA_WHEEL=confluent-kafka==2.16.1 -t cardgenius:kip848 .
#
# takes the self-contained librdkafka of PyPI's confluent-kafka wheel (2.16.0 in 2.16.1, the
# version `make test-librdkafka-current` tests) and puts it first on LD_LIBRARY_PATH: the
# binary, built on the 2.0.2 headers, runs on it unchanged (librdkafka keeps its ABI across
# 2.x). The member logs the librdkafka it loaded at start. docs/deploy-kubernetes.md has the
# other ways (Confluent's APT repository, a source build).

# ---- build --------------------------------------------------------------------------------
# Swift 6.3 on Debian 12 (bookworm): the same Debian as the runtime stage, so librdkafka-dev
# here and librdkafka1 there are the same 2.0.2 the project is developed against. Pin a patch
# release with --build-arg SWIFT_IMAGE=swift:6.3.1-bookworm for a reproducible toolchain.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build

RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends librdkafka-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependencies first: this layer is rebuilt only when Package.swift changes.
COPY Package.swift ./
RUN swift package resolve

# Then the sources (Tests/ too: Package.swift declares the test targets' folders).
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product cardgenius --static-swift-stdlib \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/cardgenius" /staging/ \
    # Swift's crash backtracer (statically linked), so a crash logs a symbolicated backtrace.
    && cp "$(dirname "$(readlink -f "$(command -v swift)")")/../libexec/swift/linux/swift-backtrace-static" /staging/

# A current librdkafka when asked for (see the top of this file); /staging-lib stays empty
# otherwise, and the runtime's librdkafka1 is used.
ARG LIBRDKAFKA_WHEEL=
RUN mkdir -p /staging-lib \
    && if [ -n "$LIBRDKAFKA_WHEEL" ]; then \
        export DEBIAN_FRONTEND=noninteractive \
        && apt-get -q update && apt-get -q install -y --no-install-recommends python3-pip \
        && python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
            --platform "manylinux_2_28_$(uname -m)" -d /tmp/wheel "$LIBRDKAFKA_WHEEL" \
        && python3 -m zipfile -e /tmp/wheel/*.whl /tmp/wheel/unpacked \
        && cp /tmp/wheel/unpacked/confluent_kafka.libs/librdkafka-*.so.1 /staging-lib/librdkafka.so.1 \
        && rm -rf /tmp/wheel /var/lib/apt/lists/*; \
    fi

# ---- runtime ------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}

# librdkafka1: the Kafka client (2.0.2 on bookworm; brings libssl3, libsasl2, zstd, lz4).
# No libcurl: every HTTP client is AsyncHTTPClient, nothing links FoundationNetworking
# (make check-compose checks both). ca-certificates: HTTPS to the CardGenius API and TLS to
# Kafka. tini: PID 1 that forwards SIGTERM (drain and commit) and SIGHUP (retune the budgets)
# to cardgenius and reaps zombies.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends librdkafka1 ca-certificates tini \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 cardgenius \
    && useradd --system --uid 10001 --gid cardgenius --home-dir /app --shell /usr/sbin/nologin cardgenius

WORKDIR /app
COPY --from=build /staging/ /usr/local/bin/
# Empty unless built with LIBRDKAFKA_WHEEL: then its librdkafka.so.1 wins over librdkafka1's.
COPY --from=build /staging-lib/ /usr/local/lib/cardgenius/
COPY docker/healthcheck /usr/local/bin/cardgenius-healthcheck
COPY config/ /app/config/
# /app/out: a writable place for `export --output`, rejects files and other outputs.
RUN mkdir -p /app/out && chown cardgenius:cardgenius /app/out

ENV CARDGENIUS_CONFIG=/app/config/real_config.json \
    LD_LIBRARY_PATH=/usr/local/lib/cardgenius \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static

USER cardgenius:cardgenius

# metrics.port: GET /metrics, /healthz, /readyz of `consume`.
EXPOSE 9464

# For `consume` (the image's main use): /healthz answers 200 while the process is up. Other
# roles (produce, simulate-api, one-shot commands) disable or replace it (docker-compose.yml).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/cardgenius-healthcheck"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "cardgenius"]
CMD ["--help"]
