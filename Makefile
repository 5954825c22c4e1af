# cardgenius — see README.md.
SWIFT   ?= swift
CONFIG  ?= debug
BIN      = .build/$(CONFIG)/cardgenius
SUDO    := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: deps python-deps build release run test format format-check librdkafka-current test-librdkafka-current check-alerts check-compose check-kubernetes bench clean

## Install what the build needs (librdkafka 2.0.x from Debian) if it is missing.
deps:
	@if ! pkg-config --exists rdkafka 2>/dev/null || [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then \
		echo "installing librdkafka-dev and pkg-config"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq librdkafka-dev pkg-config >/dev/null; \
	fi

## The data-team example (docs/examples/read_recommendations.py) and its test need confluent-kafka
## for the system Python: Debian's python3-confluent-kafka (links the system librdkafka 2.0.x).
python-deps:
	@if ! /usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1; then \
		echo "installing python3-confluent-kafka"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-confluent-kafka >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product cardgenius

release:
	$(MAKE) build CONFIG=release

## The main job on embedded defaults: dev broker + CardGenius simulator + producer + consumer group.
run: build
	@mkdir -p out
	$(BIN) run --input config/sample-cohort.jsonl --output out/recommendations.jsonl --log-level warning

## The alert rules and the Prometheus configuration, with promtool (Debian's prometheus package).
check-alerts:
	@if ! command -v promtool >/dev/null 2>&1; then \
		echo "installing prometheus (for promtool)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends prometheus >/dev/null; \
	fi
	promtool check rules config/prometheus/alerts.yml
	promtool test rules config/prometheus/alerts_test.yml
	promtool check config config/prometheus/prometheus.yml
	promtool check config config/prometheus/prometheus-compose.yml

## docker-compose.yml and the Dockerfile without a Docker engine (Debian's docker-compose 1.29):
## config -q, the services and profiles, worker scalable, one image, known CARDGENIUS_* variables.
check-compose:
	@if ! command -v docker-compose >/dev/null 2>&1; then \
		echo "installing docker-compose"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; \
	fi
	docker/check-compose

## deploy/kubernetes without a cluster: Debian's kubectl (kustomize) renders every overlay, the
## objects validate against the Kubernetes schemas (PyPI's kubernetes-validate), the invariants.
KUBERNETES_VALIDATE ?= kubernetes-validate==1.37.0
check-kubernetes:
	@if ! command -v kubectl >/dev/null 2>&1; then \
		echo "installing kubectl (the kubectl package: kustomize v5; bookworm's kubernetes-client 1.20 is too old)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends kubectl >/dev/null; \
	fi
	@if ! python3 -c 'import kubernetes_validate, jsonschema, yaml' >/dev/null 2>&1; then \
		echo "installing $(KUBERNETES_VALIDATE) (pip, for python3)"; \
		python3 -m pip --version >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3-pip >/dev/null; }; \
		python3 -m pip install -q --user '$(KUBERNETES_VALIDATE)' 2>/dev/null \
			|| python3 -m pip install -q --user --break-system-packages '$(KUBERNETES_VALIDATE)' \
			|| python3 -m pip install -q '$(KUBERNETES_VALIDATE)'; \
	fi
	deploy/kubernetes/check

## The C fence: librdkafka's names and the CRDKafka module only in Sources/Kafka/RDKafka/ (and
## Sources/CRDKafka/ itself); prints each file and line that crosses it.
.PHONY: check-c-fence
check-c-fence:
	@leaks=$$(grep -rnE 'rd_kafka_|CRDKafka' Sources | grep -vE '^Sources/(Kafka/RDKafka|CRDKafka)/'); \
	if [ -n "$$leaks" ]; then echo "$$leaks"; echo "librdkafka used outside Sources/Kafka/RDKafka/" >&2; exit 1; fi

## README's "Layout" table against the tree: every folder of Sources/ (two levels) and Tests/ has a
## row, and every row names a folder that exists.
.PHONY: check-layout
check-layout:
	@table=$$(sed -n '/^## Layout/,/^## [^L]/p' README.md | grep -oE '^\| `(Sources|Tests)/[^`]+`' | tr -d '|` '); \
	tree=$$(find Sources Tests -mindepth 1 -maxdepth 2 -type d -not -path 'Tests/*/*'); bad=0; \
	for d in $$tree; do echo "$$table" | grep -qxF "$$d" || { echo "README's Layout table has no row for $$d"; bad=1; }; done; \
	for d in $$table; do [ -d "$$d" ] || { echo "README's Layout table names $$d, which is not in the tree"; bad=1; }; done; \
	exit $$bad

