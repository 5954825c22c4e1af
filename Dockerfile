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

# ---- runtime ------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}

# librdkafka1: the Kafka client (2.0.2 on bookworm; brings libssl3, libsasl2, zstd, lz4).
# libcurl4: FoundationNetworking (`plan --from-metrics` fetches /metrics with URLSession).
# ca-certificates: HTTPS to the CardGenius API and TLS to Kafka. tini: PID 1 that forwards
# SIGTERM (drain and commit) and SIGHUP (retune the budgets) to cardgenius and reaps zombies.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends librdkafka1 libcurl4 ca-certificates tini \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 cardgenius \
    && useradd --system --uid 10001 --gid cardgenius --home-dir /app --shell /usr/sbin/nologin cardgenius

WORKDIR /app
COPY --from=build /staging/ /usr/local/bin/
COPY docker/healthcheck /usr/local/bin/cardgenius-healthcheck
COPY config/ /app/config/
# /app/out: a writable place for `export --output`, rejects files and other outputs.
RUN mkdir -p /app/out && chown cardgenius:cardgenius /app/out

ENV CARDGENIUS_CONFIG=/app/config/real_config.json \
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
