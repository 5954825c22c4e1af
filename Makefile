# cardgenius — see README.md.
SWIFT   ?= swift
CONFIG  ?= debug
BIN      = .build/$(CONFIG)/cardgenius
SUDO    := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: deps build release run test bench clean

## Install what the build needs (librdkafka 2.0.x from Debian) if it is missing.
deps:
	@if ! pkg-config --exists rdkafka 2>/dev/null || [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then \
		echo "installing librdkafka-dev and pkg-config"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq librdkafka-dev pkg-config >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product cardgenius

release:
	$(MAKE) build CONFIG=release

## The main job on embedded defaults: dev broker + CardGenius simulator + producer + consumer group.
run: build
	@mkdir -p out
	$(BIN) run --input config/sample-cohort.jsonl --output out/recommendations.jsonl --log-level warning

## Every test, against the mock broker over TCP and the simulator over HTTP.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Benchmarks (release build); figures go to BENCHMARKS.md.
bench: deps
	$(MAKE) build CONFIG=release
	bench/run-all.sh

clean:
	rm -rf .build out