## Formats Sources, Tests and Package.swift in place with the toolchain's swift-format and
## the repository's .swift-format (4 spaces, 160 columns).
format:
	$(SWIFT) format format --in-place --parallel --recursive Package.swift Sources Tests

## Fails on any swift-format finding (formatting or lint rule), without changing a file.
format-check:
	$(SWIFT) format lint --strict --parallel --recursive Package.swift Sources Tests

## Every test, against the mock broker over TCP and the simulator over HTTP.
test: deps python-deps format-check check-c-fence check-layout check-alerts check-compose check-kubernetes
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## A current librdkafka next to Debian's 2.0.2: PyPI's confluent-kafka wheel ships librdkafka as
## one self-contained shared library (confluent_kafka.libs/librdkafka-<hash>.so.1). librdkafka keeps
## its ABI across 2.x, so the binaries built on Debian's 2.0.2 headers run on it unchanged with
## LD_LIBRARY_PATH pointing at a directory holding it as librdkafka.so.1. Only the wheel is
## downloaded (no install); it and the library stay under .venv-librdkafka/ (gitignored).
LIBRDKAFKA_WHEEL   ?= confluent-kafka==2.16.1
LIBRDKAFKA_CURRENT ?= 2.16.0
LIBRDKAFKA_DIR     := $(CURDIR)/.venv-librdkafka/$(LIBRDKAFKA_CURRENT)
librdkafka-current:
	@if [ ! -f $(LIBRDKAFKA_DIR)/librdkafka.so.1 ]; then \
		python3 -m pip --version >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3-pip >/dev/null; }; \
		rm -rf $(LIBRDKAFKA_DIR).tmp && mkdir -p $(LIBRDKAFKA_DIR).tmp/wheel && \
		echo "downloading $(LIBRDKAFKA_WHEEL) (the wheel's librdkafka $(LIBRDKAFKA_CURRENT))" && \
		python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
			--platform manylinux_2_28_$$(uname -m) -d $(LIBRDKAFKA_DIR).tmp/wheel '$(LIBRDKAFKA_WHEEL)' && \
		python3 -m zipfile -e $(LIBRDKAFKA_DIR).tmp/wheel/*.whl $(LIBRDKAFKA_DIR).tmp/unpacked && \
		cp $(LIBRDKAFKA_DIR).tmp/unpacked/confluent_kafka.libs/librdkafka-*.so.1 $(LIBRDKAFKA_DIR).tmp/librdkafka.so.1 && \
		mkdir -p $(LIBRDKAFKA_DIR) && mv $(LIBRDKAFKA_DIR).tmp/librdkafka.so.1 $(LIBRDKAFKA_DIR)/ && \
		rm -rf $(LIBRDKAFKA_DIR).tmp; \
	fi

## The suites that exercise librdkafka (the wrapper, the pipeline with its faults, the operations
## commands), again on the current librdkafka: the test processes and the cardgenius members they
## spawn both load it (LD_LIBRARY_PATH; LibrdkafkaVersionTests and the members' start-up line check
## that 2.16 is what runs). The consumer group protocol tests run only here.
CURRENT_SUITES ?= ^(KafkaTests|OperationsTests\.(GroupDescriber|TopicScanner)|CLITests\.CLITests/(ConsumerGroup|Replay|Status|DevBroker|PipelineGroupGuardTests|ExportTests|RedriveTests|ReportTests)/|ApplicationTests\.(TailJobTests|ReplayTests|RedriveTests|StatusQueryTests)/|PipelineTests\.(EndToEnd|Hardening|MemberFault|BrokerFault|StaticMember|FlowControl|ConsumerProtocol|LibrdkafkaVersion|StopBound|RevocationPublish|UntrustedInput|UserOrder|BreakerRecovery|BudgetFault))
test-librdkafka-current: deps librdkafka-current
	$(SWIFT) build --build-tests
	LD_LIBRARY_PATH=$(LIBRDKAFKA_DIR) LIBRDKAFKA_EXPECTED_VERSION=$(LIBRDKAFKA_CURRENT) \
		$(SWIFT) test --skip-build --filter '$(CURRENT_SUITES)'

## Benchmarks (release build); figures go to BENCHMARKS.md. nginx (Debian's nginx-light) is the
## instant stand-in API of the raw-capacity benchmark; perf (linux-perf) profiles where the CPU goes.
bench: deps
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
		echo "installing nginx-light (the capacity benchmark's stand-in API)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nginx-light >/dev/null; \
	fi
	$(MAKE) build CONFIG=release
	bench/run-all.sh

clean:
	rm -rf .build out .venv-librdkafka
